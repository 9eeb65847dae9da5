"""Settling which unit each row of a summary is: the 本级 row is the reporter's own office, a row naming
the reporter itself is its total (for a unit with units under it), every other name is resolved among
the units standing at the period within the reporter. A name that fits several units, or one outside
the reporter, or none, is refused with the cell; a unit twice is refused; a suffix that changed (漠河县
written 漠河市) is read only when no other unit could be meant, and said.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from shiwan.base.problems import Problem, error
from shiwan.recognize.grid import Grid, cell_at
from shiwan.recognize.names import (
    candidates_text,
    not_standing,
    of_another_year,
    suffix_problem,
    unknown_name,
)
from shiwan.recognize.rows import BLANK, DATA, RowRead
from shiwan.recognize.words import OWN, SUBTOTAL, TOTAL, UNIT
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.text import normalize_unit_name
from shiwan.ref.units import UnitRec, UnitTree


@dataclass
class UnitRow:
    r: int
    unit_id: int
    name: str
    channel: int


@dataclass
class UnitRows:
    reporter: UnitRec
    unit_col: int
    rows: list[UnitRow] = field(default_factory=list)
    totals: list[RowRead] = field(default_factory=list)
    not_reported: list[UnitRow] = field(default_factory=list)
    pairs: dict[int, dict[str, int]] = field(default_factory=dict)  # a unit's row -> {'month': r, 'ytd': r}
    unresolved: bool = False


def resolve_rows(grid: Grid, rows: list[RowRead], reporter: UnitRec | None, units: UnitTree,
                 unit_col: int | None, problems: list[Problem],
                 cell_of: Callable[[int], str] | None = None) -> UnitRows | None:
    """The unit of every row; `cell_of(row.r)` names a row's label cell (a column's, when units run
    across)."""
    col = unit_col if unit_col is not None else 0
    where = cell_of or (lambda r: cell_at(r, col))
    if reporter is None:  # the one unit every row's name lies directly under: the city of its counties
        reporter = units.common_parent(r.label for r in rows if r.kind == UNIT and r.state == DATA)
    if reporter is None:
        if not any(p.key.startswith("layout.unknown_unit") for p in problems):
            problems.append(error("layout.no_unit", sheet=grid.name))
        return None
    out = UnitRows(reporter, col)
    seen: dict[int, int] = {}
    out.pairs, merged = _pairs(rows)
    own_names = {normalize_unit_name(reporter.name), *(normalize_unit_name(a) for a in reporter.aliases)}
    has_units_under = bool(units.children(reporter.id))
    for row in rows:
        if row.kind == SUBTOTAL or row.r in merged:
            continue
        if row.kind == TOTAL or (row.kind == UNIT and row.label in own_names and has_units_under):
            out.totals.append(row)
            continue
        unit = reporter if row.kind == OWN or row.label in own_names else _resolve(grid, row, reporter, units,
                                                                                 where(row.r), problems, out)
        if unit is None:
            continue
        if unit.id in seen:
            problems.append(error("layout.unit_twice", sheet=grid.name, cell=where(row.r), name=unit.name,
                                  other=where(seen[unit.id])))
            continue
        if not _code_agrees(grid, row, unit, units, where(row.r), problems):
            out.unresolved = True
            continue
        seen[unit.id] = row.r
        channel = CHANNEL_OWN if unit.id == reporter.id else CHANNEL_SUMMARY
        target = out.rows if row.state == DATA else out.not_reported
        target.append(UnitRow(row.r, unit.id, unit.name, channel))
    _check_code_column(grid, out, units, col, problems)
    return out


_CODE = re.compile(r"[(（\[]?(\d{6})[)）\]]?")


def split_code(label: str) -> tuple[str | None, str]:
    """A division code written with the name (`230302鸡冠区`, `鸡东县(230321)`, `230302`) -> (code, name)."""
    label = re.sub(r"^(\d{6})\.0$", r"\1", label.strip())  # a code a CSV kept as a float
    codes = _CODE.findall(label)
    if len(codes) != 1:
        return None, label
    return codes[0], _CODE.sub("", label).strip(" -_:")


def _code_agrees(grid: Grid, row: RowRead, unit: UnitRec, units: UnitTree, cell: str, problems: list[Problem]) -> bool:
    """A code written in the label must be the code of the unit its name names."""
    code, _ = split_code(row.written or row.label)
    if code is None or code == unit.code:
        return True
    coded = units.by_code.get(code)
    problems.append(error("layout.code_name_conflict", sheet=grid.name, cell=cell, code=code, unit=unit.name,
                          other=coded.name if coded else "—"))
    return False


def _check_code_column(grid: Grid, out: UnitRows, units: UnitTree, unit_col: int, problems: list[Problem]) -> None:
    """A 代码 column beside the names (`代码 | 单位名称`): every code it gives must be its row's unit's."""
    rows = [(ur, units.by_id.get(ur.unit_id)) for ur in [*out.rows, *out.not_reported]]
    for c in range(max(0, unit_col - 3), unit_col + 2):
        if c == unit_col:
            continue
        given = [(ur, u, _code_in(grid.cell(ur.r, c))) for ur, u in rows if u is not None]
        coded = [g for g in given if g[2] is not None and g[2] in units.by_code]
        if len(coded) < 2 or len(coded) * 5 < len(given) * 3:
            continue  # not a column of codes
        for ur, u, code in given:
            if code is not None and code != u.code:
                other = units.by_code.get(code)
                problems.append(error("layout.code_name_conflict", sheet=grid.name, cell=cell_at(ur.r, c), code=code,
                                      unit=u.name, other=other.name if other else "—"))
                out.unresolved = True


def _code_in(v) -> str | None:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip() if v is not None else ""
    return text if len(text) == 6 and text.isdigit() else None


def _pairs(rows: list[RowRead]) -> tuple[dict[int, dict[str, int]], set[int]]:
    """Units given in two rows, 本月 then 本年累计 (a 项目 column says which): the 累计 row stands for
    the unit, the 本月 row is merged into it."""
    pairs: dict[int, dict[str, int]] = {}
    prev: RowRead | None = None
    for row in rows:
        if row.measure is not None:
            pairs[row.r] = {row.measure: row.r}
        if prev and prev.label == row.label and prev.measure == "month" and row.measure == "ytd":
            pairs[row.r] = {"month": prev.r, "ytd": row.r}
        prev = row
    merged = {p["month"] for p in pairs.values() if "month" in p and p.get("ytd") not in (None, p["month"])}
    return pairs, merged


def _resolve(grid: Grid, row: RowRead, reporter: UnitRec, units: UnitTree, cell: str, problems: list[Problem],
             out: UnitRows) -> UnitRec | None:
    shown = row.written or row.label
    other = of_another_year(units, row.label)
    if other is not None:
        problems.append(not_standing(units, other, shown, grid.name, cell))
        out.unresolved = True
        return None
    code, name = split_code(row.label)
    if code is not None and not name:  # a code alone names its unit
        coded = units.by_code.get(code)
        if coded is not None and units.is_within(coded, reporter.id):
            return coded
    res = units.resolve(name if code is not None and name else row.label, within=reporter.id)
    if res.unit is None:
        if row.state == BLANK and not res.candidates and not res.outside:
            return None  # a group heading (`一、市区`), not a unit
        if res.candidates:
            problems.append(error("layout.ambiguous_unit", sheet=grid.name, cell=cell, name=shown,
                                  candidates=candidates_text(res.candidates, units)))
        elif res.outside:
            problems.append(error("layout.unit_outside", sheet=grid.name, cell=cell, name=shown, reporter=reporter.name,
                                  candidates=candidates_text(res.outside, units)))
        else:
            problems.append(unknown_name(units, row.label, shown, grid.name, cell))
        out.unresolved = True
        return None
    problem = suffix_problem(row.label, res.unit, grid.name, cell, shown)
    if problem is not None:
        problems.append(problem)
        if problem.is_error:
            out.unresolved = True
            return None
    return res.unit
