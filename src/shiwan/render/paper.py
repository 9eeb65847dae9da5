"""Sheets that print well on A4: a legible scale, page breaks that never cut a block of columns that
belongs together (an indicator's 本月 and 本年累计, a report section), the unit column repeated on
every page, and sections kept whole on a page where they fit.

Widths are in Excel's column units (about one digit each). LibreOffice prints a unit as 7 points
(Excel a little narrower), and 10-point text takes about 1.5 units a Chinese character and 1 unit a
digit or letter: the estimates below use those, so that what fits for LibreOffice fits for Excel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

A4_SHORT, A4_LONG = 595.0, 842.0  # points
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 0.4, 0.6, 0.7  # inches
HEADER_FOOTER = 0.3
LEGIBLE = 0.75  # below this scale 10-point text is too small to read: split across pages instead
LINE = 13.5  # points per line of 10-point text in a row


def col_points(width: float) -> float:
    return width * 7.0


def text_units(text: str) -> float:
    """The width of 10-point `text` in column units."""
    return sum(1.5 if cell_len(ch) == 2 else 1.0 for ch in str(text))


def text_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a wrapped cell `width` units wide."""
    room = max(1.0, width - 1.0)
    return sum(max(1, math.ceil(text_units(part) / room)) for part in str(text).split("\n"))


def break_lines(text: str, width: float) -> str:
    """`text` with line breaks where a line may break (never inside `2003-2005` or `100,000`), each
    line within `width` units of 10-point text; a header breaks before its bracket where both parts
    fit (`实现再就业人数` / `(50分)`)."""
    from shiwan.render.terminal import wrap

    parts = bracket_parts(text)
    if parts and text_units(text) > width - 1 and all(text_units(p) <= width - 1 for p in parts):
        return "\n".join(parts)
    return "\n".join(wrap(text, max(2, int((width - 1) / 1.5 * 2))))


def bracket_parts(text: str) -> list[str] | None:
    """`进度差(百分点)` -> [`进度差`, `(百分点)`]; None when the text has no bracket after its start."""
    at = max(text.rfind("("), text.rfind("("))
    return [text[:at], text[at:]] if at > 0 else None


def row_height(lines: int) -> float:
    return LINE * max(1, lines) + 3


@dataclass
class Layout:
    """How a sheet goes onto paper: its columns' widths, the blocks of columns that stay together,
    how many leading columns repeat on every page, and the blocks of rows that should not be cut."""

    widths: list[float]  # per column, 1-based column n at index n - 1
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (first, last) columns kept on one page
    keep: int = 1  # leading columns printed on every page
    row_blocks: list[tuple[int, int]] = field(default_factory=list)  # (first, last) rows kept on one page
    heights: dict[int, float] = field(default_factory=dict)  # row -> points (rows not given: 15)
    forced: set[int] = field(default_factory=set)  # rows after which a page must end
    scale: float | None = None  # as planned by `pack`; None: `plan_columns` decides
    portrait: bool = False

    def page_width(self) -> float:
        return (A4_SHORT if self.portrait else A4_LONG) - 2 * MARGIN_SIDE * 72

    def page_height(self) -> float:
        return (A4_LONG if self.portrait else A4_SHORT) - (MARGIN_TOP + MARGIN_BOTTOM) * 72 - 12


def plan_columns(layout: Layout) -> tuple[float, list[int]]:
    """(scale, columns after which a new page starts). The whole width on one page where it fits at a
    legible scale; else pages of whole blocks at the legible scale, each repeating the first columns."""
    pts = [col_points(w) for w in layout.widths]
    total = sum(pts)
    room = layout.page_width()
    if total * LEGIBLE <= room:
        return min(1.0, room / total), []
    scale = LEGIBLE
    room = room / scale - sum(pts[: layout.keep])
    blocks = layout.blocks or [(c, c) for c in range(layout.keep + 1, len(pts) + 1)]
    breaks: list[int] = []
    used = 0.0
    for first, last in blocks:
        width = sum(pts[first - 1 : last])
        if used and used + width > room:
            breaks.append(first - 1)
            used = 0.0
        used += width
    return scale, breaks


def pack(keep: float, blocks: list[float], *, portrait: bool = False) -> tuple[float, list[list[int]]]:
    """(scale, groups of block indexes) for a table printed as several tables one under the other,
    each of the `keep` columns and whole blocks: all blocks in one where they fit at a legible scale;
    else as many whole blocks each as fit at the legible scale. Widths in column units."""
    room = Layout([], portrait=portrait).page_width() / col_points(1)
    if keep + sum(blocks) <= room / LEGIBLE:
        return min(1.0, room / max(1.0, keep + sum(blocks))), [list(range(len(blocks)))]
    groups: list[list[int]] = [[]]
    used = keep
    for n, width in enumerate(blocks):
        if groups[-1] and used + width > room / LEGIBLE:
            groups.append([])
            used = keep
        groups[-1].append(n)
        used += width
    widest = max(keep + sum(blocks[n] for n in g) for g in groups)
    return min(1.0, room / widest), groups


def plan_rows(layout: Layout, scale: float) -> list[int]:
    """Rows after which a new page starts: where a page is full, before a block of rows that would
    not fit on what is left of a page (when it fits on a page of its own), and after `forced` rows."""
    room = layout.page_height() / scale
    starts = dict(layout.row_blocks)
    last_row = max([*layout.heights, *(b for _, b in layout.row_blocks), 0])
    breaks: list[int] = []
    used = 0.0

    def height(r: int) -> float:
        return layout.heights.get(r, 15.0)

    for r in range(1, last_row + 1):
        if r in starts:
            size = sum(height(x) for x in range(r, starts[r] + 1))
            if used and used + size > room and size <= room:
                breaks.append(r - 1)
                used = 0.0
        if used and used + height(r) > room:
            breaks.append(r - 1)
            used = 0.0
        used += height(r)
        if r in layout.forced:
            breaks.append(r)
            used = 0.0
    return sorted(set(breaks))


def apply(ws, layout: Layout, *, title_rows: str | None = None) -> float:
    """Set up `ws` for A4: orientation, margins, scale, page breaks and the repeated rows and columns.
    Returns the scale."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break, ColBreak, RowBreak
    from openpyxl.worksheet.properties import PageSetupProperties

    for n, w in enumerate(layout.widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = w
    for r, h in layout.heights.items():
        ws.row_dimensions[r].height = h
    scale, col_breaks = plan_columns(layout) if layout.scale is None else (layout.scale, [])
    ws.page_setup.orientation = "portrait" if layout.portrait else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.page_setup.scale = max(10, int(scale * 100))
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP, MARGIN_BOTTOM
    ws.page_margins.header = ws.page_margins.footer = HEADER_FOOTER
    ws.print_options.horizontalCentered = not col_breaks
    if col_breaks:
        ws.col_breaks = ColBreak(brk=[Break(id=c) for c in col_breaks])
        ws.print_title_cols = f"A:{get_column_letter(layout.keep)}"
    if title_rows:
        ws.print_title_rows = title_rows
    row_breaks = plan_rows(layout, ws.page_setup.scale / 100)
    if row_breaks:
        ws.row_breaks = RowBreak(brk=[Break(id=r) for r in row_breaks])
    return ws.page_setup.scale / 100


def first_page_columns(layout: Layout) -> int:
    """How many columns the first page holds (titles and notes are merged over these only, so that a
    sheet printed across pages does not cut them in half)."""
    if layout.scale is not None:
        return len(layout.widths)
    _scale, breaks = plan_columns(layout)
    return breaks[0] if breaks else len(layout.widths)


def narrowest_page(layout: Layout) -> float:
    """The width, in column units, that prose under the table may take on every page: the paper's
    width when the sheet prints one page wide, else its narrowest page's columns."""
    scale, breaks = plan_columns(layout) if layout.scale is None else (layout.scale, [])
    if not breaks:
        return layout.page_width() / scale / col_points(1) - 1
    edges = [0, *breaks, len(layout.widths)]
    pages = [sum(layout.widths[a:b]) + (sum(layout.widths[: layout.keep]) if a else 0)
             for a, b in zip(edges, edges[1:], strict=False) if b > a]
    return min(pages) if pages else sum(layout.widths)


def fit_width(texts: Sequence[str], *, least: float = 6, most: float = 40, pad: float = 2) -> float:
    """A column width that shows the widest of `texts` on one line, within `least`..`most`."""
    widest = max((text_units(x) for x in texts if x is not None), default=0)
    return max(least, min(most, widest + pad))
