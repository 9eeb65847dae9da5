"""The indicator catalog: indicators with names and aliases, kinds and rules, as data.

The default catalog is `data/indicators.toml`; other campaigns write their own file in the same
shape. `load_catalog_file` reads and checks one; `Catalog.from_db` reads what a database holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.base.i18n import pick
from shiwan.ref.text import normalize_header, squash

KINDS = ("flow", "stock")
_QUOTES = str.maketrans("", "", "“”\"‘’'「」")


def part_key(header: str) -> str:
    """A breakdown's sub-header as it is compared with part names: `其中:“4050”人员(人)` -> `4050人员`."""
    v = normalize_header(header.translate(_QUOTES))
    if v.startswith("其中"):
        v = v[2:].lstrip(":,、")
    return v

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
    parent: str | None = None  # a breakdown (其中): the code of the indicator it is a part of
    part_name: str = ""  # a breakdown's own name as headers write it under its indicator (`女性`)
    part_name_en: str = ""

    @property
    def is_flow(self) -> bool:
        return self.kind == "flow"

    def label(self) -> str:
        return pick(self.name, self.name_en)

    def part_label(self) -> str:
        """A breakdown's own name (`女性`), in the user's language."""
        return pick(self.part_name, self.part_name_en) or self.label()

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
    """The indicators (`indicators`: the wholes, in catalog order), their breakdowns (`breakdowns`:
    parts of one indicator each, `其中:女性`) and the rules. `by_code` and `by_id` know both."""

    version: str
    name: str
    indicators: list[IndicatorDef]
    rules: list[RuleDef] = field(default_factory=list)
    name_en: str = ""
    breakdowns: list[IndicatorDef] = field(default_factory=list)

    def __post_init__(self) -> None:
        every = [*self.indicators, *self.breakdowns]
        self.by_code = {i.code: i for i in every}
        self.by_id = {i.id: i for i in every if i.id is not None}
        self._match_cache: dict[str, str | None] = {}
        # (normalised name -> code, whole -> normalised part name -> breakdown code), made on the first
        # match: a report matches no header, and normalising every name cost it the regular expressions
        self._index: tuple[dict[str, str], dict[str, dict[str, str]]] | None = None
        self._prefixes: set[str] | None = None  # every proper beginning of a name, for `qualifies`
        self._qualifies_cache: dict[str, bool] = {}

    @property
    def _names(self) -> dict[str, str]:
        return self._indexes()[0]

    @property
    def _parts(self) -> dict[str, dict[str, str]]:
        return self._indexes()[1]

    def _indexes(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        if self._index is None:
            names: dict[str, str] = {}
            parts: dict[str, dict[str, str]] = {}
            for ind in self.indicators:
                for n in [ind.name, *ind.aliases]:
                    names.setdefault(normalize_header(n), ind.code)
            for b in self.breakdowns:
                of = parts.setdefault(b.parent or "", {})
                for n in [b.part_name, *b.aliases]:
                    of.setdefault(part_key(n), b.code)
            self._index = (names, parts)
        return self._index

    def parts_of(self, code: str) -> list[IndicatorDef]:
        """The breakdowns of one indicator, in catalog order."""
        return [b for b in self.breakdowns if b.parent == code]

    def with_parts(self) -> list[IndicatorDef]:
        """Every indicator in catalog order, each followed by its breakdowns (for listings and exports)."""
        return [x for i in self.indicators for x in (i, *self.parts_of(i.code))]

    def match_part(self, whole: str, header: str) -> str | None:
        """The breakdown of `whole` that a sub-header (`其中:女性`, `女性`, `其中：4050人员`) names."""
        return self._parts.get(whole, {}).get(part_key(header))

    def names_part(self, header: str) -> bool:
        """Whether a header reads as a breakdown (`其中:…`) or names a breakdown of some indicator."""
        key = part_key(header)
        return squash(header).startswith("其中") or any(key in names for names in self._parts.values())

    def match(self, header: str) -> str | None:
        """The indicator code a header names, after normalisation; None when it names none."""
        try:
            return self._match_cache[header]
        except KeyError:
            code = self._match_cache[header] = self._names.get(normalize_header(header))
            return code

    def qualifies(self, text: str) -> bool:
        """Whether a header text begins some indicator's name without being one (`培训后实现`,
        `获资质认证`, `职业培训`): written over a name, it may be the first half of a longer one."""
        if self._prefixes is None:
            self._prefixes = {n[:k] for n in self._names for k in range(2, len(n))}
        known = self._qualifies_cache.get(text)
        if known is None:
            known = self._qualifies_cache[text] = normalize_header(text) in self._prefixes
        return known

    def match_joined(self, upper: str, lower: str) -> str | None:
        """The indicator two header pieces name together (`培训后实现` over `再就业人数`)."""
        joined = normalize_header(upper) + normalize_header(lower)
        return self._names.get(joined) or self._names.get(joined + "数")

    def is_part_of(self, part: str, whole: str) -> bool:
        """Whether a rule holds `part` ≤ `whole` (介绍上岗人次 under 职业介绍), or `part` is its breakdown."""
        return any(r.part == part and r.whole == whole for r in self.rules) or \
            part.split(".")[0] == whole

    def headline(self) -> list[IndicatorDef]:
        return [i for i in self.indicators if i.headline] or self.indicators[:3]

    @classmethod
    def from_db(cls, db) -> Catalog:
        rows = db.all(
            "SELECT id, code, name, name_en, aliases, measure, kind, decimals, headline, sort_order, parent_id, "
            "part_name, part_name_en FROM indicator ORDER BY sort_order, id"
        )
        every = [
            IndicatorDef(
                id=r[0], code=r[1], name=r[2], name_en=r[3] or "", aliases=[a for a in (r[4] or "").split("|") if a],
                measure=r[5], kind=r[6], decimals=int(r[7] or 0), headline=bool(r[8]), sort_order=int(r[9] or 0),
                parent=str(r[10]) if r[10] is not None else None, part_name=r[11] or "", part_name_en=r[12] or "",
            )
            for r in rows
        ]
        by_id = {i.id: i.code for i in every}
        for i in every:
            if i.parent is not None:
                i.parent = by_id.get(int(i.parent))
        inds = [i for i in every if i.parent is None]
        parts = [i for i in every if i.parent is not None]
        rules = [
            RuleDef(code=r[0], part=by_id[r[1]], whole=by_id[r[2]], severity=r[3], message=r[4] or "",
                    message_en=r[5] or "")
            for r in db.all("SELECT code, part_id, whole_id, severity, message, message_en FROM rule ORDER BY id")
        ]
        version = db.meta("catalog_version") or ""
        name = db.meta("catalog_name") or ""
        return cls(version=version, name=name, indicators=inds, rules=rules, breakdowns=parts)


def load_catalog_file(path: Path) -> Catalog:
    """Read and check a catalog TOML file."""
    import tomllib  # here, not at the top: a report reads no TOML
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(path, "file.unreadable", detail=str(exc)) from None
    entries = data.get("indicator") or []
    if not entries:
        raise CatalogError(path, "catalogfile.no_indicators")
    inds: list[IndicatorDef] = []
    breakdowns: list[IndicatorDef] = []
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
        breakdowns.extend(_breakdowns(ind, e.get("breakdown") or [], where))
    codes = {i.code for i in inds} | {b.code for b in breakdowns}
    if len(codes) != len(inds) + len(breakdowns):
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
        if len({i.kind for i in [*inds, *breakdowns] if i.code in (part, whole)}) > 1:
            raise CatalogError(where, "catalogfile.same_kind", part=part, whole=whole)
        sev = r.get("severity", "error")
        if sev not in SEVERITIES:
            raise CatalogError(where, "catalogfile.severity")
        rules.append(RuleDef(code=str(r.get("code") or f"{part}_le_{whole}"), part=part, whole=whole, severity=sev,
                             message=str(r.get("message", "")), message_en=str(r.get("message_en", ""))))
    rules.extend(_part_rules(breakdowns, {i.code: i for i in inds}, {r.code for r in rules}))
    return Catalog(version=str(data.get("version", "")), name=str(data.get("name", "")),
                   name_en=str(data.get("name_en", "")), indicators=inds, rules=rules, breakdowns=breakdowns)


def _breakdowns(whole: IndicatorDef, entries: list, where: str) -> list[IndicatorDef]:
    """`[[indicator.breakdown]]` entries: parts of `whole`, counted like it (same kind, unit, decimals),
    coded `<whole>.<code>`."""
    out: list[IndicatorDef] = []
    names: dict[str, str] = {}
    for n, b in enumerate(entries, 1):
        at = f"{where} [[indicator.breakdown]] #{n}"
        for key in ("code", "name"):
            if not b.get(key):
                raise CatalogError(at, "file.missing_key", key=key)
        if not isinstance(b.get("aliases", []), list):
            raise CatalogError(at, "catalogfile.aliases")
        part = IndicatorDef(
            code=f"{whole.code}.{b['code']}", name=f"{whole.name}(其中:{b['name']})",
            name_en=f"{whole.name_en or whole.code}: of whom {b.get('name_en') or b['code']}",
            aliases=[str(a) for a in b.get("aliases", [])], measure=whole.measure, kind=whole.kind,
            decimals=whole.decimals, sort_order=whole.sort_order * 100 + n, parent=whole.code,
            part_name=str(b["name"]), part_name_en=str(b.get("name_en", "")),
        )
        for name in [part.part_name, *part.aliases]:
            key = part_key(name)
            if key in names and names[key] != part.code:
                raise CatalogError(at, "catalogfile.name_twice", name=name, other=names[key])
            names[key] = part.code
        out.append(part)
    return out


def _part_rules(parts: list[IndicatorDef], wholes: dict[str, IndicatorDef], taken: set[str]) -> list[RuleDef]:
    """Every breakdown is at most its whole: an error, as any part ≤ whole rule."""
    out = []
    for p in parts:
        code = f"{p.code}_le_{p.parent}"
        if code in taken:
            continue
        whole = wholes[p.parent or ""]
        out.append(RuleDef(code=code, part=p.code, whole=whole.code, severity="error",
                           message=f"其中{p.part_name}({{part}})不能大于{whole.name}({{whole}})",
                           message_en=f"of whom {p.part_name_en or p.part_name} ({{part}}) cannot exceed "
                                      f"{(whole.name_en or whole.code).lower()} ({{whole}})"))
    return out


def save_catalog(db, catalog: Catalog) -> tuple[int, int]:
    """Insert or update the catalog's indicators and rules; returns (added, updated) indicators."""
    added = updated = 0
    ids: dict[str, int] = {}
    for ind in [*catalog.indicators, *catalog.breakdowns]:  # wholes first: a part names its whole's id
        row = {"code": ind.code, "name": ind.name, "name_en": ind.name_en, "aliases": "|".join(ind.aliases),
               "measure": ind.measure, "kind": ind.kind, "decimals": ind.decimals, "headline": ind.headline,
               "sort_order": ind.sort_order, "parent_id": ids.get(ind.parent) if ind.parent else None,
               "part_name": ind.part_name, "part_name_en": ind.part_name_en}
        existing = db.one("SELECT id, kind FROM indicator WHERE code = :code", {"code": ind.code})
        if existing is None:
            ids[ind.code] = db.insert("indicator", row)
            added += 1
        else:
            if existing[1] != ind.kind and db.scalar(
                "SELECT COUNT(*) FROM figure WHERE indicator_id = :i", {"i": existing[0]}
            ):
                raise CatalogError(ind.code, "catalogfile.kind_change", old=existing[1], new=ind.kind)
            db.run(
                "UPDATE indicator SET name = :name, name_en = :name_en, aliases = :aliases, measure = :measure, "
                "kind = :kind, decimals = :decimals, headline = :headline, sort_order = :sort_order, "
                "parent_id = :parent_id, part_name = :part_name, part_name_en = :part_name_en WHERE code = :code",
                row,
            )
            ids[ind.code] = existing[0]
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
