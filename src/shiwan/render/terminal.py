"""Tables and prose on a terminal that never break a number, a code or a date.

A cell is never wrapped: each column is as wide as its widest value. A header may wrap, but only
where a line may break (between Chinese characters, at spaces, never inside a run of letters, digits
and signs such as `2003-06`, `referral_placed` or `100,000`). A table wider than the terminal is
split into several tables, one under the other, each repeating the unit column, so that every value
keeps its whole width. Prose (titles, notes) wraps by the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from rich.cells import cell_len

# a run that must not break: anything that is neither a space nor a wide (CJK) character, with the
# punctuation that may not start a line glued to what comes before it
_OPENING = "(([{“‘《〈「『【"
_CLOSING = "))]},.;:!?、,。;:!?”’》〉」』】%"


@dataclass
class TermColumn:
    header: str
    right: bool = False


@dataclass
class TermTable:
    """Cells already formatted as text, with an optional Rich style per cell and per row."""

    columns: list[TermColumn]
    cells: list[list[str]]
    styles: list[list[str | None]] | None = None
    row_styles: list[str | None] | None = None
    title: str = ""
    caption: str = ""


def tokens(text: str) -> list[str]:
    """Pieces between which a line may break (spaces are pieces of their own)."""
    out: list[str] = []
    for m in re.finditer(r"\s+|[^\s]", text):
        piece = m.group(0)
        if out and _joins(out[-1], piece):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _wide(ch: str) -> bool:
    return cell_len(ch) == 2


def _joins(prev: str, ch: str) -> bool:
    """Whether `ch` must stay on the same line as the piece before it."""
    if prev.isspace() or ch.isspace():
        return False
    if ch in _CLOSING or prev[-1] in _OPENING:
        return True
    return not _wide(ch) and not _wide(prev[-1])


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells (a single piece wider than that stands alone, whole)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = paragraph[: len(paragraph) - len(paragraph.lstrip())]  # keep the indent
        for piece in tokens(paragraph.lstrip()):
            if piece.isspace():
                line += piece if line.strip() else ""
            elif line.strip() and cell_len(line) + cell_len(piece) > width:
                lines.append(line.rstrip())
                line = piece
            else:
                line += piece
        lines.append(line.rstrip())
    return lines


def narrowest(text: str) -> int:
    """The narrowest a header can be wrapped to."""
    return max((cell_len(p) for p in tokens(text) if not p.isspace()), default=0)


def column_widths(table: TermTable) -> list[int]:
    widths = []
    for i, col in enumerate(table.columns):
        data = max((cell_len(r[i]) for r in table.cells), default=0)
        widths.append(max(data, narrowest(col.header), 1))
    return widths


def split_columns(widths: Sequence[int], width: int, keep: int = 1) -> list[list[int]]:
    """Groups of column indexes that each fit in `width`, every group starting with the first `keep`."""
    def cost(cols: list[int]) -> int:
        return sum(widths[c] + 3 for c in cols) + 1  # padding of 1 on each side, a separator, the edge

    head = list(range(min(keep, len(widths))))
    groups: list[list[int]] = []
    current = list(head)
    for c in range(len(head), len(widths)):
        if len(current) > len(head) and cost(current + [c]) > width:
            groups.append(current)
            current = list(head)
        current.append(c)
    groups.append(current)
    return groups


def print_table(table: TermTable, stream: TextIO, *, width: int | None = None, keep: int = 1) -> None:
    """Print `table` on a terminal of `width` columns (the terminal's own when None)."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as RichTable

    console = Console(file=stream, width=width, highlight=False)
    available = console.width
    widths = column_widths(table)
    groups = split_columns(widths, available, keep) if table.columns else [[]]
    if table.title:
        print_prose(console, table.title, bold=True, center=True)
    for group in groups:
        rt = RichTable(box=box.SIMPLE_HEAVY, header_style="bold", show_lines=False)
        fits = sum(widths[c] + 3 for c in group) + 1 <= available
        for c in group:
            col = table.columns[c]
            header = "\n".join(wrap(col.header, widths[c]))
            rt.add_column(escape(header), justify="right" if col.right else "left", width=widths[c],
                          no_wrap=fits, overflow="fold")
        for r, cells in enumerate(table.cells):
            shown = []
            for c in group:
                style = table.styles[r][c] if table.styles else None
                text = escape(cells[c])
                shown.append(f"[{style}]{text}[/]" if style and text else text)
            rt.add_row(*shown, style=(table.row_styles[r] if table.row_styles and r < len(table.row_styles) else None))
        console.print(rt)
    if table.caption:
        print_prose(console, table.caption)


def print_prose(console, text: str, *, bold: bool = False, dim: bool = False, center: bool = False) -> None:
    """A line of prose, wrapped where a line may break."""
    from rich.markup import escape

    for line in wrap(text, console.width):
        pad = " " * max(0, (console.width - cell_len(line)) // 2) if center else ""
        shown = escape(line)
        if bold:
            shown = f"[bold]{shown}[/]"
        elif dim:
            shown = f"[dim]{shown}[/]"
        console.print(pad + shown, soft_wrap=True)
