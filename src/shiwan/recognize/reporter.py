"""Settling the reporting unit: template metadata, the 填报单位 line, the title, the file's name, the
clerk's `--unit`, or (for a summary) the one unit every row lies under.

Names are matched among the units standing at the return's period. A name two units share (向阳区
under 鹤岗 and 佳木斯) is resolved within the place the title or the file's folders name, or by
`--unit`, or refused with the candidates: never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error, warning
from shiwan.recognize.grid import cell_at
from shiwan.recognize.lines import Lines
from shiwan.recognize.model import Options
from shiwan.recognize.names import (
    candidates_text,
    deepest,
    not_standing,
    of_another_year,
    suffix_problem,
    unknown_name,
)
from shiwan.ref.text import normalize_unit_name
from shiwan.ref.units import UnitRec, UnitTree


@dataclass
class ReporterFound:
    """The unit the file names (and how: meta | line | title | file | option | rows), or None."""

    unit: UnitRec | None = None
    how: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.how == "error"


def standing(units: UnitTree, period: str | None) -> UnitTree:
    """The units standing at `period` (all of them where the tree knows no spans or no period is known)."""
    at = getattr(units, "at", None)
    return at(period) if at is not None and period else units


def named_reporter(units: UnitTree, lines: Lines, opts: Options, meta: dict[str, str], sheet: str) -> ReporterFound:
    """The reporting unit as the file names it, settled against `--unit`."""
    found = _from_file(units, lines, opts, meta, sheet)
    if found.refused:
        return found
    opt = units.by_code.get(opts.unit) if opts.unit else None
    if opts.unit and opt is None:
        found.problems.append(error("layout.unknown_unit_code", sheet=sheet, code=opts.unit))
        return ReporterFound(None, "error", found.problems)
    if found.unit and opt and found.unit.id != opt.id and found.how in ("meta", "line"):
        found.problems.append(error("layout.unit_conflict", sheet=sheet, file_unit=found.unit.name, option=opt.name))
        return ReporterFound(None, "error", found.problems)
    if opt is not None:
        return ReporterFound(opt, found.how if found.unit and found.unit.id == opt.id else "option", found.problems)
    return found


def _from_file(units: UnitTree, lines: Lines, opts: Options, meta: dict[str, str], sheet: str) -> ReporterFound:
    if meta.get("unit"):
        return _from_meta(units, lines, opts, meta["unit"], sheet)
    if lines.reporter:
        return _from_line(units, lines, opts, sheet)
    for text, how in [*((v, "title") for _, _, v in lines.title), (_stem(opts.file_name), "file")]:
        found = units.find_in_text(text)
        if found:
            return ReporterFound(deepest(units, found), how)
    return _named_in_another_year(units, lines, opts, sheet)


def _named_in_another_year(units: UnitTree, lines: Lines, opts: Options, sheet: str) -> ReporterFound:
    """A title or file name that names only a unit of other years (`阿城区` in 2003): refused, naming it."""
    base = getattr(units, "base", units)
    if base is units:
        return ReporterFound()
    for r, c, text in [*lines.title, (None, None, _stem(opts.file_name))]:
        found = [u for u in base.find_in_text(text) if u.id not in units.by_id]
        if found:
            return ReporterFound(None, "error", [not_standing(units, found[0], found[0].name, sheet, cell_at(r, c))])
    return ReporterFound()


def _from_meta(units: UnitTree, lines: Lines, opts: Options, code: str, sheet: str) -> ReporterFound:
    u = units.by_code.get(code)
    if u is None:
        return ReporterFound(None, "error", [error("layout.unknown_unit_code", sheet=sheet, code=code)])
    named = []
    if lines.reporter:
        res = units.resolve(lines.reporter[2])
        named += [res.unit] if res.unit else []
    for text in [v for _, _, v in lines.title] + [_stem(opts.file_name)]:
        named += units.find_in_text(text)
    related = {u.id, *(a.id for a in units.ancestors(u))}
    other = next((n for n in named if n.id not in related and not units.is_within(n, u.id)), None)
    if other is not None:  # a template re-used for another unit
        return ReporterFound(None, "error", [error("layout.template_conflict", sheet=sheet, what=t("layout.what_unit"),
                                                   meta=u.name, shown=other.name)])
    return ReporterFound(u, "meta")


def _from_line(units: UnitTree, lines: Lines, opts: Options, sheet: str) -> ReporterFound:
    assert lines.reporter is not None
    r, c, name = lines.reporter
    cell = cell_at(r, c)
    other = of_another_year(units, name)
    if other is not None:
        return ReporterFound(None, "error", [not_standing(units, other, normalize_unit_name(name), sheet, cell)])
    res = units.resolve(name)
    own = _own_office(units, name) if res.unit is None and not res.candidates else None
    if own is not None:  # `哈尔滨市总工会机关`: the city's own office, its own figures
        return _unless_named_otherwise(units, own, lines, opts, sheet, cell)
    if res.unit is not None:
        problem = suffix_problem(name, res.unit, sheet, cell, normalize_unit_name(name))
        if problem is not None and problem.is_error:
            return ReporterFound(None, "error", [problem])
        if problem is not None:
            found = _unless_named_otherwise(units, res.unit, lines, opts, sheet, cell)
            return ReporterFound(found.unit, found.how, [problem, *found.problems])
    if res.unit:
        return _unless_named_otherwise(units, res.unit, lines, opts, sheet, cell)
    opt = units.by_code.get(opts.unit) if opts.unit else None
    if res.candidates:
        if opt is not None and opt in res.candidates:
            return ReporterFound(opt, "line")  # the clerk said which of the namesakes it is
        by_place = within_named_place(units, res.candidates, lines, opts)
        if by_place is not None:
            return ReporterFound(by_place, "line")
        return ReporterFound(None, "error", [error("layout.ambiguous_unit", sheet=sheet, cell=cell,
                                                   name=normalize_unit_name(name),
                                                   candidates=candidates_text(res.candidates, units))])
    if opt is not None:
        return ReporterFound(opt, "option", [warning("layout.unit_name_unknown_option", sheet=sheet, cell=cell,
                                                     name=normalize_unit_name(name), unit=opt.name)])
    return ReporterFound(None, "error", [unknown_name(units, name, normalize_unit_name(name), sheet, cell)])


def _unless_named_otherwise(units: UnitTree, u: UnitRec, lines: Lines, opts: Options, sheet: str,
                            cell: str) -> ReporterFound:
    """The 填报单位 line's unit, unless the title or the file's name names another unit that is neither
    above nor below it (a title saying 依兰县 over 填报单位:方正县): two readings, refused with both."""
    def related(n: UnitRec) -> bool:
        return normalize_unit_name(n.name) == normalize_unit_name(u.name) or units.is_within(n, u.id) \
            or units.is_within(u, n.id)

    for r, c, text in [*lines.title, (None, None, _stem(opts.file_name))]:
        named = units.find_in_text(text)
        if named and not any(related(n) for n in named):  # a place that names only other units
            n = named[0]
            where = cell_at(r, c) if r is not None else opts.file_name
            return ReporterFound(None, "error", [error("layout.reporter_conflict", sheet=sheet, cell=cell,
                                                       unit=u.name, other=n.name, where=where)])
    return ReporterFound(u, "line")


def _own_office(units: UnitTree, name: str) -> UnitRec | None:
    """The unit whose own office a name is (`哈尔滨市总工会机关`, `鸡西市本级`), when the rest names one."""
    label = normalize_unit_name(name)
    for suffix in ("总工会机关", "工会机关", "机关", "本级", "市直"):
        if label.endswith(suffix) and len(label) > len(suffix) + 1:
            res = units.resolve(normalize_unit_name(label[: -len(suffix)]))
            return res.unit
    return None


def within_named_place(units: UnitTree, candidates: list[UnitRec], lines: Lines, opts: Options) -> UnitRec | None:
    """The one namesake that lies under a unit the title, the file's folders or its name mention
    (`鹤岗市向阳区总工会…` / `鹤岗市/向阳区_2003-06.xlsx`): the city the file belongs to."""
    texts = [v for _, _, v in lines.title] + ([opts.path_hint] if opts.path_hint else [])
    for text in texts:
        places = units.find_in_text(text)
        inside = [c for c in candidates if any(units.is_within(c, p.id) and p.id != c.id for p in places)]
        if len(inside) == 1:
            return inside[0]
    return None


def _stem(file_name: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]{2,5}$", "", file_name)
