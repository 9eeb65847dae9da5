"""A summary: units down the rows, indicators across the columns (a city summary, a province summary,
or one unit's figures in a row). The passes, in order: header band, columns, label columns, the lines
around the table, period, reporter, rows, units, figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.columns import ColumnMap, fit_to_period, map_columns, read_columns, resolve_measures
from shiwan.recognize.figures import FigureReader
from shiwan.recognize.grid import Grid, cell_at, is_number
from shiwan.recognize.header import Band, find_band
from shiwan.recognize.hits import Hit
from shiwan.recognize.lines import read_lines, table_end
from shiwan.recognize.model import FORM_SUMMARY, Context, Options, ReturnIn, TotalIn
from shiwan.recognize.period import settle_period
from shiwan.recognize.reporter import named_reporter, standing
from shiwan.recognize.rows import classify_rows, find_label_columns, find_row_measure_column
from shiwan.recognize.sheetchecks import (
    check_measure_months,
    check_money_units,
    check_table_above,
    fallback_measure,
    figures_outside,
    warn_set_aside,
    warn_unmapped_columns,
)
from shiwan.recognize.unitrows import UnitRows, resolve_rows
from shiwan.recognize.words import TOTAL
from shiwan.ref import periods
from shiwan.ref.text import arabic_dates


@dataclass
class _Layout:
    """What the header says, once the period is known: the columns, the label columns, and whether
    each unit comes in two rows (本月, 本年累计) with a 项目 column saying which."""

    band: Band
    cmap: ColumnMap
    end: int
    unit_col: int | None
    serial_col: int | None
    row_measure_col: int | None = None
    own_rows: bool = False
    waiting: list = field(default_factory=list)  # columns whose measure nothing says (refused)


def parse_summary(grid: Grid, hits: list[Hit], ctx: Context, opts: Options, meta: dict[str, str],
                  problems: list[Problem]) -> ReturnIn | None:
    band = find_band(grid, hits, ctx.catalog)
    end = table_end(grid, band.first_data)
    lines = read_lines(grid, range(0, band.top), range(end, grid.height))
    found = settle_period(grid, lines, opts, meta)
    problems.extend(found.problems)
    period = found.period
    units = standing(ctx.units, period)
    lay = _layout(grid, band, end, hits, ctx.catalog, found, opts, units, problems)
    reporter = named_reporter(units, lines, opts, meta, grid.name)
    problems.extend(reporter.problems)
    figure_cols = lay.cmap.mapped | {c.col for c in lay.waiting}
    rows = classify_rows(grid, band, end, lay.unit_col, figure_cols, {h.r for h in hits}, lay.row_measure_col,
                         lay.own_rows)
    problems.extend(rows.problems)
    if reporter.refused:
        return None
    rows.rows = _drop_other_months(grid, rows.rows, period, lay.unit_col or 0, problems)
    if figure_cols:
        figures_outside(grid, [r.r for r in rows.rows if r.state == "data"],
                        max(figure_cols | set(lay.cmap.skipped)), band.rows, problems)
    unit_rows = resolve_rows(grid, rows.rows, reporter.unit, units, lay.unit_col, problems)
    if unit_rows is None:
        return None
    _drop_unfilled_halves(grid, lay.cmap, unit_rows, ctx.catalog)
    ret = _figures(grid, lay.cmap, unit_rows, ctx, period, lay.row_measure_col is not None, problems)
    if ret is None or period is None:
        return None
    ret.period = period
    ret.submitted_on = lines.submitted_on
    return ret


def _layout(grid: Grid, band: Band, end: int, hits: list[Hit], cat, found, opts: Options, units,
            problems: list[Problem]) -> _Layout:
    """Columns, label columns and measures, and every problem of the header itself."""
    reads = read_columns(grid, band, hits, cat)
    for col in reads.values():
        if col.qualifier is not None:
            problems.append(error("layout.header_two_readings", sheet=grid.name, cell=cell_at(*col.name_cell),
                                  upper=grid.text(*col.qualifier), name=grid.text(*col.name_cell),
                                  one=cat.by_code[col.code].name))
    first_col = min(reads) if reads else 0
    fit_to_period(grid, reads, found.period, found.quarter)
    cmap = map_columns(reads, cat)
    lay = _Layout(band, cmap, end, *find_label_columns(grid, band, first_col, units))
    check_table_above(grid, band, cmap.mapped | {c.col for c in cmap.unresolved}, problems)
    check_money_units(grid, cmap, band, cat, problems)
    for col, other in cmap.duplicates:
        problems.append(error("layout.duplicate_column", sheet=grid.name, cell=cell_at(*col.name_cell),
                              indicator=cat.by_code[col.code].name, other=cell_at(col.name_cell[0], other)))
    if cmap.unresolved:
        _rows_say_the_measure(grid, lay, first_col)
    lay.waiting = resolve_measures(cmap, fallback_measure(found, opts, problems, grid.name) if cmap.unresolved
                                   else None, cat)
    if lay.waiting:
        col = lay.waiting[0]
        problems.append(error("layout.measure_unknown", sheet=grid.name, cell=cell_at(*col.name_cell),
                              header=grid.text(*col.name_cell)))
    if found.period:
        check_measure_months(grid, reads, found.period, problems)
    warn_set_aside(grid, cmap, band, end, cat, problems)
    warn_unmapped_columns(grid, band, end, cmap.mapped | set(cmap.skipped) | {lay.unit_col, lay.serial_col,
                          lay.row_measure_col} | {c.col for c in lay.waiting}, problems)
    return lay


def _rows_say_the_measure(grid: Grid, lay: _Layout, first_col: int) -> None:
    """Each unit in two rows, 本月 then 本年累计, a 项目 column saying which (or, for one unit's own
    figures, the rows labelled so with no unit column at all)."""
    band, end, cmap = lay.band, lay.end, lay.cmap
    lay.row_measure_col = find_row_measure_column(grid, band.first_data, end, {lay.unit_col, lay.serial_col}, first_col)
    if lay.row_measure_col is None and lay.unit_col is not None and \
            find_row_measure_column(grid, band.first_data, end, {lay.serial_col}, lay.unit_col + 1) == lay.unit_col:
        lay.row_measure_col, lay.unit_col, lay.own_rows = lay.unit_col, None, True
    if lay.row_measure_col is not None:
        for col in cmap.unresolved:
            cmap.slots.setdefault(col.code, {})["by_row"] = col.col
        cmap.unresolved = []


def _drop_other_months(grid: Grid, rows: list, period: str | None, unit_col: int, problems: list[Problem]) -> list:
    """A total left over from another month (`8月份合计` under a September table): not this table's."""
    if period is None:
        return rows
    keep = []
    for row in rows:
        m = _MONTH_IN_LABEL.search(arabic_dates(row.written))
        if row.kind == TOTAL and m and int(m.group(1)) != periods.month_of(period):
            problems.append(warning("layout.other_period_row", sheet=grid.name, cell=cell_at(row.r, unit_col),
                                    text=row.written, period=period))
            continue
        keep.append(row)
    return keep


_MONTH_IN_LABEL = re.compile(r"(?<!\d)(\d{1,2})月")


def _drop_unfilled_halves(grid: Grid, cmap: ColumnMap, unit_rows: UnitRows, cat) -> None:
    """A flow with 本月 and 本年累计 columns of which only one was filled in: the other is not reported,
    not zero."""
    data_rows = [r.r for r in unit_rows.rows]
    for code, slots in cmap.slots.items():
        if cat.by_code[code].kind != "flow" or "month" not in slots or "ytd" not in slots:
            continue
        blank = {k: all(grid.cell(r, slots[k]) is None for r in data_rows) for k in ("month", "ytd")}
        for k, other in (("month", "ytd"), ("ytd", "month")):
            if blank[k] and not blank[other]:
                del slots[k]
                break


def _figures(grid: Grid, cmap: ColumnMap, unit_rows: UnitRows, ctx: Context, period: str | None, by_row: bool,
             problems: list[Problem]) -> ReturnIn | None:
    cat = ctx.catalog
    reader = FigureReader(grid, problems)
    january = period is not None and periods.month_of(period) == 1
    ret = ReturnIn(FORM_SUMMARY, unit_rows.reporter.id, period or "", grid.name, [])
    for row in unit_rows.rows:
        rows = unit_rows.pairs.get(row.r, {"": row.r}) if by_row else {"": row.r}
        for code, slots in cmap.slots.items():
            ind = cat.by_code[code]
            cells = _cells(slots, rows, ind.kind, grid)
            if ind.kind == "stock" and _level_on_month_row(grid, slots, rows, cells, problems):
                continue
            fig = reader.figure(row.unit_id, ind, cells, row.channel, january)
            if fig:
                ret.figures.append(fig)
    for row in unit_rows.not_reported:
        ret.not_reported.append(row.unit_id)
        problems.append(warning("layout.not_reported_row", sheet=grid.name, cell=cell_at(row.r, unit_rows.unit_col),
                                unit=row.name))
    if not unit_rows.unresolved:  # with a row left out, a 合计 that adds up would look wrong: say it once
        ret.totals = _totals(grid, cmap, unit_rows, reader, cat, by_row)
    if not ret.figures and not any(p.is_error for p in problems):
        if unit_rows.not_reported:
            problems.append(error("layout.nothing_reported", sheet=grid.name))
        else:
            problems.append(error("layout.no_rows", sheet=grid.name))
    return ret


def _cells(slots: dict[str, int], rows: dict[str, int], kind: str, grid: Grid) -> dict[str, tuple[int, int]]:
    """The cells of one figure: its columns on the unit's row, or (units in two rows) its one column
    on the 本月 row and on the 本年累计 row; a stock's level merged down over both rows is the merged
    cell."""
    if "by_row" not in slots:
        r = rows.get("ytd", max(rows.values()))
        out = {slot: (r, c) for slot, c in slots.items()}
    else:
        c = slots["by_row"]
        out = {}
        for m, r in rows.items():
            slot = m or "ytd"
            if kind == "stock" and slot == "month" and "ytd" in rows:
                continue
            out["ytd" if kind == "stock" else slot] = (r, c)
    if kind == "stock" and "month" in rows and "ytd" in out:
        r, c = out["ytd"]
        if grid.merge(r, c) is not None and grid.top_left(r, c) == (rows["month"], c):
            out["ytd"] = (rows["month"], c)  # one level merged over the unit's 本月 and 累计 rows
    return out


def _level_on_month_row(grid: Grid, slots: dict[str, int], rows: dict[str, int], cells: dict,
                        problems: list[Problem]) -> bool:
    """A stock whose figure stands only on the unit's 本月 row, its 累计 row blank: whether that is the
    level or the month's increment is not said; refused naming the cell, never a level of 0."""
    c = slots.get("by_row", slots.get("ytd"))
    if c is None or "month" not in rows or "ytd" not in rows or cells.get("ytd") != (rows["ytd"], c):
        return False
    if grid.cell(rows["ytd"], c) is not None or not is_number(grid.cell(rows["month"], c)):
        return False
    problems.append(error("layout.stock_on_month_row", sheet=grid.name, cell=cell_at(rows["month"], c),
                          other=cell_at(rows["ytd"], c)))
    return True


def _totals(grid: Grid, cmap: ColumnMap, unit_rows: UnitRows, reader: FigureReader, cat, by_row: bool) -> list[TotalIn]:
    """Each 合计 row as written, with the units it adds up: a 合计 between unit rows with another total
    after it adds up the rows since the one before (鸡西's districts, then 总计 of everything); any
    other adds up the whole table."""
    out = []
    everyone = [u.unit_id for u in unit_rows.rows]
    totals = sorted(unit_rows.totals, key=lambda t: t.r)
    for n, total in enumerate(totals):
        since = totals[n - 1].r if n else -1
        group = [u.unit_id for u in unit_rows.rows if since < u.r < total.r]
        members = group if group and n < len(totals) - 1 and len(group) < len(everyone) else everyone
        rows = unit_rows.pairs.get(total.r, {"": total.r}) if by_row else {"": total.r}
        cells = {}
        for code, slots in cmap.slots.items():
            for slot, cell in _cells(slots, rows, cat.by_code[code].kind, grid).items():
                cells[(code, slot)] = cell
        out.append(reader.total(total.written, cells, cat, members))
    return out


__all__ = ["Band", "parse_summary"]
