"""Text that came from a file or a name typed by someone, made harmless where it goes out.

- On a terminal (and in plain text, which ends up on one): control characters are shown escaped
  (`\\x1b`, `\\n`, `\\u202e`), so that a file name cannot clear the screen, set the window title,
  colour what follows, forge a table row with a newline or reverse the line with a bidi override.
- In csv and xlsx: text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return, OWASP's list, and their full-width forms that Chinese input methods type) is
  neutralised; numbers stay numbers. Characters XML cannot hold are escaped as on a terminal.
- Anywhere: a quote of what someone wrote is cut to a readable length.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls, DEL, C1 controls, and the bidirectional marks, embeddings, overrides and isolates
_MARKS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_MARKS}]")
_CONTROL_BUT_NEWLINE_RE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_MARKS}]")
FORMULA_STARTS = tuple("=+-@\t\r") + ("＝", "＋", "－", "＠")
QUOTE_LIMIT = 256  # characters of a quoted name or value shown in a message


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in named:
        return named[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character escaped (with `keep_newlines`, line breaks stay: for a
    whole message of several lines, whose quoted parts were escaped already)."""
    pattern = _CONTROL_BUT_NEWLINE_RE if keep_newlines else _CONTROL_RE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def has_controls(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A quote of what someone wrote, safe to print: escaped, and cut to `limit` characters."""
    text = shown(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(+{len(text) - limit})"


def spreadsheet_text(value: Any) -> Any:
    """A csv cell: text a spreadsheet would run as a formula starts with an apostrophe (OWASP's
    advice), so that it shows as the text it is; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)
