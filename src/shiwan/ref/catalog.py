"""The indicator catalog: indicators with names and aliases, kinds and rules, as data.

The default catalog is `data/indicators.toml`; other campaigns write their own file in the same
shape. `load_catalog_file` reads and checks one; `Catalog.from_db` reads what a database holds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.base.i18n import pick
from shiwan.ref.text import normalize_header

KINDS = ("flow", "stock")
SEVERITIES = ("error", "warning")


class CatalogError(FileContentError):
    """A catalog file that cannot be used; the message names the entry."""


@dataclass
class IndicatorDef:
    code: str
    name: str
    measure: str
    kind: str
    name_en: str = ""
    aliases: list[str] = field(default_factory=list)
    decimals: int = 0
    headline: bool = False
    sort_order: int = 0
    id: int | None = None

    @property
    def is_flow(self) -> bool:
        return self.kind == "flow"

    def label(self) -> str:
        return pick(self.name, self.name_en)

    def measure_label(self) -> str:
        from shiwan.base.i18n import is_en

        return MEASURE_EN.get(self.measure, self.measure) if is_en() else self.measure


MEASURE_EN = {"人": "persons", "人次": "person-times", "期": "classes", "个": "units", "处": "sites",
              "万元": "10k yuan", "笔": "loans", "条": "items"}


@dataclass
class RuleDef:
    code: str
    part: str
    whole: str
    severity: str
    message: str = ""
    message_en: str = ""

    def text(self, part: str, whole: str) -> str:
        tpl = pick(self.message, self.message_en) or f"{self.part} ({{part}}) > {self.whole} ({{whole}})"
        try:
            return tpl.format(part=part, whole=whole)
        except (KeyError, IndexError, ValueError):
            return tpl


@dataclass
class Catalog:
    version: str
    name: str
    indicators: list[IndicatorDef]
    rules: list[RuleDef] = field(default_factory=list)
    name_en: str = ""

    def __post_init__(self) -> None:
        self.by_code = {i.code: i for i in self.indicators}
        self.by_id = {i.id: i for i in self.indicators if i.id is not None}
        self._names: dict[str, str] = {}
        self._match_cache: dict[str, str | None] = {}
        for ind in self.indicators:
            for n in [ind.name, *ind.aliases]:
                self._names.setdefault(normalize_header(n), ind.code)

    def match(self, header: str) -> str | None:
        """The indicator code a header names, after normalisation; None when it names none."""
        try:
            return self._match_cache[header]
        except KeyError:
            code = self._match_cache[header] = self._names.get(normalize_header(header))
            return code

    def headline(self) -> list[IndicatorDef]:
        return [i for i in self.indicators if i.headline] or self.indicators[:3]

    @classmethod
    def from_db(cls, db) -> Catalog:
        rows = db.all(
            "SELECT id, code, name, name_en, aliases, measure, kind, decimals, headline, sort_order "
            "FROM indicator ORDER BY sort_order, id"
        )
        inds = [
            IndicatorDef(
                id=r[0], code=r[1], name=r[2], name_en=r[3] or "", aliases=[a for a in (r[4] or "").split("|") if a],
                measure=r[5], kind=r[6], decimals=int(r[7] or 0), headline=bool(r[8]), sort_order=int(r[9] or 0),
            )
            for r in rows
        ]
        by_id = {i.id: i.code for i in inds}
        rules = [
            RuleDef(code=r[0], part=by_id[r[1]], whole=by_id[r[2]], severity=r[3], message=r[4] or "",
                    message_en=r[5] or "")
            for r in db.all("SELECT code, part_id, whole_id, severity, message, message_en FROM rule ORDER BY id")
        ]
        version = db.meta("catalog_version") or ""
        name = db.meta("catalog_name") or ""
        return cls(version=version, name=name, indicators=inds, rules=rules)


def load_catalog_file(path: Path) -> Catalog:
    """Read and check a catalog TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(path, "file.unreadable", detail=str(exc)) from None
    entries = data.get("indicator") or []
    if not entries:
        raise CatalogError(path, "catalogfile.no_indicators")
    inds: list[IndicatorDef] = []
    seen: dict[str, str] = {}
    for n, e in enumerate(entries, 1):
        where = f"{path} [[indicator]] #{n}"
        for key in ("code", "name", "unit", "kind"):
            if not e.get(key):
                raise CatalogError(where, "file.missing_key", key=key)
        if not isinstance(e.get("decimals", 0), int) or not 0 <= e.get("decimals", 0) <= 4:
            raise CatalogError(where, "catalogfile.decimals")
        if not isinstance(e.get("aliases", []), list):
            raise CatalogError(where, "catalogfile.aliases")
        if e["kind"] not in KINDS:
            raise CatalogError(where, "catalogfile.kind", value=repr(e["kind"]))
        ind = IndicatorDef(
            code=str(e["code"]), name=str(e["name"]), name_en=str(e.get("name_en", "")),
            aliases=[str(a) for a in e.get("aliases", [])], measure=str(e["unit"]), kind=e["kind"],
            decimals=int(e.get("decimals", 0)), headline=bool(e.get("headline", False)), sort_order=n,
        )
        for name in [ind.name, *ind.aliases]:
            key = normalize_header(name)
            if key in seen and seen[key] != ind.code:
                raise CatalogError(where, "catalogfile.name_twice", name=name, other=seen[key])
            seen[key] = ind.code
        inds.append(ind)
    codes = {i.code for i in inds}
    if len(codes) != len(inds):
        raise CatalogError(path, "catalogfile.codes_repeat")
    rules: list[RuleDef] = []
    for n, r in enumerate(data.get("rule") or [], 1):
        where = f"{path} [[rule]] #{n}"
        check = str(r.get("check", ""))
        parts = check.split("<=")
        if len(parts) != 2:
            raise CatalogError(where, "catalogfile.check", value=repr(check))
        part, whole = parts[0].strip(), parts[1].strip()
        for c in (part, whole):
            if c not in codes:
                raise CatalogError(where, "file.unknown_indicator", code=c)
        if len({i.kind for i in inds if i.code in (part, whole)}) > 1:
            raise CatalogError(where, "catalogfile.same_kind", part=part, whole=whole)
        sev = r.get("severity", "error")
        if sev not in SEVERITIES:
            raise CatalogError(where, "catalogfile.severity")
        rules.append(RuleDef(code=str(r.get("code") or f"{part}_le_{whole}"), part=part, whole=whole, severity=sev,
                             message=str(r.get("message", "")), message_en=str(r.get("message_en", ""))))
    return Catalog(version=str(data.get("version", "")), name=str(data.get("name", "")),
                   name_en=str(data.get("name_en", "")), indicators=inds, rules=rules)


def save_catalog(db, catalog: Catalog) -> tuple[int, int]:
    """Insert or update the catalog's indicators and rules; returns (added, updated) indicators."""
    added = updated = 0
    for ind in catalog.indicators:
        row = {"code": ind.code, "name": ind.name, "name_en": ind.name_en, "aliases": "|".join(ind.aliases),
               "measure": ind.measure, "kind": ind.kind, "decimals": ind.decimals, "headline": ind.headline,
               "sort_order": ind.sort_order}
        existing = db.one("SELECT id, kind FROM indicator WHERE code = :code", {"code": ind.code})
        if existing is None:
            db.insert("indicator", row)
            added += 1
        else:
            if existing[1] != ind.kind and db.scalar(
                "SELECT COUNT(*) FROM figure WHERE indicator_id = :i", {"i": existing[0]}
            ):
                raise CatalogError(ind.code, "catalogfile.kind_change", old=existing[1], new=ind.kind)
            db.run(
                "UPDATE indicator SET name = :name, name_en = :name_en, aliases = :aliases, measure = :measure, "
                "kind = :kind, decimals = :decimals, headline = :headline, sort_order = :sort_order WHERE code = :code",
                row,
            )
            updated += 1
    ids = dict(db.all("SELECT code, id FROM indicator"))
    for rule in catalog.rules:
        row = {"code": rule.code, "part_id": ids[rule.part], "whole_id": ids[rule.whole], "severity": rule.severity,
               "message": rule.message, "message_en": rule.message_en}
        if db.run(
            "UPDATE rule SET part_id = :part_id, whole_id = :whole_id, severity = :severity, message = :message, "
            "message_en = :message_en WHERE code = :code",
            row,
        ) == 0:
            db.insert("rule", row)
    db.set_meta("catalog_version", catalog.version)
    db.set_meta("catalog_name", catalog.name)
    return added, updated
