"""The unit tree (province -> city -> county) and resolving the names clerks write to units.

A name matches a unit by its full name (`道里区`), an alias, or its short name without the
administrative suffix (`道里`, and so the old `阿城市` finds today's `阿城区`), always after dropping
the 总工会/工会 suffix. A name that fits several units is resolved within the city the file belongs
to, or refused with every candidate: never guessed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.ref.text import normalize_unit_name, short_unit_name

LEVELS = ("country", "province", "city", "county", "other")


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


@dataclass
class Resolution:
    """What a name resolved to: one unit, or the candidates when it could not be decided."""

    unit: UnitRec | None
    candidates: list[UnitRec] = field(default_factory=list)
    outside: list[UnitRec] = field(default_factory=list)  # matches that lie outside the scope given


class UnitTree:
    """Every unit of a database, in memory (a whole country is a few thousand rows)."""

    def __init__(self, units: list[UnitRec]):
        self.units = units
        self.by_id = {u.id: u for u in units}
        self.by_code = {u.code: u for u in units}
        self._children: dict[int | None, list[UnitRec]] = {}
        for u in sorted(units, key=lambda u: (u.sort_order, u.code)):
            self._children.setdefault(u.parent_id, []).append(u)
        self._resolved: dict[tuple[str, int | None], Resolution] = {}
        self._full: dict[str, list[int]] = {}
        self._short: dict[str, list[int]] = {}
        for u in units:
            for n in [u.name, *u.aliases]:
                key = normalize_unit_name(n)
                _add(self._full, key, u.id)
                short = short_unit_name(key)
                if short:
                    _add(self._short, short, u.id)

    @classmethod
    def from_db(cls, db) -> UnitTree:
        rows = db.all("SELECT id, code, name, level, parent_id, aliases, sort_order, is_division FROM unit")
        return cls([
            UnitRec(id=r[0], code=r[1], name=r[2], level=r[3], parent_id=r[4],
                    aliases=[a for a in (r[5] or "").split("|") if a], sort_order=r[6] or 0, is_division=bool(r[7]))
            for r in rows
        ])

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
        out: list[UnitRec] = []
        stack = [self.by_id[unit_id]]
        while stack:
            u = stack.pop()
            out.append(u)
            stack.extend(reversed(self.children(u.id)))
        return out

    def is_within(self, unit: UnitRec, scope_id: int) -> bool:
        return unit.id == scope_id or any(a.id == scope_id for a in self.ancestors(unit))

    def depth(self, unit: UnitRec) -> int:
        return len(self.ancestors(unit))

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
        ids = self._full.get(key) or []
        if not ids:
            ids = self._short.get(key) or []
        if not ids:
            short = short_unit_name(key)
            if short:
                ids = self._full.get(short) or self._short.get(short) or []
        if not ids:
            # `鹤岗市向阳区`: a parent's name in front of the unit's own
            for parent_key, parent in self._names_longest_first():
                if key.startswith(parent_key) and len(key) > len(parent_key) + 1:
                    inner = self.resolve(key[len(parent_key):], within=parent.id)
                    if inner.unit is not None:
                        return inner if within is None or self.is_within(inner.unit, within) else \
                            Resolution(None, outside=[inner.unit])
        cands = [self.by_id[i] for i in dict.fromkeys(ids)]
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
            pairs = {(normalize_unit_name(n), u.id) for u in self.units for n in [u.name, *u.aliases]}
            self._longest = sorted(((k, self.by_id[i]) for k, i in pairs if len(k) >= 2),
                                   key=lambda x: (-len(x[0]), x[0]))
        return self._longest


def _add(index: dict[str, list[int]], key: str, uid: int) -> None:
    if key:
        index.setdefault(key, []).append(uid)


# -- loading units from CSV ----------------------------------------------------------------

class UnitsFileError(FileContentError):
    """A units CSV that cannot be loaded; the message names the line."""


@dataclass
class UnitRow:
    code: str
    name: str
    level: str
    parent_code: str
    aliases: list[str]
    note: str
    is_division: bool


def read_units_csv(path: Path) -> list[UnitRow]:
    """Read `code,name,level,parent_code[,aliases][,note]` (UTF-8 or GB18030). Parents come first."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise UnitsFileError(path, "read.encoding")
    reader = csv.DictReader(io.StringIO(text))
    need = {"code", "name", "level", "parent_code"}
    if not reader.fieldnames or not need <= {f.strip() for f in reader.fieldnames}:
        raise UnitsFileError(path, "unitsfile.header")
    rows: list[UnitRow] = []
    codes: set[str] = set()
    for n, r in enumerate(reader, 2):
        r = {(k or "").strip(): (v or "").strip() for k, v in r.items()}
        if not r["code"] or not r["name"]:
            raise UnitsFileError(f"{path}:{n}", "unitsfile.code_name")
        if r["level"] not in LEVELS:
            raise UnitsFileError(f"{path}:{n}", "unitsfile.level", levels=", ".join(LEVELS), value=repr(r["level"]))
        if r["code"] in codes:
            raise UnitsFileError(f"{path}:{n}", "unitsfile.code_twice", code=r["code"])
        codes.add(r["code"])
        aliases = [a.strip() for a in r.get("aliases", "").replace(";", "|").split("|") if a.strip()]
        note = r.get("note", "")
        rows.append(UnitRow(code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent_code"],
                            aliases=aliases, note=note, is_division="not a GB/T 2260" not in note
                            and "statistical code only" not in note.lower()))
    return rows


def save_units(db, rows: list[UnitRow]) -> tuple[int, int]:
    """Insert new units and update known ones (by code); returns (added, updated)."""
    added = updated = 0
    ids = dict(db.all("SELECT code, id FROM unit"))
    pending = list(enumerate(rows))
    order_base = db.scalar("SELECT COALESCE(MAX(sort_order), 0) FROM unit") or 0
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for i, r in pending:
            if r.parent_code and r.parent_code not in ids:
                rest.append((i, r))
                continue
            row = {"code": r.code, "name": r.name, "level": r.level,
                   "parent_id": ids.get(r.parent_code) if r.parent_code else None,
                   "aliases": "|".join(r.aliases), "is_division": r.is_division, "note": r.note}
            if r.code in ids:
                db.run("UPDATE unit SET name = :name, level = :level, parent_id = :parent_id, aliases = :aliases, "
                       "is_division = :is_division, note = :note WHERE code = :code", row)
                updated += 1
            else:
                row["sort_order"] = order_base + i + 1
                ids[r.code] = db.insert("unit", row)
                added += 1
            progress = True
        pending = rest
    if pending:
        missing = ", ".join(sorted({r.parent_code for _, r in pending}))
        raise UnitsFileError("", "unitsfile.parents", codes=missing)
    return added, updated
