"""Mapping the columns of a table with indicators across to (indicator, 本月 | 本年累计).

Each column under the header band is read top to bottom: the indicator over it (a merged name, or the
name to its left in a file that keeps no merges), a breakdown (`其中:女性`) under or beside it, and
the measure its sub-header names (`本月`, `截至本月累计`, `1-6月`, `期末数`), else the one written
above the names, else the one in the name's own cell. Columns that hold no figure of this period
(`上年同期`, `计划`, `完成%`, `本季`, a stock's `本月新增`) are set aside with a warning; a column whose
measure nothing says waits for the title or `--measure`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.recognize.grid import Grid
from shiwan.recognize.header import Band
from shiwan.recognize.hits import Hit
from shiwan.recognize.words import (
    IGNORE,
    INCREMENT,
    LEVEL,
    MONTH,
    QUARTER,
    YTD,
    YTD_INCREMENT,
    Measure,
    measure_of,
)
from shiwan.ref.catalog import Catalog
from shiwan.ref.text import normalize_header

# why a column was set aside (the warning it gets when it holds numbers)
SKIP_IGNORED = "ignored"  # 上年同期, 计划, 完成%
SKIP_INCREMENT = "increment"  # a stock's 本月新增: not its level
SKIP_QUARTER = "quarter"  # 本季: not one month's figure
SKIP_LEVEL_OF_FLOW = "level_of_flow"  # 期末数 over a flow
SKIP_STOCK_MONTH = "stock_month"  # a stock's 本月 beside its level
SKIP_UNKNOWN_PART = "unknown_part"  # 其中:… that the catalog does not describe


@dataclass
class ColumnRead:
    """What the header says about one column."""

    col: int
    code: str  # the indicator, or the breakdown (`reemployed.female`)
    whole: str  # the indicator it belongs to (itself when not a breakdown)
    name_cell: tuple[int, int]  # the header cell naming the indicator
    measure: Measure | None = None
    measure_cell: tuple[int, int] | None = None
    part_header: tuple[int, int] | None = None  # the 其中 cell, for a breakdown
    unknown_part: tuple[int, int] | None = None  # 其中:… the catalog does not know
    qualifier: tuple[int, int] | None = None  # a header piece over the name that makes it another indicator


@dataclass
class ColumnMap:
    """Indicator -> {'month' | 'ytd': column}; columns set aside, with why; columns waiting for a measure."""

    slots: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[int, tuple[str, tuple[int, int], str]] = field(default_factory=dict)  # col -> (why, cell, code)
    unresolved: list[ColumnRead] = field(default_factory=list)
    reads: dict[int, ColumnRead] = field(default_factory=dict)
    duplicates: list[tuple[ColumnRead, int]] = field(default_factory=list)  # (column, the one it repeats)

    @property
    def mapped(self) -> set[int]:
        return {c for s in self.slots.values() for c in s.values()}


def read_columns(grid: Grid, band: Band, hits: list[Hit], catalog: Catalog) -> dict[int, ColumnRead]:
    """Every column under the band that an indicator (or a breakdown of one) covers."""
    names = _name_per_column(grid, band, hits)
    reads: dict[int, ColumnRead] = {}
    for c in sorted(names):
        code, cell = names[c]
        col = ColumnRead(c, code, code, cell)
        _read_qualifier(grid, band, catalog, col)
        _read_below(grid, band, catalog, col)
        if col.measure is None:
            _read_above(grid, band, col)
        if col.measure is None:
            col.measure = next((h.measure for h in hits if (h.r, h.c) == cell and h.measure), None)
            if col.measure:
                col.measure_cell = cell
        reads[c] = col
    _parts_beside(grid, band, catalog, names, reads)
    _parts_inherit_measures(reads)
    return reads


def _name_per_column(grid: Grid, band: Band, hits: list[Hit]) -> dict[int, tuple[str, tuple[int, int]]]:
    """column -> (indicator, its name cell): the lowest name in the band covering the column; in files
    without merges, a column with a sub-header but no name takes the name to its left."""
    names: dict[int, tuple[str, tuple[int, int]]] = {}
    for h in sorted(hits, key=lambda h: h.r):
        if band.top <= h.r <= band.bottom:
            for j in grid.columns_of(h.r, h.c):
                names[j] = (h.code, grid.top_left(h.r, h.c))
    below = [r for r in band.rows if r > min((cell[0] for _, cell in names.values()), default=band.head)]
    for c in range(grid.width):
        if c in names or not any(grid.text(r, c).strip() for r in below):
            continue
        left = names.get(c - 1)
        if left and grid.cell(left[1][0], c) is None and grid.merge(left[1][0], c) is None:
            names[c] = left
    return names


def _read_below(grid: Grid, band: Band, catalog: Catalog, col: ColumnRead) -> None:
    """Sub-headers under the name: a measure (lowest wins), a breakdown of the indicator."""
    for r in band.rows:
        if r <= col.name_cell[0]:
            continue
        tl = grid.top_left(r, col.col)
        text = grid.text(*tl)
        if not text.strip():
            continue
        m = measure_of(text)
        if m is not None:
            col.measure, col.measure_cell = m, tl
            continue
        part = catalog.match_part(col.whole, text)
        if part:
            col.code, col.part_header = part, tl
        elif catalog.names_part(text):
            col.unknown_part = tl


def _read_qualifier(grid: Grid, band: Band, catalog: Catalog, col: ColumnRead) -> None:
    """A header piece over the name that begins a longer indicator name (`培训后实现` over `再就业人数`,
    `获资质认证` over `职介机构`): the two pieces name that indicator together; where they name none and
    the piece is an indicator the name is not part of (`职业培训` over `再就业人数`), the column has two
    readings and is marked to be refused."""
    for r in band.rows:
        if r >= col.name_cell[0]:
            break
        tl = grid.spanning(r, col.col)
        text = grid.text(*tl)
        if not text.strip() or measure_of(text) is not None or not catalog.qualifies(text):
            continue
        joined = catalog.match_joined(text, grid.text(*col.name_cell))
        if joined is not None:
            col.code = col.whole = joined
            return
        over, name = catalog.match(text), grid.text(*col.name_cell)
        if over is not None and over != col.code and not catalog.is_part_of(col.code, over) \
                and normalize_header(text) not in normalize_header(name):
            col.qualifier = tl
        return


def _read_above(grid: Grid, band: Band, col: ColumnRead) -> None:
    """本月 / 本年累计 written over the names beneath them."""
    for r in band.rows:
        if r >= col.name_cell[0]:
            break
        tl = grid.spanning(r, col.col)
        m = measure_of(grid.text(*tl))
        if m is not None:
            col.measure, col.measure_cell = m, tl


def _parts_beside(grid: Grid, band: Band, catalog: Catalog, names: dict, reads: dict[int, ColumnRead]) -> None:
    """`实现再就业人数 | 其中:女性`: a breakdown in the name row, beside its indicator rather than under it."""
    for c in range(grid.width):
        if c in names:
            continue
        for r in band.rows:
            tl = grid.top_left(r, c)
            text = grid.text(*tl)
            if not text.strip():
                continue
            whole = _whole_to_the_left(reads, c)
            if whole is None:
                break
            part = catalog.match_part(whole.whole, text)
            if part is None and not (catalog.names_part(text) and text.strip().startswith("其中")):
                continue
            for j in _covered(grid, band, tl, names, reads):
                col = ColumnRead(j, part or whole.whole, whole.whole, whole.name_cell, part_header=tl if part else None,
                                 unknown_part=None if part else tl)
                _read_below(grid, Band([x for x in band.rows if x >= r], r, band.first_data), catalog, col)
                if part:
                    col.code = part
                reads[j] = col
            break


def _covered(grid: Grid, band: Band, tl: tuple[int, int], names: dict, reads: dict) -> list[int]:
    """The columns a breakdown's header covers: its merged range; where the file keeps no merges
    (CSV, .ods), also the columns right of it that are empty in its row but have a sub-header below."""
    r, c = tl
    cols = [j for j in grid.columns_of(r, c) if j not in reads and j not in names]
    if grid.merge(r, c) is None:
        below = [x for x in band.rows if x > r]
        j = c + 1
        while j < grid.width and j not in names and j not in reads and not grid.text(r, j).strip() \
                and any(measure_of(grid.text(x, j)) is not None for x in below):
            cols.append(j)
            j += 1
    return cols


def _whole_to_the_left(reads: dict[int, ColumnRead], c: int) -> ColumnRead | None:
    for j in range(c - 1, -1, -1):
        if j in reads:
            return reads[j]
    return None


def _parts_inherit_measures(reads: dict[int, ColumnRead]) -> None:
    """A breakdown with no measure of its own counts what the column before it counts
    (`本月 | 其中:女性 | 累计 | 其中:女性`, `本月 | 累计 | 其中:4050人员`); where its indicator has one
    column only, the same as that one."""
    for c in sorted(reads):
        col = reads[c]
        if col.code == col.whole or col.measure is not None:
            continue
        siblings = [x for x in reads.values() if x.whole == col.whole and x.code == x.whole]
        if len(siblings) == 1:
            col.measure, col.measure_cell = siblings[0].measure, siblings[0].measure_cell
            continue
        left = next((reads[j] for j in range(c - 1, -1, -1) if j in reads and reads[j].whole == col.whole
                     and reads[j].measure is not None), None)
        if left is not None:
            col.measure, col.measure_cell = left.measure, left.measure_cell


def fit_to_period(grid: Grid, reads: dict[int, ColumnRead], period: str | None, quarter: bool) -> None:
    """Measures that mean something else at this period: in a quarterly return `本期` is the quarter;
    beside a `1-7月` column, a `1-6月` column of the same indicator is last month's year to date
    (set aside, not an error; alone it is a header of another month, which refuses the file)."""
    if period is None:
        return
    month, year = int(period[5:7]), int(period[:4])
    for col in reads.values():
        m = col.measure
        if m is not None and m.year is not None and m.year != year:
            col.measure = Measure(IGNORE, m.month, m.year)  # `2002年1-6月` beside `2003年1-6月`: last year's
            continue
        if quarter and m is not None and m.kind == MONTH and col.measure_cell is not None \
                and grid.text(*col.measure_cell).strip().startswith("本期"):
            col.measure = Measure(QUARTER)
    for col in reads.values():
        m = col.measure
        if m is None or m.month is None or m.month == month:
            continue
        if any(x.code == col.code and x.measure is not None and x.measure.kind == m.kind and x.measure.month == month
               for x in reads.values()):
            col.measure = Measure(IGNORE, m.month)


def map_columns(reads: dict[int, ColumnRead], catalog: Catalog) -> ColumnMap:
    """Columns -> slots, with the columns set aside and those whose measure nothing says."""
    out = ColumnMap(reads=reads)
    for c in sorted(reads):
        col = reads[c]
        if col.unknown_part is not None:
            out.skipped[c] = (SKIP_UNKNOWN_PART, col.unknown_part, col.whole)
            continue
        ind = catalog.by_code[col.code]
        m = col.measure
        if m is None:
            if ind.kind == "stock":
                _put(out, col, "ytd", catalog)  # a stock's one column is its level
            else:
                out.unresolved.append(col)
            continue
        why, slot = _slot(ind.kind, m.kind)
        if why:
            out.skipped[c] = (why, col.measure_cell or col.name_cell, col.code)
        elif slot:
            _put(out, col, slot, catalog)
    _stock_month_beside_level(out, catalog)
    return out


def _slot(kind: str, measure: str) -> tuple[str | None, str | None]:
    """(why the column is set aside, or the slot its figure goes to)."""
    if measure == IGNORE:
        return SKIP_IGNORED, None
    if measure == QUARTER:
        return SKIP_QUARTER, None
    if kind == "stock":
        if measure in (INCREMENT, YTD_INCREMENT):
            return SKIP_INCREMENT, None
        return None, ("month" if measure == MONTH else "ytd")  # a lone 本月 may still be the level
    if measure == LEVEL:
        return SKIP_LEVEL_OF_FLOW, None
    return None, ("ytd" if measure in (YTD, YTD_INCREMENT) else "month")


def _put(out: ColumnMap, col: ColumnRead, slot: str, catalog: Catalog) -> None:
    slots = out.slots.setdefault(col.code, {})
    if slot in slots:
        if catalog.by_code[col.code].kind != "stock":
            out.duplicates.append((col, slots[slot]))
        return
    slots[slot] = col.col


def _stock_month_beside_level(out: ColumnMap, catalog: Catalog) -> None:
    """A stock's level is its 累计 / 期末 column; a 本月 column beside it is set aside. A stock with
    only a 本月 column keeps it as the level."""
    for code, slots in out.slots.items():
        if catalog.by_code[code].kind != "stock" or "month" not in slots:
            continue
        c = slots.pop("month")
        if "ytd" in slots:
            col = out.reads[c]
            out.skipped[c] = (SKIP_STOCK_MONTH, col.measure_cell or col.name_cell, code)
        else:
            slots["ytd"] = c


def resolve_measures(out: ColumnMap, fallback: str | None, catalog: Catalog) -> list[ColumnRead]:
    """Give the columns waiting for a measure the one the title or `--measure` says; returns those
    that still have none."""
    left = []
    for col in out.unresolved:
        if fallback is None:
            left.append(col)
            continue
        slot = "ytd" if fallback == YTD else "month"
        if slot not in out.slots.get(col.code, {}):
            _put(out, col, slot, catalog)
    out.unresolved = left
    return left


def measures_named(reads: dict[int, ColumnRead]) -> list[tuple[Measure, tuple[int, int]]]:
    """Every measure a header names with a month (`1-5月累计`, `7月`), for checking against the period."""
    seen = {}
    for col in reads.values():
        if col.measure is not None and col.measure.month is not None and col.measure_cell is not None \
                and col.measure.kind != IGNORE:
            seen[col.measure_cell] = col.measure
    return [(m, cell) for cell, m in seen.items()]


__all__ = ["LEVEL", "ColumnMap", "ColumnRead", "map_columns", "measures_named", "read_columns", "resolve_measures"]
