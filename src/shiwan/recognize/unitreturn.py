"""A unit return: one unit's figures with the indicators down the rows (`序号 | 指标名称 | 计量单位 | 本月 |
本年累计`), in one block or several side by side (a long form printed in two halves). A header row
may come again lower down with other measures (`本月新增 | 期末数` over the stocks): the rows under it
take its columns. A `其中:女性` row under an indicator is its breakdown; a row the catalog does not
describe is warned about and skipped, wherever it stands; a group heading (`二、职业介绍`) that
happens to be an indicator's alias but holds no figures is passed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.figures import FigureReader
from shiwan.recognize.grid import Grid, cell_at, is_number
from shiwan.recognize.header import is_column_number_row, is_measure_unit_row
from shiwan.recognize.hits import Hit, distinct_by_col
from shiwan.recognize.lines import is_footer, read_lines
from shiwan.recognize.model import FORM_UNIT, Context, FigureIn, Options, ReturnIn
from shiwan.recognize.period import settle_period
from shiwan.recognize.reporter import named_reporter, standing
from shiwan.recognize.sheetchecks import fallback_measure, figures_outside, money_mismatch
from shiwan.recognize.words import (
    IGNORE,
    INCREMENT,
    LEVEL,
    MEASURE_UNIT_HEADERS,
    MONTH,
    QUARTER,
    YTD,
    YTD_INCREMENT,
    Measure,
    measure_of,
)
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.text import normalize_header


@dataclass
class Head:
    """A header row of a block: its measure columns (month | ytd | level | increment -> column), the
    columns it sets aside (上年同期, 本季) and its 计量单位 columns."""

    row: int
    measures: dict[str, int]
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    aside: dict[int, tuple[int, int]] = field(default_factory=dict)
    unit_cols: set[int] = field(default_factory=set)
    named: list[tuple[Measure, tuple[int, int]]] = field(default_factory=list)
    twice: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # (cell, the first's)
    unknown: dict[int, tuple[int, int]] = field(default_factory=dict)  # headed columns no word places
    dated: list[tuple[Measure, int, tuple[int, int]]] = field(default_factory=list)  # `2002年1-12月`: by year

    def settle_years(self, period: str | None) -> None:
        """Columns naming a year: this return's year is its measure, another year's is set aside."""
        for m, c, tl in self.dated:
            if period is not None and m.year != int(period[:4]):
                self.aside[c] = tl
            elif m.kind in self.measures:
                self.twice.append((tl, self.cells[m.kind]))
            else:
                self.measures[m.kind], self.cells[m.kind] = c, tl
        self.dated = []


@dataclass
class Block:
    """One block of indicator rows: its name column, the columns to its right, its header rows and
    its rows of indicators and breakdowns as (row, code, the header it stands under)."""

    ind_col: int
    right: int
    top: int
    heads: list[Head] = field(default_factory=list)
    rows: list[tuple[int, str, Head | None]] = field(default_factory=list)
    two_readings: list[tuple[int, tuple[int, int], str]] = field(default_factory=list)  # (row, group cell, code)

    def head_of(self, r: int) -> Head | None:
        return next((h for h in reversed(self.heads) if h.row < r), None)


def find_blocks(grid: Grid, hits: list[Hit], catalog: Catalog, end: int) -> list[Block]:
    by_col = distinct_by_col(hits)
    best = max(by_col, key=lambda c: (len(by_col[c]), -c))
    cols = sorted(c for c in by_col if len(by_col[c]) >= 2 or c == best)
    blocks = []
    for k, ind_col in enumerate(cols):
        right = cols[k + 1] if k + 1 < len(cols) else grid.width
        first = min(h.r for h in hits if h.c == ind_col)
        b = Block(ind_col, right, first)
        names = {h.r for h in hits if h.c == ind_col}
        above = next((h for r in range(first - 1, max(-1, first - 6), -1) for h in [_head(grid, b, r)] if h), None)
        b.heads = [h for h in [above] if h] + [h for r in range(first + 1, end) if r not in names
                                               for h in [_head(grid, b, r)] if h]
        blocks.append(b)
    for b in blocks:
        _block_rows(grid, b, hits, catalog, end)
    return blocks


def _head(grid: Grid, b: Block, r: int) -> Head | None:
    """The row's measure columns, if it names any (本月 / 本年累计 / 期末数 ...)."""
    head = Head(r, {})
    for c in range(b.ind_col + 1, b.right):
        tl = grid.top_left(r, c)
        if tl[1] != c:
            continue
        m = measure_of(grid.text(*tl))
        if m is None:
            if grid.text(*tl).strip():
                head.unknown[c] = tl
        elif m.kind in (IGNORE, QUARTER):
            head.aside[c] = tl
        elif m.year is not None:
            head.dated.append((m, c, tl))
        elif m.kind in head.measures:
            head.twice.append((tl, head.cells[m.kind]))
        else:
            head.measures[m.kind], head.cells[m.kind] = c, tl
            if m.month is not None:
                head.named.append((m, tl))
    if not head.measures and not head.dated:
        return None
    head.unit_cols = {c for c in range(b.ind_col + 1, b.right)
                      if normalize_header(grid.text(r, c)) in MEASURE_UNIT_HEADERS}
    return head


def _twice(grid: Grid, blocks: list[Block], cat: Catalog, problems: list[Problem]) -> None:
    """Two columns of one measure under one header (`本年累计（原报）| 本年累计（更正后）`): refused, both named,
    never the first taken; a row label with two readings likewise."""
    for b in blocks:
        for r, tl, code in b.two_readings:
            problems.append(error("layout.header_two_readings", sheet=grid.name, cell=cell_at(r, b.ind_col),
                                  upper=grid.text(*tl), name=grid.text(r, b.ind_col), one=cat.by_code[code].name))
        for head in b.heads:
            if any(h is head for _, _, h in b.rows):
                for cell, other in head.twice:
                    problems.append(error("layout.measure_column_twice", sheet=grid.name, cell=cell_at(*cell),
                                          header=" ".join(grid.text(*cell).split()), other=cell_at(*other),
                                          first=" ".join(grid.text(*other).split())))


def _block_rows(grid: Grid, b: Block, hits: list[Hit], catalog: Catalog, end: int) -> None:
    """Indicator rows and breakdown rows (`其中:女性` under its indicator) of the block; of two rows
    naming one indicator, one without any figure is a group heading and is passed over."""
    names = {h.r: h.code for h in hits if h.c == b.ind_col}
    whole = None
    found: list[tuple[int, str, Head | None]] = []
    for r in range(b.top, end):
        head = b.head_of(r)
        if r in names:
            whole = _qualified(grid, b, catalog, r, names[r])
            found.append((r, whole, head))
            continue
        text = grid.text(r, b.ind_col).strip()
        part = catalog.match_part(whole, text) if whole and text else None
        if part:
            found.append((r, part, head))
    by_code: dict[str, list[tuple[int, str, Head | None]]] = {}
    for row in found:
        by_code.setdefault(row[1], []).append(row)
    for code, rows in by_code.items():
        if len(rows) > 1:
            filled = [x for x in rows if _has_figures(grid, x[0], x[2])]
            by_code[code] = filled if filled else rows[:1]
    keep = {id(x) for rows in by_code.values() for x in rows}
    b.rows = [x for x in found if id(x) in keep]


def _qualified(grid: Grid, b: Block, catalog: Catalog, r: int, code: str) -> str:
    """A row label under a group label to its left (`获资质认证` merged down over `职介机构 | 培训机构`):
    the two name the indicator together; a group that is an indicator the row is not part of (`职业培训`
    over `再就业人数`) leaves the row with two readings, noted to be refused."""
    if b.ind_col == 0:
        return code
    tl = grid.top_left(r, b.ind_col - 1)
    text, name = grid.text(*tl), grid.text(r, b.ind_col)
    if not text.strip() or not catalog.qualifies(text):
        return code
    joined = catalog.match_joined(text, name)
    if joined is not None:
        return joined
    over = catalog.match(text)
    if over is not None and over != code and not catalog.is_part_of(code, over) \
            and normalize_header(text) not in normalize_header(name):
        b.two_readings.append((r, tl, code))
    return code


def _has_figures(grid: Grid, r: int, head: Head | None) -> bool:
    cols = head.measures.values() if head else range(0, grid.width)
    return any(grid.cell(r, c) is not None for c in cols)


def parse_unit_return(grid: Grid, hits: list[Hit], ctx: Context, opts: Options, meta: dict[str, str],
                      problems: list[Problem]) -> ReturnIn | None:
    cat = ctx.catalog
    first = min(h.r for h in hits)
    end = _end(grid, max(h.r for h in hits))
    blocks = find_blocks(grid, hits, cat, end)
    tops = [b.heads[0].row if b.heads and b.heads[0].row < b.top else b.top for b in blocks]
    lines = read_lines(grid, range(0, min(tops)), range(end, grid.height))
    found = settle_period(grid, lines, opts, meta)
    problems.extend(found.problems)
    period = found.period
    for head in (h for b in blocks for h in b.heads):
        head.settle_years(period)
    _twice(grid, blocks, cat, problems)
    for b in blocks:
        if not b.heads and not _one_column(grid, b, found, opts, problems):
            return None
        if period:
            _check_month_names(grid, b, period, problems)
    reporter = named_reporter(standing(ctx.units, period), lines, opts, meta, grid.name)
    problems.extend(reporter.problems)
    if reporter.unit is None:
        if not reporter.refused and not any(p.key.startswith("layout.unknown_unit") for p in problems):
            problems.append(error("layout.no_unit", sheet=grid.name))
        return None
    figures = _figures(grid, blocks, cat, reporter.unit.id, period, problems)
    for b in blocks:
        for head in b.heads:
            rows = [r for r, _, h in b.rows if h is head]
            last = max([*head.measures.values(), *head.aside, *head.unit_cols])
            figures_outside(grid, rows, last, [head.row], problems, end=b.right)
    for b in blocks:
        _warn_other_rows(grid, b, end, problems, first)
        _warn_set_aside(grid, b, cat, problems)
    if figures and not any(p.is_error for p in problems) and all(
            grid.cell(r, c) is None for b in blocks for r, _, h in b.rows for c in (h.measures.values() if h else ())):
        problems.append(error("layout.all_blank", sheet=grid.name))
    if period is None:
        return None
    return ReturnIn(FORM_UNIT, reporter.unit.id, period, grid.name, figures, lines.submitted_on)


def _end(grid: Grid, last_hit: int) -> int:
    for r in range(last_hit + 1, grid.height):
        if is_footer(grid, r):
            return r
    return grid.height


def _one_column(grid: Grid, b: Block, found, opts: Options, problems: list[Problem]) -> bool:
    """A block without a 本月 / 累计 header: one column of figures, whose measure the title or
    `--measure` says; more than one is not readable."""
    rows = [r for r, _, _ in b.rows]
    numeric = sorted({c for r in rows for c in range(b.ind_col + 1, b.right) if is_number(grid.cell(r, c))
                      and normalize_header(grid.text(b.top - 1, c)) not in MEASURE_UNIT_HEADERS})
    fallback = fallback_measure(found, opts, problems, grid.name) if len(numeric) == 1 else None
    if len(numeric) == 1 and fallback:
        head = Head(b.top - 1, {fallback: numeric[0]})
        b.heads = [head]
        b.rows = [(r, code, head) for r, code, _ in b.rows]
        return True
    if len(numeric) == 1:
        c = numeric[0]
        head = next((r for r in range(rows[0] - 1, max(-1, rows[0] - 4), -1) if grid.text(r, c).strip()), None)
        cell = (head, c) if head is not None else (rows[0], c)
        problems.append(error("layout.measure_unknown", sheet=grid.name, cell=cell_at(*cell),
                              header=grid.text(*cell) if head is not None else grid.text(rows[0], b.ind_col)))
    else:
        problems.append(error("layout.no_measure_header", sheet=grid.name, cell=cell_at(rows[0], b.ind_col)))
    return False


def _check_month_names(grid: Grid, b: Block, period: str, problems: list[Problem]) -> None:
    month = periods.month_of(period)
    for head in b.heads:
        for m, cell in head.named:
            if m.month != month:
                problems.append(error("layout.range_mismatch", sheet=grid.name, cell=cell_at(*cell),
                                      header=" ".join(grid.text(*cell).split()), period=period, month=month))


def _figures(grid: Grid, blocks: list[Block], cat: Catalog, unit_id: int, period: str | None,
             problems: list[Problem]) -> list[FigureIn]:
    reader = FigureReader(grid, problems)
    january = period is not None and periods.month_of(period) == 1
    figures: list[FigureIn] = []
    seen: dict[str, str] = {}
    for b in blocks:
        for r, code, head in b.rows:
            ind = cat.by_code[code]
            if code in seen:
                problems.append(error("layout.indicator_twice", sheet=grid.name, cell=cell_at(r, b.ind_col),
                                      indicator=ind.name, other=seen[code]))
                continue
            seen[code] = cell_at(r, b.ind_col)
            if head is None:
                continue
            for uc in head.unit_cols:
                stated = money_mismatch(f"({grid.text(r, uc).strip()})", ind)
                if stated:
                    problems.append(error("layout.unit_mismatch", sheet=grid.name, cell=cell_at(r, uc),
                                          indicator=ind.name, stated=stated, expected=ind.measure))
            fig = reader.figure(unit_id, ind, _row_cells(grid, r, ind.kind, head.measures), CHANNEL_OWN, january)
            if fig is not None:
                figures.append(fig)
    return figures


def _row_cells(grid: Grid, r: int, kind: str, measures: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The cells of one indicator's row. A stock's level is its 期末 column, else its 累计 column, else
    its 本月 column (or a cell merged over both) — never a 本月新增 column."""
    if kind == "stock":
        c = measures.get(LEVEL, measures.get(YTD))
        month = measures.get(MONTH)
        if month is not None and (c is None or (grid.cell(r, c) is None and (
                grid.cell(r, month) is not None or grid.top_left(r, month) != (r, month)))):
            c = month
        return {"ytd": (r, c)} if c is not None else {}
    cells = {}
    month = measures.get(MONTH, measures.get(INCREMENT))
    if month is not None:
        cells["month"] = (r, month)
    ytd = measures.get(YTD, measures.get(YTD_INCREMENT))
    if ytd is not None:
        cells["ytd"] = (r, ytd)
    return cells


def _warn_other_rows(grid: Grid, b: Block, end: int, problems: list[Problem], first: int) -> None:
    """Rows of the block that name no indicator (nor a breakdown of one) but hold figures."""
    known = {r for r, _, _ in b.rows} | {h.row for h in b.heads}
    start = (b.heads[0].row + 1) if b.heads and b.heads[0].row < b.top else first
    for r in range(start, end):
        head = b.head_of(r)
        if r in known or head is None or is_column_number_row(grid, r) or is_measure_unit_row(grid, r):
            continue
        text = grid.text(r, b.ind_col).strip()
        if text and any(is_number(grid.cell(r, c)) for c in head.measures.values()):
            key = "layout.unknown_breakdown_row" if text.startswith("其中") else "layout.unknown_row"
            problems.append(warning(key, sheet=grid.name, cell=cell_at(r, b.ind_col), text=" ".join(text.split())))


def _warn_set_aside(grid: Grid, b: Block, cat: Catalog, problems: list[Problem]) -> None:
    """Columns with figures that are not this return's (上年同期, 本季), and a stock's 本月新增 column
    (an increment, never its level)."""
    for head in b.heads:
        rows = [r for r, _, h in b.rows if h is head]
        for c, cell in [*head.aside.items(), *((c, t) for c, t in head.unknown.items() if c not in head.unit_cols)]:
            if any(is_number(grid.cell(r, c)) for r in rows):
                m = measure_of(grid.text(*cell))
                key = "layout.quarter_column_skipped" if m and m.kind == QUARTER else "layout.column_skipped"
                problems.append(warning(key, sheet=grid.name, cell=cell_at(*cell),
                                        header=" ".join(grid.text(*cell).split()), indicator=""))
        c = head.measures.get(INCREMENT, head.measures.get(YTD_INCREMENT))
        stocks = [code for r, code, h in b.rows if h is head and c is not None and cat.by_code[code].kind == "stock"
                  and is_number(grid.cell(r, c))]
        if stocks:
            cell = head.cells.get(INCREMENT) or head.cells[YTD_INCREMENT]
            problems.append(warning("layout.increment_not_level", sheet=grid.name, cell=cell_at(*cell),
                                    header=" ".join(grid.text(*cell).split()), indicator=cat.by_code[stocks[0]].name))
