"""The lines around a table: title lines above it, the 填报单位 line, and the footer with its 报出日期.

`read_lines` takes the rows above the table and the rows from the first footer line down, and returns
what they say, each with its cell, for the period and reporter passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from shiwan.recognize.grid import Grid, text_of
from shiwan.recognize.words import DATE_LABEL, FOOTER_STARTS, REPORTER_END, REPORTER_LINE
from shiwan.ref.text import find_date, halfwidth, squash


@dataclass
class Lines:
    """What the lines around a table say. Texts are (row, col, text)."""

    title: list[tuple[int, int, str]] = field(default_factory=list)
    footer: list[tuple[int, int, str]] = field(default_factory=list)
    title_rows: range = range(0)
    reporter: tuple[int, int, str] | None = None  # the name on the 填报单位 line
    submitted_on: date | None = None


def is_footer(grid: Grid, r: int) -> bool:
    """A row whose first text starts a footer (`单位负责人:`, `填表人:`, `报出日期:`, `注:`, `说明:`)."""
    for _c, v in grid.row_texts(r):
        return squash(v).startswith(FOOTER_STARTS)
    return False


def table_end(grid: Grid, start: int) -> int:
    """The first footer row at or after `start`, else the sheet's height."""
    for r in range(start, grid.height):
        if is_footer(grid, r):
            return r
    return grid.height


def read_lines(grid: Grid, top: range, bottom: range) -> Lines:
    out = Lines(title_rows=top)
    out.title = _texts(grid, top)
    out.footer = _texts(grid, bottom)
    for r, c, v in out.title + out.footer:
        if out.reporter is None:
            out.reporter = _reporter_name(grid, r, c, v)
        if out.submitted_on is None:
            out.submitted_on = _submitted_on(grid, r, c, v)
    return out


def _texts(grid: Grid, rows: range) -> list[tuple[int, int, str]]:
    return [(r, c, v) for r in rows for c, v in grid.row_texts(r)]


def _reporter_name(grid: Grid, r: int, c: int, v: str) -> tuple[int, int, str] | None:
    """`填报单位:道里区总工会(盖章)   计量单位:人` -> the name; where the label stands alone in its
    cell, the name is in the next filled cell of the row."""
    m = REPORTER_LINE.search(halfwidth(v))
    if not m:
        return None
    name = squash(REPORTER_END.split(m.group(1).strip())[0])
    if name:
        return (r, c, name)
    for j in range(c + 1, min(grid.width, c + 6)):
        nxt = grid.text(r, j).strip()
        if nxt:
            name = squash(REPORTER_END.split(nxt)[0])
            return (r, j, name) if name else None
    return None


def _submitted_on(grid: Grid, r: int, c: int, v: str) -> date | None:
    """The date on a `报出日期:` line: in the same cell, or in one of the next cells (text or a date)."""
    m = DATE_LABEL.search(squash(v))
    if not m:
        return None
    found = find_date(m.group(1))
    for j in range(c + 1, c + 4):
        if found:
            break
        nxt = grid.cell(r, j)
        if isinstance(nxt, datetime):
            found = nxt.date()
        elif isinstance(nxt, date):
            found = nxt
        elif isinstance(nxt, str):
            found = find_date(nxt)
        elif nxt is not None:
            found = find_date(text_of(nxt))
    return found
