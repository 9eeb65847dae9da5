"""Tables and prose on a terminal that never break a number, a code or a date.

A cell is never wrapped: each column is as wide as its widest value. A header may wrap, but only
where a line may break (between Chinese characters, at spaces, never inside a run of letters, digits
and signs such as `2003-06`, `referral_placed` or `100,000`). A table wider than the terminal is
split into several tables, one under the other, each repeating the unit column, so that every value
keeps its whole width. Prose (titles, notes) wraps by the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TextIO

from rich.cells import cell_len

from shiwan.base.safetext import shown as safe  # control characters escaped: nothing here drives the terminal

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


def header_lines(text: str, width: int) -> list[str]:
    """A header within `width`, in as few lines as it takes, the lines as even as they can be
    (`本年` / `累计`, not `本年累` / `计`)."""
    lines = wrap(text, width)
    if len(lines) == 1:
        return lines
    for w in range(max(1, narrowest(text)), width + 1):
        even = wrap(text, w)
        if len(even) <= len(lines):
            return even
    return lines


def _two_lines(text: str) -> int:
    """The narrowest width at which `text` takes at most two lines."""
    for w in range(max(1, narrowest(text)), cell_len(text) + 1):
        if len(wrap(text, w)) <= 2:
            return w
    return cell_len(text)


def column_widths(table: TermTable, *, tight: bool = False) -> list[int]:
    """Each column as wide as its widest value, and as its header on one line (`tight`: in two)."""
    widths = []
    for i, col in enumerate(table.columns):
        data = max((cell_len(r[i]) for r in table.cells), default=0)
        head = _two_lines(col.header) if tight else cell_len(col.header)
        widths.append(max(data, head, 1))
    return widths


def _rich_table(table: TermTable, group: list[int], widths: list[int], *, wrap_cells: bool = False):
    from rich import box
    from rich.markup import escape
    from rich.table import Table as RichTable

    rt = RichTable(box=box.SIMPLE_HEAVY, header_style="bold", show_lines=False, show_edge=False)
    for c in group:
        col = table.columns[c]
        rt.add_column(escape("\n".join(header_lines(col.header, widths[c]))), justify="right" if col.right else "left",
                      width=widths[c], no_wrap=not wrap_cells, overflow="fold")
    for r, cells in enumerate(table.cells):
        shown = []
        for c in group:
            style = table.styles[r][c] if table.styles else None
            text = escape(safe(cells[c]))
            shown.append(f"[{style}]{text}[/]" if style and text else text)
        rt.add_row(*shown, style=(table.row_styles[r] if table.row_styles and r < len(table.row_styles) else None))
    return rt


def _fits(console, rt) -> bool:
    from rich.measure import Measurement

    unbounded = console.options.update_width(1_000_000)  # Measurement.get clamps to the options' width
    return Measurement.get(console, unbounded, rt).maximum <= console.width


def _narrowed(console, table: TermTable) -> list[int]:
    """Widths with headers on one line; where the table is too wide so, the headers that save the
    most go onto two lines, one at a time, until it fits (or all are on two)."""
    widths = column_widths(table)
    tight = column_widths(table, tight=True)
    everything = list(range(len(widths)))
    while not _fits(console, _rich_table(table, everything, widths)):
        savings = [w - t for w, t in zip(widths, tight, strict=True)]
        best = max(everything, key=lambda c: savings[c])
        if savings[best] <= 0:
            break
        widths[best] = tight[best]
    return widths


def groups_of(console, table: TermTable, widths: list[int], keep: int = 1) -> list[list[int]]:
    """Columns in groups that each fit the terminal, every group starting with the first `keep`."""
    head = list(range(min(keep, len(widths))))
    groups: list[list[int]] = []
    current = list(head)
    for c in range(len(head), len(widths)):
        if len(current) > len(head) and not _fits(console, _rich_table(table, current + [c], widths)):
            groups.append(current)
            current = list(head)
        current.append(c)
    groups.append(current)
    return groups


def print_table(table: TermTable, stream: TextIO, *, width: int | None = None, keep: int = 1) -> None:
    """Print `table` on a terminal of `width` columns (the terminal's own when None): headers on one
    line where the table fits so, else in two; still too wide, in several tables one under the other,
    each with the first `keep` columns."""
    from rich.console import Console

    console = Console(file=stream, width=width, highlight=False)
    if table.title:
        print_prose(console, table.title, bold=True)
    widths = _narrowed(console, table)
    for n, group in enumerate(groups_of(console, table, widths, keep)):
        rt = _rich_table(table, group, widths)
        if not _fits(console, rt):  # a single column wider than the terminal (a long file name) folds
            rt = _rich_table(table, group, widths, wrap_cells=True)
        if n:
            console.print()
        console.print(rt)
    if table.caption:
        print_prose(console, table.caption)
    console.print()


def print_prose(console, text: str, *, bold: bool = False, dim: bool = False, center: bool = False) -> None:
    """A line of prose, wrapped where a line may break."""
    from rich.markup import escape

    for line in wrap(safe(text, keep_newlines=True), console.width):
        pad = " " * max(0, (console.width - cell_len(line)) // 2) if center else ""
        shown = escape(line)
        if bold:
            shown = f"[bold]{shown}[/]"
        elif dim:
            shown = f"[dim]{shown}[/]"
        console.print(pad + shown, soft_wrap=True)
