"""The unit tree (province -> city -> county) over time, and resolving the names clerks write to units.

A unit stands in a span of years (`first_year`..`last_year`, DESIGN §2 存续): the tree of a database
holds every unit it has ever had, and `UnitTree.at(period)` is the tree of the units standing at that
period, with the same methods. A code reused for a different area (230104 道外区 before and after
2004) is two units; within one year every code names one unit.

A name matches a unit by its full name (`道里区`), an alias, or its short name without the
administrative suffix (`道里`, and so the old `阿城市` finds today's `阿城区`), always after dropping
the 总工会/工会 suffix. A name that fits several units is resolved within the city the file belongs
to, or refused with every candidate: never guessed. In the tree of every year (not `at` a period) a
name that fits units of different spans means the latest of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from shiwan.ref.text import normalize_unit_name, short_unit_name

LEVELS = ("country", "province", "city", "county", "other")
NOT_REPORTING = ("province", "country")  # levels that compile returns rather than send one
ALWAYS_FROM = 0  # first_year of a unit that has always stood
STILL_STANDING = 9999  # last_year of a unit that stands still


@dataclass
class UnitRec:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    aliases: list[str] = field(default_factory=list)
    sort_order: int = 0
    is_division: bool = True
    first_year: int = ALWAYS_FROM
    last_year: int = STILL_STANDING
    successors: str = ""  # the codes that took over its area, as the source writes them: `230109;230111`

    def stands(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def span_text(self) -> str:
        """`1983–2003`, `2004–`, `–2003`, or '' for a unit that has always stood."""
        if self.first_year <= ALWAYS_FROM and self.last_year >= STILL_STANDING:
            return ""
        a = str(self.first_year) if self.first_year > ALWAYS_FROM else ""
        b = str(self.last_year) if self.last_year < STILL_STANDING else ""
        return f"{a}–{b}"


def parse_successors(text: str) -> list[tuple[str, int | None]]:
    """`230104;230112[2006]` -> [('230104', None), ('230112', 2006)]: codes, each with the year from
    which it took over (None: the year after the unit's last); ValueError when malformed."""
    out: list[tuple[str, int | None]] = []
    for part in (text or "").replace(",", ";").replace("|", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        year = None
        if "[" in part or "]" in part:
            code, _, y = part.partition("[")
            if not part.endswith("]") or not y[:-1].strip().isdigit() or not code.strip():
                raise ValueError(part)
            part, year = code, int(y[:-1])
        out.append((part.strip(), year))
    return out


def year_of_period(period: str | int) -> int:
    """The year of `2003-06`, `2003Q2`, `2003` or 2003."""
    return period if isinstance(period, int) else int(str(period).strip()[:4])


@dataclass
class Resolution:
    """What a name resolved to: one unit, or the candidates when it could not be decided."""

    unit: UnitRec | None
    candidates: list[UnitRec] = field(default_factory=list)
    outside: list[UnitRec] = field(default_factory=list)  # matches that lie outside the scope given


class UnitTree:
    """Every unit of a database, in memory (a whole country over decades is a few thousand rows);
    or, from `at`, the units standing in one year."""

    def __init__(self, units: list[UnitRec], *, _base: UnitTree | None = None, _year: int | None = None):
        self.units = units
        self.year = _year  # None: every unit the database has had
        self._base = _base
        self._views: dict[int, UnitTree] = {}
        if _base is not None and units is _base.units:
            # a year in which every unit stands: the same indexes (never changed once made)
            self.by_id, self.by_code, self.spans, self._children = _base.by_id, _base.by_code, _base.spans, _base._children
        else:
            self._index(units)
        self._resolved: dict[tuple[str, int | None], Resolution] = {}
        self._names: tuple[dict[str, list[int]], dict[str, list[int]]] | None = None  # made when first needed

    def _index(self, units: list[UnitRec]) -> None:
        self.by_id = {u.id: u for u in units}
        # a code names one unit within a year; over all years, the latest unit of that code
        self.by_code: dict[str, UnitRec] = {}
        self.spans: dict[str, list[UnitRec]] = {}  # code -> its units, earliest first
        for u in sorted(units, key=lambda u: u.first_year):
            self.by_code[u.code] = u
            self.spans.setdefault(u.code, []).append(u)
        self._children: dict[int | None, list[UnitRec]] = {}
        for u in sorted(units, key=lambda u: (u.sort_order, u.code)):
            self._children.setdefault(u.parent_id, []).append(u)

    def _name_index(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """(full name -> unit ids, short name -> unit ids), made on the first lookup by name: reports
        never look a name up, and a year's tree reuses the names the tree of every year normalised."""
        if self._names is None:
            keys = self.base._unit_keys()
            full: dict[str, list[int]] = {}
            short: dict[str, list[int]] = {}
            for u in self.units:
                for key, sh in keys[u.id]:
                    _add(full, key, u.id)
                    if sh:
                        _add(short, sh, u.id)
            self._names = (full, short)
        return self._names

    def _unit_keys(self) -> dict[int, list[tuple[str, str]]]:
        """unit id -> [(normalised name, short name)] of its name and aliases (kept in the tree of every year)."""
        got = getattr(self, "_keys", None)
        if got is None:
            got = self._keys = {}
            for u in self.units:
                pairs = []
                for n in [u.name, *u.aliases]:
                    key = normalize_unit_name(n)
                    pairs.append((key, short_unit_name(key)))
                got[u.id] = pairs
        return got

    @classmethod
    def from_db(cls, db) -> UnitTree:
        rows = db.all("SELECT id, code, name, level, parent_id, aliases, sort_order, is_division, first_year, "
                      "last_year, successors FROM unit")
        return cls([
            UnitRec(id=r[0], code=r[1], name=r[2], level=r[3], parent_id=r[4],
                    aliases=[a for a in r[5].split("|") if a] if r[5] else [], sort_order=r[6] or 0, is_division=bool(r[7]),
                    first_year=ALWAYS_FROM if r[8] is None else int(r[8]),
                    last_year=STILL_STANDING if r[9] is None else int(r[9]), successors=r[10] or "")
            for r in rows
        ])

    def __getstate__(self) -> dict:
        # sent to worker processes: the views and caches are rebuilt there when needed
        state = dict(self.__dict__)
        state["_views"], state["_resolved"], state["_names"] = {}, {}, None
        state.pop("_longest", None)
        state.pop("_keys", None)
        return state

    # -- time -------------------------------------------------------------------------------------

    @property
    def base(self) -> UnitTree:
        """The tree of every unit, whatever year this one shows."""
        return self._base or self

    def at(self, period: str | int) -> UnitTree:
        """The units standing at `period` (`2003-06`, `2003Q2`, `2003`: spans are whole years), as a
        tree with the same methods; made once per year and kept."""
        base = self.base
        year = year_of_period(period)
        view = base._views.get(year)
        if view is None and all(u.stands(year) for u in base.units):
            view = base._views[year] = UnitTree(base.units, _base=base, _year=year)
        if view is None:
            standing = [u for u in base.units if u.stands(year)]
            codes = {u.code: u for u in standing}
            rehomed = []
            for u in standing:
                parent = base.by_id.get(u.parent_id) if u.parent_id is not None else None
                if parent is not None and not parent.stands(year) and parent.code in codes:
                    # a parent whose code has another unit this year: hang the unit under that one
                    u = dataclasses.replace(u, parent_id=codes[parent.code].id)
                rehomed.append(u)
            view = base._views[year] = UnitTree(rehomed, _base=base, _year=year)
        return view

    def unit(self, unit_id: int) -> UnitRec | None:
        """Any unit the database has had, standing this year or not."""
        return self.by_id.get(unit_id) or self.base.by_id.get(unit_id)

    def find(self, code: str, period: str | int | None = None) -> UnitRec | None:
        """The unit a code names at `period` (without one: the latest unit of that code)."""
        return (self.at(period) if period is not None else self).by_code.get(code)

    def require(self, code: str, period: str | int | None = None) -> UnitRec:
        """`find`, or the clerk's error: no such code, or a code whose units did not stand at `period`."""
        from shiwan.base.errors import UserError

        u = self.find(code, period)
        if u is not None:
            return u
        spans = self.codes_of(code)
        if spans and period is not None:
            raise UserError("report.unit_not_standing", code=code, name=spans[-1].name, year=year_of_period(period),
                            spans="、".join(x.span_text() or "—" for x in spans))
        raise UserError("layout.unknown_unit_code", code=code)

    def codes_of(self, code: str) -> list[UnitRec]:
        """Every unit that has had this code, earliest first."""
        return self.base.spans.get(code, [])

    # -- structure --------------------------------------------------------------------------

    def roots(self) -> list[UnitRec]:
        return self._children.get(None, [])

    def children(self, unit_id: int) -> list[UnitRec]:
        return self._children.get(unit_id, [])

    def parent(self, unit: UnitRec) -> UnitRec | None:
        return self.by_id.get(unit.parent_id) if unit.parent_id is not None else None

    def ancestors(self, unit: UnitRec) -> list[UnitRec]:
        """Parent first, root last."""
        out = []
        cur = self.parent(unit)
        while cur is not None:
            out.append(cur)
            cur = self.parent(cur)
        return out

    def subtree(self, unit_id: int) -> list[UnitRec]:
        """The unit and everything below it, depth first in display order."""
        if unit_id not in self.by_id:
            return []
        out: list[UnitRec] = []
        stack = [self.by_id[unit_id]]
        while stack:
            u = stack.pop()
            out.append(u)
            stack.extend(reversed(self.children(u.id)))
        return out

    def everything(self) -> list[UnitRec]:
        """Every unit of the tree, depth first from each root."""
        return [u for r in self.roots() for u in self.subtree(r.id)]

    def is_within(self, unit: UnitRec, scope_id: int) -> bool:
        return unit.id == scope_id or any(a.id == scope_id for a in self.ancestors(unit))

    def depth(self, unit: UnitRec) -> int:
        return len(self.ancestors(unit))

    def lowest_common(self, unit_ids) -> UnitRec:
        """The lowest unit whose subtree holds every unit of `unit_ids` (one of them, when it holds the
        rest; a root when they lie under different roots, the first one's)."""
        paths = [[a.id for a in reversed(self.ancestors(self.by_id[i]))] + [i] for i in unit_ids]
        common = paths[0]
        for p in paths[1:]:
            n = 0
            while n < min(len(common), len(p)) and common[n] == p[n]:
                n += 1
            common = common[:n]
        return self.by_id[common[-1] if common else paths[0][0]]

    def top(self) -> UnitRec | None:
        """The unit reports start from by default: the single root (a province, or the country)."""
        roots = self.roots()
        return roots[0] if len(roots) == 1 else None

    # -- names --------------------------------------------------------------------------------

    def resolve(self, name: str, within: int | None = None) -> Resolution:
        """The unit `name` refers to, preferring units inside the subtree of `within`."""
        cache_key = (name, within)
        hit = self._resolved.get(cache_key)
        if hit is None:
            hit = self._resolved[cache_key] = self._resolve(name, within)
        return hit

    def _resolve(self, name: str, within: int | None) -> Resolution:
        key = normalize_unit_name(name)
        if not key:
            return Resolution(None)
        full, shorts = self._name_index()
        ids = full.get(key) or []
        if not ids:
            ids = shorts.get(key) or []
        if not ids:
            short = short_unit_name(key)
            if short:
                ids = full.get(short) or shorts.get(short) or []
        if not ids:
            # `鹤岗市向阳区`: a parent's name in front of the unit's own
            for parent_key, parent in self._names_longest_first():
                if key.startswith(parent_key) and len(key) > len(parent_key) + 1:
                    inner = self.resolve(key[len(parent_key):], within=parent.id)
                    if inner.unit is not None:
                        return inner if within is None or self.is_within(inner.unit, within) else \
                            Resolution(None, outside=[inner.unit])
        cands = self._latest([self.by_id[i] for i in dict.fromkeys(ids)])
        if within is not None:
            inside = [u for u in cands if self.is_within(u, within)]
            if len(inside) == 1:
                return Resolution(inside[0])
            if len(inside) > 1:
                return Resolution(None, candidates=inside)
            return Resolution(None, outside=cands)
        if len(cands) == 1:
            return Resolution(cands[0])
        return Resolution(None, candidates=cands)

    def named(self, name: str) -> list[UnitRec]:
        """The units whose full name or alias is `name` exactly (after normalising), in this tree."""
        full, _ = self._name_index()
        return [self.by_id[i] for i in dict.fromkeys(full.get(normalize_unit_name(name)) or [])]

    def _latest(self, cands: list[UnitRec]) -> list[UnitRec]:
        """In the tree of every year, units of one name in different spans mean the latest of them
        (`香坊区` is today's 230110, not the 230106 of before 2004); a year's tree has no such choice."""
        if self.year is not None or len(cands) < 2:
            return cands
        latest = max(u.last_year for u in cands)
        return [u for u in cands if u.last_year == latest]

    def common_parent(self, names) -> UnitRec | None:
        """The one unit that every name resolving unambiguously lies directly under (the city whose
        counties a table lists), or None."""
        parents = set()
        for name in names:
            res = self.resolve(name)
            if res.unit and res.unit.parent_id is not None:
                parents.add(res.unit.parent_id)
        return self.by_id[parents.pop()] if len(parents) == 1 else None

    def find_in_text(self, text: str) -> list[UnitRec]:
        """Units whose name occurs in a title line, in the order they occur; a longer name wins over
        a shorter one inside it (`哈尔滨市` is not also `哈尔滨`)."""
        from shiwan.ref.text import squash

        s = squash(text)
        hits: list[tuple[int, int, UnitRec]] = []
        for key, u in self._names_longest_first():
            start = s.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(a < end and start < b for a, b, _ in hits):
                    hits.append((start, end, u))
                start = s.find(key, end)
        out: list[UnitRec] = []
        for _, _, u in sorted(hits, key=lambda h: h[0]):
            if u not in out:
                out.append(u)
        return out

    def _names_longest_first(self) -> list[tuple[str, UnitRec]]:
        if not hasattr(self, "_longest"):
            keys = self.base._unit_keys()
            pairs = {(k, u.id) for u in self.units for k, _ in keys[u.id]}
            # a name of several spans: the latest unit first, so that it is the one found
            self._longest = sorted(((k, self.by_id[i]) for k, i in pairs if len(k) >= 2),
                                   key=lambda x: (-len(x[0]), x[0], -x[1].last_year, -x[1].first_year, x[1].id))
        return self._longest


def _add(index: dict[str, list[int]], key: str, uid: int) -> None:
    if key:
        index.setdefault(key, []).append(uid)
