"""A summary turned on its side: indicators down the rows, units across the columns (`指标 | 合计 |
市本级 | 道里区 | …`), with or without a second header row of 本月 / 本年累计 under each unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.figures import FigureReader
from shiwan.recognize.grid import Grid, cell_at, is_number, text_of
from shiwan.recognize.hits import Hit, distinct_by_col
from shiwan.recognize.lines import is_footer, read_lines
from shiwan.recognize.model import FORM_SUMMARY, Context, Options, ReturnIn, TotalIn
from shiwan.recognize.period import settle_period
from shiwan.recognize.reporter import named_reporter, standing
from shiwan.recognize.rows import BLANK as ROW_BLANK
from shiwan.recognize.rows import DATA, RowRead
from shiwan.recognize.sheetchecks import fallback_measure
from shiwan.recognize.unitrows import UnitRows, resolve_rows
from shiwan.recognize.words import (
    MEASURE_UNIT_HEADERS,
    MONTH,
    SERIAL_HEADERS,
    TOTAL,
    UNIT,
    YTD,
    measure_of,
    row_word,
    says_not_reported,
)
from shiwan.ref import periods
from shiwan.ref.text import normalize_header, normalize_unit_name, squash

MIN_UNIT_COLUMNS = 2


@dataclass
class Across:
    """The header of a transposed table: the row naming the units, the row of measures under it (if
    any), and for each figure column its unit label and measure."""

    unit_row: int
    measure_row: int | None
    columns: dict[int, tuple[tuple[int, int], str | None]] = field(default_factory=dict)  # col -> (label cell, measure)
    row_measures: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)  # (row, code) -> {measure: row}
    set_aside: list[tuple[int, int]] = field(default_factory=list)  # cells of rows of another measure (上年同期)


def _rows_by_measure(grid: Grid, rows: list[tuple[int, str]], ind_col: int,
                     across: Across) -> tuple[list[tuple[int, str]], dict[tuple[int, str], dict[str, int]]] | None:
    """A 项目 column beside the indicator names saying 本月 / 本年累计 for each row (`实现再就业人数 | 本月`,
    then `实现再就业人数 | 本年累计`): each indicator's rows by measure, the column no unit's. None when
    there is no such column."""
    for c in sorted(across.columns):
        said = [measure_of(grid.text(r, c)) for r, _ in rows]
        if not said or sum(1 for m in said if m is not None) * 2 < len(said):
            continue
        del across.columns[c]
        out: list[tuple[int, str]] = []
        by: dict[tuple[int, str], dict[str, int]] = {}
        first: dict[str, tuple[int, str]] = {}
        for (r, code), m in zip(rows, said, strict=True):
            if m is None or m.kind not in (MONTH, YTD, "level"):
                across.set_aside.append((r, c))  # 上年同期 and the like: not this return's
                continue
            key = first.setdefault(code, (r, code))
            if key == (r, code):
                out.append(key)
            by.setdefault(key, {}).setdefault(m.kind, r)
        return out, by
    return None


def looks_transposed(grid: Grid, hits: list[Hit], ctx: Context) -> bool:
    return _across(grid, hits, ctx) is not None


def _indicator_column(hits: list[Hit]) -> int:
    by_col = distinct_by_col(hits)
    return max(by_col, key=lambda c: (len(by_col[c]), -c))


def _across(grid: Grid, hits: list[Hit], ctx: Context) -> Across | None:
    ind_col = _indicator_column(hits)
    first = min(h.r for h in hits if h.c == ind_col)
    for r in range(first - 1, max(-1, first - 5), -1):
        labels = [(c, v) for c, v in grid.row_texts(r) if c > ind_col and _names_a_unit(v, ctx)]
        if len(labels) >= MIN_UNIT_COLUMNS:
            return _columns(grid, r, first, ind_col)
    return None


def _names_a_unit(text: str, ctx: Context) -> bool:
    label = normalize_unit_name(text)
    if not label or measure_of(text) is not None:
        return False
    if row_word(squash(text), label) != UNIT:
        return True
    res = ctx.units.resolve(label)
    return res.unit is not None or bool(res.candidates)


def _columns(grid: Grid, unit_row: int, first: int, ind_col: int) -> Across:
    measure_row = next((r for r in range(unit_row + 1, first)
                        if any(measure_of(v) is not None for _, v in grid.row_texts(r))), None)
    out = Across(unit_row, measure_row)
    for c in range(ind_col + 1, grid.width):
        label = grid.spanning(unit_row, c) if measure_row is not None else grid.top_left(unit_row, c)
        text = grid.text(*label)
        if not text.strip() or normalize_header(text) in MEASURE_UNIT_HEADERS | SERIAL_HEADERS:
            continue
        m = measure_of(grid.text(*grid.top_left(measure_row, c))) if measure_row is not None else None
        if measure_row is not None and m is None:
            continue
        out.columns[c] = (label, m.kind if m else None)
    return out


def parse_transposed(grid: Grid, hits: list[Hit], ctx: Context, opts: Options, meta: dict[str, str],
                     problems: list[Problem]) -> ReturnIn | None:
    across = _across(grid, hits, ctx)
    assert across is not None
    ind_col = _indicator_column(hits)
    rows = _indicator_rows(grid, hits, ind_col, ctx)
    every_row = {r for r, _ in rows}
    measured = _rows_by_measure(grid, rows, ind_col, across)
    if measured is not None:
        rows, across.row_measures = measured
    end = next((r for r in range(max(r for r, _ in rows) + 1, grid.height) if is_footer(grid, r)), grid.height)
    lines = read_lines(grid, range(0, across.unit_row), range(end, grid.height))
    found = settle_period(grid, lines, opts, meta)
    problems.extend(found.problems)
    period = found.period
    fallback = None
    if any(m is None for _, m in across.columns.values()):
        fallback = fallback_measure(found, opts, problems, grid.name)
    units = standing(ctx.units, period)
    reporter = named_reporter(units, lines, opts, meta, grid.name)
    problems.extend(reporter.problems)
    if reporter.refused:
        return None
    groups = _unit_groups(grid, across, rows)
    unit_rows = resolve_rows(grid, [g for g, _ in groups], reporter.unit, units, None, problems,
                             cell_of=lambda c: cell_at(across.unit_row, c))
    if unit_rows is None or period is None:
        return None
    cols_of = {g.r: cols for g, cols in groups}
    _warn_other_rows(grid, every_row, ind_col, across, end, problems)
    return _read(grid, across, rows, unit_rows, cols_of, ctx, period, fallback, lines, problems)


def _warn_other_rows(grid: Grid, known: set[int], ind_col: int, across: Across, end: int,
                     problems: list[Problem]) -> None:
    """A row of figures whose label names no indicator or breakdown the catalog knows (`其中:大中专毕业生`),
    or whose 项目 says it is not this return's (上年同期): warned about with its cell, never stored."""
    for r, c in across.set_aside:
        if any(is_number(grid.cell(r, x)) for x in across.columns):
            problems.append(warning("layout.row_skipped", sheet=grid.name, cell=cell_at(r, c), text=grid.text(r, c)))
    for r in range(across.unit_row + 1, end):
        text = grid.text(r, ind_col).strip()
        if r in known or not text or not any(is_number(grid.cell(r, c)) for c in across.columns):
            continue
        key = "layout.unknown_breakdown_row" if text.startswith("其中") else "layout.unknown_row"
        problems.append(warning(key, sheet=grid.name, cell=cell_at(r, ind_col), text=" ".join(text.split())))


def _indicator_rows(grid: Grid, hits: list[Hit], ind_col: int, ctx: Context) -> list[tuple[int, str]]:
    """(row, indicator or breakdown code) down the indicator column."""
    names = {h.r: h.code for h in hits if h.c == ind_col}
    out, whole = [], None
    for r in range(min(names), max(names) + 3):
        tl = grid.top_left(r, ind_col)
        if r in names or (tl != (r, ind_col) and tl[0] in names):
            whole = names.get(r, names.get(tl[0]))
            out.append((r, whole))
            continue
        part = ctx.catalog.match_part(whole, grid.text(r, ind_col)) if whole else None
        if part:
            out.append((r, part))
    return out


def _measured_cells(kind: str, measures: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """A figure's cells where each measure is a row of its own: a flow's 本月 and 累计 rows; a stock's
    level row (期末 / 累计), else its only row."""
    if kind == "stock":
        cell = measures.get("level", measures.get(YTD))
        if cell is None and list(measures) == [MONTH]:
            cell = measures[MONTH]
        return {"ytd": cell} if cell is not None else {}
    return {slot: measures[m] for slot, m in (("month", MONTH), ("ytd", YTD)) if m in measures}


def _unit_groups(grid: Grid, across: Across, rows: list[tuple[int, str]]) -> list[tuple[RowRead, dict[str | None, int]]]:
    """One entry per unit label across the top: a RowRead (its column as `r`) and its columns by measure."""
    groups: dict[tuple[int, int], dict[str | None, int]] = {}
    for c, (label, m) in across.columns.items():
        groups.setdefault(label, {})[m] = c
    out = []
    for (lr, lc), cols in groups.items():
        raw = grid.text(lr, lc)
        cells = [grid.cell(r, c) for r, _ in rows for c in cols.values()]
        texts = [text_of(v) for v in cells if v is not None]
        state = "not_reported" if any(says_not_reported(t) for t in texts) else DATA if texts else ROW_BLANK
        out.append((RowRead(lc, row_word(squash(raw), normalize_unit_name(raw)), normalize_unit_name(raw), squash(raw),
                            state), cols))
    return out


def _read(grid: Grid, across: Across, rows, unit_rows: UnitRows, cols_of, ctx: Context, period: str,
          fallback: str | None, lines, problems: list[Problem]) -> ReturnIn | None:
    cat = ctx.catalog
    reader = FigureReader(grid, problems)
    january = periods.month_of(period) == 1
    ret = ReturnIn(FORM_SUMMARY, unit_rows.reporter.id, period, grid.name, [], lines.submitted_on)

    def cells_of(r: int, code: str, cols: dict[str | None, int]) -> dict[str, tuple[int, int]] | None:
        """A flow's 本月 and 累计 cells; a stock's level: its 期末 / 累计 cell, else its only cell."""
        by_row = across.row_measures.get((r, code))
        if by_row is not None and list(cols) == [None]:
            measures = {m: (row, cols[None]) for m, row in by_row.items()}
            return _measured_cells(cat.by_code[code].kind, measures)
        measures = {(m or fallback): c for m, c in cols.items()}
        if None in measures:
            return None
        if cat.by_code[code].kind == "stock":
            c = measures.get("level", measures.get(YTD))
            if c is None and len(measures) == 1 and MONTH in measures:
                c = measures[MONTH]
            return {"ytd": (r, c)} if c is not None else {}
        out = {}
        month = measures.get(MONTH, measures.get("increment"))
        if month is not None:
            out["month"] = (r, month)
        ytd = measures.get(YTD, measures.get("ytd_increment"))
        if ytd is not None:
            out["ytd"] = (r, ytd)
        return out

    unknown = False
    for u in unit_rows.rows:
        for r, code in rows:
            cells = cells_of(r, code, cols_of[u.r])
            if cells is None:
                unknown = True
                continue
            fig = reader.figure(u.unit_id, cat.by_code[code], cells, u.channel, january)
            if fig:
                ret.figures.append(fig)
    if unknown:
        problems.append(error("layout.measure_unknown", sheet=grid.name, cell=cell_at(across.unit_row, min(across.columns)),
                              header=grid.text(across.unit_row, min(across.columns))))
    for u in unit_rows.not_reported:
        ret.not_reported.append(u.unit_id)
        problems.append(warning("layout.not_reported_row", sheet=grid.name, cell=cell_at(across.unit_row, u.r),
                                unit=u.name))
    members = [u.unit_id for u in unit_rows.rows]
    for t in unit_rows.totals if not unit_rows.unresolved else []:
        cells = {}
        for r, code in rows:
            for slot, cell in (cells_of(r, code, cols_of[t.r]) or {}).items():
                cells[(code, slot)] = cell
        ret.totals.append(reader.total(t.written, cells, cat, members))
    if not ret.figures and not any(p.is_error for p in problems):
        problems.append(error("layout.no_rows", sheet=grid.name))
    return ret


__all__ = ["TOTAL", "TotalIn", "is_number", "looks_transposed", "parse_transposed"]
