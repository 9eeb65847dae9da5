"""Names in returns against the units standing at the period: the candidates of a name two units share,
a unit of other years, and a suffix that changed (`漠河县` written `漠河市`)."""

from __future__ import annotations

from shiwan.base.problems import Problem, error, warning
from shiwan.ref.text import normalize_unit_name, short_unit_name
from shiwan.ref.units import UnitRec, UnitTree


def candidates_text(found: list[UnitRec], tree: UnitTree) -> str:
    parts = []
    for u in found:
        parent = tree.parent(u)
        parts.append(f"{parent.name if parent else ''}{u.name} {u.code}")
    return ", ".join(parts)


def of_another_year(units: UnitTree, label: str) -> UnitRec | None:
    """The unit of other years whose full name is `label` exactly, when no unit standing has that
    name: `呼兰区` in a 2003 return is the district of 2004 on, not 呼兰县 with its suffix changed."""
    base = getattr(units, "base", units)
    if base is units or units.named(label):
        return None
    found = base.named(label)
    return max(found, key=lambda u: u.last_year) if found else None


def not_standing(units: UnitTree, other: UnitRec, shown: str, sheet: str, cell: str) -> Problem:
    return error("layout.unit_not_standing", sheet=sheet, cell=cell, name=shown, unit=other.name, code=other.code,
                 span=other.span_text() or "—", year=units.year)


def deepest(units: UnitTree, found: list[UnitRec]) -> UnitRec | None:
    """Of the units a title names (`哈尔滨市动力区总工会…`), the one the others contain: the district,
    not its city; else the first named."""
    inner = [u for u in found if not any(o.id != u.id and units.is_within(o, u.id) for o in found)]
    return inner[0] if len(inner) == 1 else (found[0] if found else None)


def unknown_name(units: UnitTree, label: str, shown: str, sheet: str, cell: str) -> Problem:
    """A name no unit standing at the period has: a unit of other years (松北区 in a 2003 return) is
    named with its years, rather than sent to `units add`."""
    base = getattr(units, "base", units)
    other = base.resolve(label).unit if base is not units else None
    if other is not None and getattr(units, "year", None) is not None:
        return error("layout.unit_not_standing", sheet=sheet, cell=cell, name=shown, unit=other.name, code=other.code,
                     span=other.span_text() or "—", year=units.year)
    return error("layout.unknown_unit", sheet=sheet, cell=cell, name=shown)


_COUNTY_SUFFIXES = ("区", "县", "旗")
_CITY_LEVELS = ("city", "province", "country")


def suffix_problem(label: str, unit: UnitRec, sheet: str, cell: str, shown: str) -> Problem | None:
    """A name whose administrative suffix differs from the unit it matched (`漠河市` for 漠河县): a
    warning when the unit is the same kind of place, an error when the suffix names another level
    (`伊春区`, a district, can never be 伊春市, a city)."""
    names = {normalize_unit_name(n) for n in [unit.name, *unit.aliases]}
    key = normalize_unit_name(label)
    if key in names or not short_unit_name(key) or short_unit_name(key) == key:
        return None
    written = key[len(short_unit_name(key)):]
    if written.endswith(_COUNTY_SUFFIXES) and unit.level in _CITY_LEVELS:
        return error("layout.suffix_other_level", sheet=sheet, cell=cell, name=shown, unit=unit.name, code=unit.code)
    if any(normalize_unit_name(n).endswith(written) for n in names):
        return None
    return warning("layout.suffix_differs", sheet=sheet, cell=cell, name=shown, unit=unit.name, code=unit.code)
