"""Classifying the rows of a table with units down the rows: a unit, the 本级 office, a 合计 or 小计, a
unit that did not report (its row wholly blank, or saying `未报`), a group heading, the header again
on a second printed page, a 栏次 row; and finding the column that names the units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.grid import Grid, cell_at, is_number, text_of
from shiwan.recognize.header import Band, is_column_number_row, is_measure_unit_row
from shiwan.recognize.words import (
    FIGURE_MEASURES,
    IGNORE,
    MONTH,
    SERIAL_HEADERS,
    UNIT,
    UNIT_HEADERS,
    YTD,
    measure_of,
    row_word,
    says_not_reported,
)
from shiwan.ref.text import find_period, normalize_header, normalize_unit_name, squash
from shiwan.ref.units import UnitTree

DATA = "data"  # a row with figures
BLANK = "blank"  # a named row with no figure at all: the unit did not report in this file
NOT_REPORTED = "not_reported"  # a named row saying 未报


@dataclass
class RowRead:
    r: int
    kind: str  # unit | own | total | subtotal
    label: str  # as matched against unit names
    written: str  # as written, for messages
    state: str = DATA
    measure: str | None = None  # month | ytd, where each unit comes in two rows


@dataclass
class RowsRead:
    rows: list[RowRead] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_label_columns(grid: Grid, band: Band, first_figure_col: int,
                       units: UnitTree | None = None) -> tuple[int | None, int | None]:
    """(the unit column, the 序号 column). The unit column is, of the columns left of the figures, the
    one whose cells name the most units (a group column `市区 | 县(市)` merged down beside the names
    loses to it); else the one headed 单位 / 地区; else the one with the most text."""
    unit_col = serial_col = None
    for r in band.rows:
        for c, v in enumerate(grid.row(r)):
            if not isinstance(v, str):
                continue
            h = normalize_header(v)
            if h in SERIAL_HEADERS and serial_col is None:
                serial_col = c
            elif h in UNIT_HEADERS and unit_col is None and c < first_figure_col + 1:
                unit_col = c
    rows = range(band.first_data, min(grid.height, band.first_data + 80))
    if units is not None:
        named = {c: _units_named(grid, c, rows, units) for c in range(0, max(first_figure_col, 1)) if c != serial_col}
        best = max(named, key=lambda c: (named[c], -c), default=None)
        if best is not None and named[best] >= 2 and (unit_col is None or named[best] > named.get(unit_col, 0)):
            unit_col = best
    if unit_col is None:
        best, best_n = None, 0
        for c in range(0, max(first_figure_col, 1)):
            if c == serial_col:
                continue
            n = sum(1 for r in rows if isinstance(grid.cell(r, c), str) and not is_number(grid.cell(r, c)))
            if n > best_n:
                best, best_n = c, n
        unit_col = best
    return unit_col, serial_col


def _units_named(grid: Grid, c: int, rows: range, units: UnitTree) -> int:
    n = 0
    for r in rows:
        v = grid.cell(r, c)
        if isinstance(v, str) and v.strip():
            res = units.resolve(normalize_unit_name(v))
            n += res.unit is not None or bool(res.candidates)
    return n


def find_row_measure_column(grid: Grid, first: int, end: int, taken: set, first_figure_col: int) -> int | None:
    """A column left of the figures whose cells say 本月 / 本年累计 row by row (a 项目 column)."""
    for c in range(0, first_figure_col):
        if c in taken:
            continue
        words = [measure_of(grid.text(r, c)) for r in range(first, end) if grid.cell(r, c) is not None]
        kinds = [w.kind if w else None for w in words]
        if len(kinds) >= 2 and sum(1 for k in kinds if k in (MONTH, YTD)) >= 0.8 * len(kinds) \
                and {MONTH, YTD} <= set(kinds):
            return c
    return None


def classify_rows(grid: Grid, band: Band, end: int, unit_col: int | None, figure_cols: set[int],
                  hit_rows: set[int], row_measure_col: int | None, own_rows: bool = False) -> RowsRead:
    """Every row between the header and the footer that names a unit (or a total), in order; with
    `own_rows`, rows labelled only 本月 / 本年累计 are the reporter's own."""
    out = RowsRead()
    last: RowRead | None = None  # the last named row, for a name merged over its 本月 and 累计 rows
    for r in range(band.first_data, end):
        raw = _label_cell(grid, r, unit_col)
        written = squash(text_of(raw)) if raw is not None else ""
        label = normalize_unit_name(text_of(raw)) if raw is not None else ""
        numbers = any(grid.cell(r, c) is not None for c in figure_cols)
        if _not_a_data_row(grid, r, written, hit_rows) or _measure_words_only(grid, r, figure_cols):
            continue
        if not numbers and label and find_period(text_of(raw)) and r > band.first_data:
            out.problems.append(error("layout.second_table", sheet=grid.name, cell=cell_at(r, unit_col or 0),
                                      text=" ".join(text_of(raw).split())))
            break  # one table a sheet: a second month belongs on a sheet of its own
        measure = None
        if row_measure_col is not None:
            m = measure_of(grid.text(r, row_measure_col))
            if m and m.kind == IGNORE and numbers:  # a third row 上年同期 under a unit's 本月 and 累计
                out.problems.append(warning("layout.row_skipped", sheet=grid.name, cell=cell_at(r, row_measure_col),
                                            text=grid.text(r, row_measure_col).strip()))
                continue
            if m and m.kind in (MONTH, YTD):
                measure = m.kind
                if not label and last is not None and numbers:
                    label, written = last.label, last.written  # the name is merged over both rows
                if not label and own_rows:
                    label = written = "本级"
        if not label and numbers and last is not None and last.state == BLANK and _merged_from(grid, r, unit_col, last.r):
            out.rows.pop()  # a name merged over two rows, its figures in the lower one: the row is that unit's
            label, written = last.label, last.written
        if not label:
            if numbers:
                out.problems.append(_row_without_label(grid, r, unit_col))
            continue
        state = _state(grid, r, figure_cols, unit_col)
        row = RowRead(r, row_word(written, label), label, written, state, measure)
        out.rows.append(row)
        last = row
    return out


def _merged_from(grid: Grid, r: int, unit_col: int | None, above: int) -> bool:
    """Whether the row's unit cell is covered by a merged cell that starts on row `above`."""
    return unit_col is not None and grid.top_left(r, unit_col)[0] == above


def _label_cell(grid: Grid, r: int, unit_col: int | None):
    """The row's label: its unit-column cell, else (`合计` written in the 序号 cell merged across,
    `市本级` in a group column merged across the unit column, or the same without the merge) the
    nearest text to its left in the same row."""
    if unit_col is None:
        return None
    raw = grid.cell(r, unit_col)
    if raw is None or isinstance(raw, str) and not raw.strip():
        tl = grid.top_left(r, unit_col)
        raw = grid.cell(*tl) if tl[0] == r and tl != (r, unit_col) else None
        for c in range(unit_col - 1, -1, -1) if raw is None and tl == (r, unit_col) else ():
            v = grid.cell(r, c)
            if isinstance(v, str) and v.strip() and not is_number(v) and grid.top_left(r, c)[0] == r:
                raw = v
                break
    if isinstance(raw, str) and not raw.strip():
        return None
    return raw


def _not_a_data_row(grid: Grid, r: int, written: str, hit_rows: set[int]) -> bool:
    """The header again on a second printed page, a 续表 line, a 栏次 or 计量单位 row."""
    return r in hit_rows or normalize_header(written) in UNIT_HEADERS or "续表" in written \
        or is_column_number_row(grid, r) or is_measure_unit_row(grid, r)


def _measure_words_only(grid: Grid, r: int, figure_cols: set[int]) -> bool:
    """A repeated sub-header (`本月 | 本年累计` on a second printed page): words where figures would be."""
    texts = [grid.cell(r, c) for c in figure_cols if grid.cell(r, c) is not None]
    return bool(texts) and all(isinstance(v, str) and (m := measure_of(v)) is not None and m.kind in FIGURE_MEASURES
                               for v in texts)


def _row_without_label(grid: Grid, r: int, unit_col: int | None) -> Problem:
    tl = grid.top_left(r, unit_col) if unit_col is not None else (r, 0)
    if unit_col is not None and tl != (r, unit_col) and tl[0] < r:
        # a unit's name merged over two rows of figures, and nothing says what the second is
        return error("layout.merged_unit_rows", sheet=grid.name, cell=cell_at(r, unit_col),
                     name=grid.text(*tl).strip(), first=cell_at(*tl))
    return error("layout.row_without_unit", sheet=grid.name, cell=cell_at(r, unit_col if unit_col is not None else 0))


def _state(grid: Grid, r: int, figure_cols: set[int], unit_col: int | None) -> str:
    """data, blank (no figure at all) or not_reported (the row says 未报, in a figure cell or merged
    across them, or right after the name)."""
    cells = [grid.cell(r, c) for c in figure_cols]
    texts = [text_of(v) for v in cells if v is not None]
    after_name = [text_of(v) for c, v in grid.filled(r) if unit_col is not None and c > unit_col and c not in figure_cols]
    if any(says_not_reported(t) for t in texts + after_name[:2]):
        return NOT_REPORTED
    for c in figure_cols:
        tl = grid.top_left(r, c)
        if tl != (r, c) and says_not_reported(grid.text(*tl)):
            return NOT_REPORTED
    if not texts:
        return BLANK
    return DATA


__all__ = ["BLANK", "DATA", "NOT_REPORTED", "UNIT", "RowRead", "RowsRead", "classify_rows", "find_label_columns",
           "find_row_measure_column"]
