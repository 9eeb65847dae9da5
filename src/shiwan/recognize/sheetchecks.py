"""What the header itself gets wrong, and what it leaves unsaid: money in the wrong unit (`扶持资金(元)`
for an indicator counted in 万元), a `1-5月累计` header on a June return, columns set aside or not
understood (each warned about with its cell), and the measure of a one-row header when nothing in the
header says it (the title, `--measure`, or January, where both are the same figure).
"""

from __future__ import annotations

import re

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.columns import (
    SKIP_IGNORED,
    SKIP_INCREMENT,
    SKIP_LEVEL_OF_FLOW,
    SKIP_QUARTER,
    SKIP_STOCK_MONTH,
    SKIP_UNKNOWN_PART,
    ColumnMap,
    ColumnRead,
    measures_named,
)
from shiwan.recognize.grid import Grid, cell_at, is_number
from shiwan.recognize.header import Band
from shiwan.recognize.model import Options
from shiwan.recognize.period import PeriodFound
from shiwan.recognize.words import MONTH, YTD, measure_of
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.text import halfwidth

_MONEY = re.compile(r"[(（]\s*(?:计量)?(?:单位\s*[:：])?\s*(元|千元|万元|亿元)\s*[)）]\s*$")
_MONEY_WORDS = ("元", "千元", "万元", "亿元")


def money_mismatch(text: str, ind: IndicatorDef) -> str | None:
    """The money unit a header states, when it is not the one the indicator is counted in
    (`扶持资金(元)` for an indicator in 万元): stored as it stands it would be 10,000 times too big."""
    if ind.measure not in _MONEY_WORDS:
        return None
    m = _MONEY.search(halfwidth(text).strip())
    if m and m.group(1) != ind.measure:
        return m.group(1)
    return None


_UNIT_LINE = re.compile(r"(?:计量单位|金额单位|单位)[:：]\s*([^\s]+(?:\s*[、,，/]\s*[^\s、,，/]+)*)")


def line_money_unit(grid: Grid, top: int) -> tuple[tuple[int, int], str] | None:
    """The money unit a `计量单位:人、元` (or `金额单位:元`) line above the table states, with its cell."""
    for r in range(0, top):
        for c, v in grid.row_texts(r):
            for m in _UNIT_LINE.finditer(halfwidth(v)):
                for token in re.split(r"[、,，/\s]+", m.group(1)):
                    token = token.strip("()（）")
                    if token in _MONEY_WORDS:
                        return (r, c), token
    return None


def check_money_units(grid: Grid, cmap: ColumnMap, band: Band, cat: Catalog, problems: list[Problem]) -> None:
    """Refuse money columns whose header or 计量单位 row states another unit; they are not read."""
    seen: set[tuple[int, int]] = set()
    for c, col in list(cmap.reads.items()):
        ind = cat.by_code[col.code]
        stated = money_mismatch(grid.text(*col.name_cell), ind)
        cell = col.name_cell
        if stated is None and c in band.measure_units:
            r, unit = band.measure_units[c]
            stated = money_mismatch(f"({unit})", ind)
            cell = (r, c)
        if stated is None and not _MONEY.search(halfwidth(grid.text(*col.name_cell))) and c not in band.measure_units:
            line = line_money_unit(grid, band.top)  # `计量单位:人、元` above a bare `扶持资金`
            if line is not None:
                stated = money_mismatch(f"({line[1]})", ind)  # named at the column the line leaves unsaid
        if stated is None:
            continue
        if cell not in seen:
            problems.append(error("layout.unit_mismatch", sheet=grid.name, cell=cell_at(*cell), indicator=ind.name,
                                  stated=stated, expected=ind.measure))
            seen.add(cell)
        for slots in cmap.slots.values():
            for slot in [s for s, x in slots.items() if x == c]:
                del slots[slot]
        cmap.unresolved = [u for u in cmap.unresolved if u.col != c]
        cmap.skipped[c] = ("money", cell, col.code)


def check_table_above(grid: Grid, band: Band, figure_cols: set[int], problems: list[Problem]) -> None:
    """Rows of figures above the header: another table on the same sheet (`一、本月完成情况` over
    `二、1-6月累计完成情况`), which would otherwise be read as title lines and lost."""
    rows = [r for r in range(0, band.top) if sum(1 for c in figure_cols if is_number(grid.cell(r, c))) >= 2]
    if len(rows) >= 2:
        problems.append(error("layout.table_above", sheet=grid.name, cell=cell_at(rows[0], 0), header_row=band.head + 1))
    elif rows:  # one line of figures above the header (the year's targets): not this table's
        label = next(((c, v) for c, v in grid.row_texts(rows[0])), (0, ""))
        problems.append(warning("layout.row_above_skipped", sheet=grid.name, cell=cell_at(rows[0], label[0]),
                                text=" ".join(str(label[1]).split())))


_NOTE_HEADERS = ("备注", "说明", "附注", "注")


def figures_outside(grid: Grid, rows: list[int], last_col: int, header_rows: list[int], problems: list[Problem],
                    end: int | None = None) -> None:
    """A number right of the table, under no header or under 备注: a row pasted out of line (its figures
    one column to the right) or a CSV line with more fields than its header. Read as it stands, every
    figure of the row would be wrong; it refuses the file, naming the cell."""
    for r in rows:
        for c in range(last_col + 1, grid.width if end is None else end):
            if not is_number(grid.cell(r, c)) or grid.cell(r, c) in ("-", "—"):
                continue
            header = "".join(grid.text(*grid.top_left(h, c)) for h in header_rows).strip()
            if not header or header.startswith(_NOTE_HEADERS):
                problems.append(error("layout.figure_outside_table", sheet=grid.name, cell=cell_at(r, c),
                                      value=grid.text(r, c)))
                break


def fallback_measure(found: PeriodFound, opts: Options, problems: list[Problem], sheet: str) -> str | None:
    """The measure of columns whose header says neither 本月 nor 累计: what the title says, else
    `--measure`, else January (本月 and 本年累计 are the same figure); None means ask the clerk."""
    said = YTD if found.ytd_said else MONTH if found.month_said else None
    if opts.measure:
        if said and said != opts.measure:
            problems.append(error("layout.measure_conflict", sheet=sheet, option=opts.measure, said=t(f"measure.{said}")))
        return said or opts.measure
    if said:
        return said
    if found.period and periods.month_of(found.period) == 1:
        return YTD
    return None


def check_measure_months(grid: Grid, reads: dict[int, ColumnRead], period: str, problems: list[Problem]) -> None:
    """A header naming a month (`1-5月累计`, `5月`) must name the return's month."""
    month = periods.month_of(period)
    for m, cell in measures_named(reads):
        if m.month != month:
            problems.append(error("layout.range_mismatch", sheet=grid.name, cell=cell_at(*cell),
                                  header=" ".join(grid.text(*cell).split()), period=period, month=month))


_SKIP_KEYS = {SKIP_IGNORED: "layout.column_skipped", SKIP_INCREMENT: "layout.increment_not_level",
              SKIP_QUARTER: "layout.quarter_column_skipped", SKIP_LEVEL_OF_FLOW: "layout.column_skipped",
              SKIP_STOCK_MONTH: "layout.stock_month_ignored", SKIP_UNKNOWN_PART: "layout.unknown_breakdown"}


def warn_set_aside(grid: Grid, cmap: ColumnMap, band: Band, end: int, cat: Catalog, problems: list[Problem]) -> None:
    """One warning for each column set aside that holds figures, with its own header cell (for a
    breakdown the catalog does not know, its 其中 cell, once for all its columns)."""
    seen: set[tuple[str, tuple[int, int]]] = set()
    for c, (why, cell, code) in sorted(cmap.skipped.items()):
        key = _SKIP_KEYS.get(why)
        if key is None or not _has_numbers(grid, c, band.first_data, end):
            continue
        where = cell if why == SKIP_UNKNOWN_PART else _lowest_header_cell(grid, band, c, cell)
        if (key, where) in seen:
            continue
        seen.add((key, where))
        header = grid.text(*where) if why == SKIP_UNKNOWN_PART else _header_text(grid, band, c)
        ind = cat.by_code.get(code)
        problems.append(warning(key, sheet=grid.name, cell=cell_at(*where), header=" ".join(header.split()),
                                indicator=ind.name if ind else ""))


def warn_unmapped_columns(grid: Grid, band: Band, end: int, taken: set, problems: list[Problem]) -> None:
    """Columns with figures that no header explains: warned about with their header cell (the lowest
    one with text, as a merged cell's top left), never stored."""
    for c in range(grid.width):
        if c in taken or not _has_numbers(grid, c, band.first_data, end):
            continue
        header = _header_text(grid, band, c)
        if not header:
            if c < max(taken - {None}, default=-1):  # inside the table: a helper column no header explains
                problems.append(warning("layout.unheaded_column", sheet=grid.name, cell=cell_at(band.head, c)))
            continue
        cell = _lowest_header_cell(grid, band, c, (band.top, c))
        if any(measure_of(p) is not None and measure_of(p).kind == "ignore" for p in header.split(" / ")):
            problems.append(warning("layout.column_skipped", sheet=grid.name, cell=cell_at(*cell), header=header))
        else:
            problems.append(warning("layout.unknown_column", sheet=grid.name, cell=cell_at(*cell), header=header))


def _lowest_header_cell(grid: Grid, band: Band, c: int, default: tuple[int, int]) -> tuple[int, int]:
    """The column's own header cell: the lowest band row with text over it (a merged cell's top left)."""
    return next((tl for r in reversed(band.rows) for tl in [grid.top_left(r, c)] if grid.text(*tl).strip()), default)


def _has_numbers(grid: Grid, c: int, first: int, end: int) -> bool:
    return any(is_number(grid.cell(r, c)) and grid.cell(r, c) not in ("-", "—") for r in range(first, min(end, first + 200)))


def _header_text(grid: Grid, band: Band, c: int) -> str:
    parts: list[str] = []
    for r in band.rows:
        txt = " ".join(grid.text(*grid.top_left(r, c)).split())
        if txt and txt not in parts:
            parts.append(txt)
    return " / ".join(parts)
