"""Loading units from CSV: a plain list (`code,name,level,parent_code[,aliases][,note]`, every unit
standing always) or a history (with `first_year,last_year,successors`, as
`data/divisions-heilongjiang-history.csv`).

In a history a code may appear more than once, for spans that do not overlap. A county whose area
changes while its code stays — it gives part of its area to another (a successor dated `X[Y]`), or
takes in the area of one that ended (listed among that one's successors) — is a different unit from
that year on: its row is cut there, and the earlier part names the later one as its successor. So
230104 道外区 is one unit until 2003, another from 2004 (with 太平区, without what went to 松北区)
and a third from 2006 (with part of 阿城市). Units with units below them (cities) are not cut: a
city's figure is always the sum of what stands under it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.ref.units import ALWAYS_FROM, LEVELS, STILL_STANDING, parse_successors


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
    first_year: int = ALWAYS_FROM
    last_year: int = STILL_STANDING
    successors: str = ""
    line: int = 0

    def overlaps(self, other: UnitRow) -> bool:
        return self.first_year <= other.last_year and other.first_year <= self.last_year


def read_units_csv(path: Path) -> list[UnitRow]:
    """Read a units file (UTF-8 or GB18030); a history's rows are cut where a county's area changes."""
    text = _decode(path)
    reader = csv.DictReader(io.StringIO(text))
    need = {"code", "name", "level", "parent_code"}
    if not reader.fieldnames or not need <= {f.strip() for f in reader.fieldnames}:
        raise UnitsFileError(path, "unitsfile.header")
    rows: list[UnitRow] = []
    for n, r in enumerate(reader, 2):
        r = {(k or "").strip(): (v or "").strip() for k, v in r.items()}
        rows.append(_row(path, n, r))
    _check_spans(path, rows)
    return split_on_area_changes(rows)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnitsFileError(path, "read.encoding")  # pragma: no cover - gb18030 decodes any byte string


def _row(path: Path, n: int, r: dict[str, str]) -> UnitRow:
    if not r["code"] or not r["name"]:
        raise UnitsFileError(f"{path}:{n}", "unitsfile.code_name")
    if r["level"] not in LEVELS:
        raise UnitsFileError(f"{path}:{n}", "unitsfile.level", levels=", ".join(LEVELS), value=repr(r["level"]))
    first, last = _year(path, n, r.get("first_year", ""), ALWAYS_FROM), _year(path, n, r.get("last_year", ""), STILL_STANDING)
    if first > last:
        raise UnitsFileError(f"{path}:{n}", "unitsfile.span", first=first, last=last)
    successors = r.get("successors", "")
    try:
        parse_successors(successors)
    except ValueError:
        raise UnitsFileError(f"{path}:{n}", "unitsfile.successors", value=repr(successors)) from None
    aliases = [a.strip() for a in r.get("aliases", "").replace(";", "|").split("|") if a.strip()]
    note = r.get("note", "")
    return UnitRow(code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent_code"], aliases=aliases,
                   note=note, is_division="not a GB/T 2260" not in note and "statistical code only" not in note.lower(),
                   first_year=first, last_year=last, successors=successors, line=n)


def _year(path: Path, n: int, text: str, default: int) -> int:
    if not text:
        return default
    if not text.isdigit() or not 0 <= int(text) <= STILL_STANDING:
        raise UnitsFileError(f"{path}:{n}", "unitsfile.year", value=repr(text))
    return int(text)


def _check_spans(path: Path, rows: list[UnitRow]) -> None:
    """A code appears again only for years it did not stand in before; a parent stands when its units do."""
    by_code: dict[str, list[UnitRow]] = {}
    for r in rows:
        for other in by_code.get(r.code, []):
            if other.overlaps(r):
                raise UnitsFileError(f"{path}:{r.line}", "unitsfile.code_twice", code=r.code)
        by_code.setdefault(r.code, []).append(r)
    for r in rows:
        if r.parent_code and r.parent_code in by_code and not any(p.overlaps(r) for p in by_code[r.parent_code]):
            raise UnitsFileError(f"{path}:{r.line}", "unitsfile.parent_span", code=r.code, parent=r.parent_code)


def split_on_area_changes(rows: list[UnitRow]) -> list[UnitRow]:
    """Cut the row of a unit without units below it at each year its area changes (see the module's
    docstring); the cut rows keep the line of the row they came from."""
    parents = {r.parent_code for r in rows if r.parent_code}
    cuts: dict[int, set[int]] = {}  # index of a row -> the years a new unit of that code begins
    by_code: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_code.setdefault(r.code, []).append(i)

    def standing(code: str, year: int) -> int | None:
        return next((i for i in by_code.get(code, []) if rows[i].first_year <= year <= rows[i].last_year), None)

    for i, r in enumerate(rows):
        for code, year in parse_successors(r.successors):
            if year is not None and r.first_year < year <= r.last_year:
                cuts.setdefault(i, set()).add(year)  # gave part of its area away, and went on
            takes = year if year is not None else r.last_year + 1
            j = standing(code, takes)
            if j is not None and j != i and rows[j].first_year < takes:
                cuts.setdefault(j, set()).add(takes)  # took in (part of) another's area, and went on
    out: list[UnitRow] = []
    for i, r in enumerate(rows):
        years = sorted(y for y in cuts.get(i, ()) if r.code not in parents)
        if not years:
            out.append(r)
            continue
        given = parse_successors(r.successors)
        bounds = [r.first_year, *years, r.last_year + 1]
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1] - 1
            last_piece = k == len(bounds) - 2
            if last_piece:
                succ = ";".join(_succ_text(c, y) for c, y in given if y is None or y > b)
            else:
                succ = ";".join([r.code, *(_succ_text(c, y) for c, y in given if y == b + 1)])
            out.append(replace(r, first_year=a, last_year=b, successors=succ))
    return out


def _succ_text(code: str, year: int | None) -> str:
    return f"{code}[{year}]" if year is not None else code


def save_units(db, rows: list[UnitRow]) -> tuple[int, int]:
    """Insert new units and update known ones (by code and first year); returns (added, updated).

    A unit loaded from a plain list (standing always) that the file now gives a history for becomes
    the latest unit of its code, so that the figures stored for it stay with today's unit."""
    added = updated = 0
    known: dict[tuple[str, int], int] = {(c, int(f)): i for i, c, f in db.all("SELECT id, code, first_year FROM unit")}
    always = {c: i for (c, f), i in known.items() if f == ALWAYS_FROM}
    latest = {}
    for r in rows:
        if r.code not in latest or r.first_year > latest[r.code].first_year:
            latest[r.code] = r
    order_base = db.scalar("SELECT COALESCE(MAX(sort_order), 0) FROM unit") or 0
    ids: dict[tuple[str, int], int] = dict(known)
    pending = list(enumerate(rows))
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for i, r in pending:
            parent_id = None
            if r.parent_code:
                parent_id = _parent_id(ids, r)
                if parent_id is None:
                    rest.append((i, r))
                    continue
            row = {"code": r.code, "name": r.name, "level": r.level, "parent_id": parent_id,
                   "aliases": "|".join(r.aliases), "is_division": r.is_division, "note": r.note,
                   "first_year": r.first_year, "last_year": r.last_year, "successors": r.successors}
            uid = ids.get((r.code, r.first_year))
            if uid is None and latest[r.code] is r and r.code in always and (r.code, r.first_year) not in known:
                uid = always.pop(r.code)
                ids.pop((r.code, ALWAYS_FROM), None)
            if uid is not None:
                row["id"] = uid
                db.run("UPDATE unit SET code = :code, name = :name, level = :level, parent_id = :parent_id, "
                       "aliases = :aliases, is_division = :is_division, note = :note, first_year = :first_year, "
                       "last_year = :last_year, successors = :successors WHERE id = :id", row)
                updated += 1
            else:
                row["sort_order"] = order_base + i + 1
                uid = db.insert("unit", row)
                added += 1
            ids[(r.code, r.first_year)] = uid
            progress = True
        pending = rest
    if pending:
        missing = ", ".join(sorted({r.parent_code for _, r in pending}))
        raise UnitsFileError("", "unitsfile.parents", codes=missing)
    return added, updated


def _parent_id(ids: dict[tuple[str, int], int], r: UnitRow) -> int | None:
    """The unit of the parent's code standing when `r` begins (else the earliest one)."""
    spans = sorted(f for (c, f) in ids if c == r.parent_code)
    before = [f for f in spans if f <= max(r.first_year, ALWAYS_FROM)]
    if before:
        return ids[(r.parent_code, before[-1])]
    return ids[(r.parent_code, spans[0])] if spans else None
