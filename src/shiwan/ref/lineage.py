"""Comparing a unit across a change of boundaries, like with like (docs/units.md).

Each unit that ended names the units that took over its area (`successors`). Between an earlier year
A and a later year B that links every unit standing at A to the units standing at B that hold its
area now. For a unit U standing at B (a county, without units below it), the units of A linked to U
and the units of B linked to those, and so on, form U's group:

- U alone on both sides: the same unit, compared with itself;
- U alone at B, fed by one or more units of A (a new code, a merger): compared with the sum of those
  units at A — like with like;
- more than U at B (a split, or a merger that also gave part of its area away): no figure of A
  covers U's area; the row says so and names the units on both sides.

A unit with units below it (a city) is compared with itself when no unit crossed its boundary
between A and B (every unit of its subtree at A lies, at B, inside its subtree, and back), else not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.base.i18n import t
from shiwan.ref.units import UnitRec, UnitTree, parse_successors

SAME, SUCCESSORS, NONE = "same", "successors", "none"


@dataclass
class Comparison:
    """How unit `unit` at year `to_year` compares with year `from_year`."""

    unit: UnitRec
    from_year: int
    to_year: int
    basis: str  # same | successors | none
    before: list[UnitRec] = field(default_factory=list)  # the units of from_year it is compared with (or linked to)
    after: list[UnitRec] = field(default_factory=list)  # the units of to_year sharing their area

    @property
    def comparable(self) -> bool:
        return self.basis != NONE

    def note(self) -> str:
        """Why the comparison is as it is, for a report's notes ('' when it is the same unit)."""
        names = _names
        if self.basis == SAME:
            return ""
        if self.basis == SUCCESSORS:
            return t("lineage.successors", unit=self.unit.name, year=self.from_year, before=names(self.before))
        if not self.before:
            return t("lineage.new", unit=self.unit.name, year=self.from_year)
        return t("lineage.none", unit=self.unit.name, from_year=self.from_year, to_year=self.to_year,
                 before=names(self.before), after=names(self.after))


def _names(units: list[UnitRec]) -> str:
    from shiwan.base.i18n import is_en

    return (", " if is_en() else "、").join(f"{u.name}({u.code})" for u in units)


class Lineage:
    """Successor links of one unit tree, followed across years (kept per tree and pair of years)."""

    def __init__(self, tree: UnitTree):
        self.tree = tree.base
        self._forward: dict[tuple[int, int], frozenset[int]] = {}
        self._backward: dict[tuple[int, int], dict[int, set[int]]] = {}
        self._touched: dict[tuple[int, int], set[int]] = {}

    def successors(self, unit: UnitRec) -> list[UnitRec]:
        """The units that took over the area of `unit` when it ended."""
        out = []
        for code, year in parse_successors(unit.successors):
            if year is not None and year <= unit.last_year:
                continue  # a part given away while it went on (a city's own office): not its end
            nxt = self.tree.find(code, year if year is not None else unit.last_year + 1)
            if nxt is not None and nxt.id != unit.id:
                out.append(nxt)
        return out

    def forward(self, unit: UnitRec, year: int) -> frozenset[int]:
        """Ids of the units standing at `year` that hold (part of) the area `unit` had."""
        key = (unit.id, year)
        hit = self._forward.get(key)
        if hit is None:
            if unit.stands(year):
                hit = frozenset({unit.id})
            elif unit.first_year > year:
                hit = frozenset()
            else:
                hit = frozenset().union(*(self.forward(n, year) for n in self.successors(unit)))
            self._forward[key] = hit
        return hit

    def backward(self, unit: UnitRec, from_year: int, to_year: int) -> list[UnitRec]:
        """The units standing at `from_year` whose area `unit` (standing at `to_year`) holds part of."""
        index = self._backward.get((from_year, to_year))
        if index is None:
            index = {}
            for old in self.tree.at(from_year).units:
                for uid in self.forward(old, to_year):
                    index.setdefault(uid, set()).add(old.id)
            self._backward[(from_year, to_year)] = index
        return [self.tree.unit(i) for i in sorted(index.get(unit.id, ()))]  # type: ignore[misc]

    def compare(self, unit: UnitRec, from_year: int, to_year: int) -> Comparison:
        """How `unit` (standing at `to_year`) compares with `from_year`; see the module's docstring."""
        if from_year == to_year:
            return Comparison(unit, from_year, to_year, SAME, [unit], [unit])
        new_view = self.tree.at(to_year)
        if new_view.children(unit.id):
            return self._compare_parent(unit, from_year, to_year)
        before: dict[int, UnitRec] = {}
        after: dict[int, UnitRec] = {unit.id: unit}
        todo = [unit]
        while todo:  # the group: every unit linked, on either side, to one already in it
            u = todo.pop()
            for old in self.backward(u, from_year, to_year):
                if old.id not in before:
                    before[old.id] = old
                    for nid in self.forward(old, to_year):
                        if nid not in after:
                            after[nid] = new_view.by_id[nid]
                            todo.append(after[nid])
        olds, news = _ordered(before.values()), _ordered(after.values())
        if len(news) == 1 and [o.id for o in olds] == [unit.id]:
            return Comparison(unit, from_year, to_year, SAME, olds, news)
        if len(news) == 1 and olds:
            return Comparison(unit, from_year, to_year, SUCCESSORS, olds, news)
        return Comparison(unit, from_year, to_year, NONE, olds, news)

    def touched(self, from_year: int, to_year: int) -> set[int]:
        """Ids of the units standing in only one of the two years, and of every unit above them: a unit
        outside this set has the same subtree in both years."""
        key = (from_year, to_year)
        got = self._touched.get(key)
        if got is None:
            old_view, new_view = self.tree.at(from_year), self.tree.at(to_year)
            changed = set(old_view.by_id) ^ set(new_view.by_id)
            got = set(changed)
            for view in (old_view, new_view):
                for uid in changed:
                    if uid in view.by_id:
                        got.update(a.id for a in view.ancestors(view.by_id[uid]))
            self._touched[key] = got
        return got

    def _compare_parent(self, unit: UnitRec, from_year: int, to_year: int) -> Comparison:
        old_view, new_view = self.tree.at(from_year), self.tree.at(to_year)
        if unit.id not in old_view.by_id:
            return Comparison(unit, from_year, to_year, NONE, self.backward(unit, from_year, to_year), [unit])
        if unit.id not in self.touched(from_year, to_year):  # nothing below it changed
            return Comparison(unit, from_year, to_year, SAME, [unit], [unit])
        inside_old = {u.id for u in old_view.subtree(unit.id)}
        inside_new = {u.id for u in new_view.subtree(unit.id)}
        crossing_out = [old_view.by_id[o] for o in inside_old if not self.forward(old_view.by_id[o], to_year) <= inside_new]
        crossing_in = [new_view.by_id[n] for n in inside_new
                       if any(b.id not in inside_old for b in self.backward(new_view.by_id[n], from_year, to_year))]
        if not crossing_out and not crossing_in:
            return Comparison(unit, from_year, to_year, SAME, [unit], [unit])
        return Comparison(unit, from_year, to_year, NONE, _ordered(crossing_out), _ordered(crossing_in))


def _ordered(units) -> list[UnitRec]:
    return sorted(units, key=lambda u: (u.sort_order, u.code, u.first_year))
