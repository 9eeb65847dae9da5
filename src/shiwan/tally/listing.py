"""Listing and maintaining units and indicators."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import LEVELS, UnitTree


def _level_name(level: str) -> str:
    return t(f"level.{level}") if level in LEVELS else level


def units_table(db, under: str | None = None, at: str | None = None) -> Table:
    """The unit tree: every unit the database has had, with the years it stood; or, `at` a period,
    the units standing then (DESIGN §2 存续)."""
    from shiwan.tally.report import resolve_scope, resolve_span

    base = UnitTree.from_db(db)
    when = resolve_span(db, at).last if at else None
    tree = base.at(when) if when else base
    roots = [resolve_scope(base, under, when)] if under and when else [_unit_of(tree, under)] if under else tree.roots()
    rows = []
    for root in roots:
        top = tree.depth(root)
        for u in tree.subtree(root.id):
            parent = tree.parent(u)
            rows.append({
                "unit_code": u.code, "unit_name": u.name, "_tree_name": "  " * (tree.depth(u) - top) + u.name, "level": u.level,
                "_level_name": _level_name(u.level), "parent_code": parent.code if parent else "",
                "aliases": "、".join(u.aliases), "children": len(tree.children(u.id)),
                "first_year": u.first_year or None, "last_year": u.last_year if u.last_year < 9999 else None,
                "successors": u.successors, "_span": u.span_text(),
            })
    cols = [
        Column("unit_code", t("col.code")),
        Column("_tree_name", t("col.unit_name")),
        Column("_level_name", t("col.level")),
        Column("parent_code", t("col.parent")),
        Column("children", t("col.children"), align="right"),
        Column("_span", t("col.span_years")),
        Column("successors", t("col.successors")),
        Column("aliases", t("col.aliases")),
    ]
    title = t("units.title_at", n=len(rows), period=at) if at else t("units.title", n=len(rows))
    return Table(cols, rows, title=title)


def _unit_of(tree: UnitTree, code: str):
    u = tree.by_code.get(code)
    if u is None:
        raise UserError("layout.unknown_unit_code", code=code)
    return u


def indicators_table(db) -> Table:

    cat = Catalog.from_db(db)
    rows = []
    for ind in cat.with_parts():
        part = ind.parent is not None
        rows.append({
            "indicator": ind.code, "indicator_name": ind.name, "indicator_name_en": ind.name_en, "aliases": "、".join(ind.aliases),
            "measure": ind.measure_label(), "kind": ind.kind, "_kind_name": t(f"kind.{ind.kind}"),
            "decimals": ind.decimals, "headline": ind.headline, "parent": ind.parent,
            "part_name": ind.part_name or None,
            "_name": ("  " + t("indicators.part", part=ind.part_label())) if part else ind.label(),
        })
    cols = [Column("indicator", t("col.code")), Column("_name", t("col.indicator")),
            Column("aliases", t("col.aliases")), Column("measure", t("col.measure")), Column("_kind_name", t("col.kind"))]
    return Table(cols, rows, title=t("indicators.title", n=len(rows), version=cat.version))


def add_unit(db, code: str, name: str, parent_code: str, level: str | None, aliases: list[str],
             first_year: int | None = None, last_year: int | None = None) -> tuple[str, str, str]:
    """A unit of our own (an industry union, a district the divisions do not list), standing from
    `first_year` to `last_year` (default: always)."""
    from shiwan.base.safetext import has_controls
    from shiwan.ref.units import ALWAYS_FROM, STILL_STANDING

    for text in (code, name, *aliases):
        if has_controls(text) or not text.strip():
            raise UserError("units.bad_text", text=text, exit_code=2)
    first, last = first_year or ALWAYS_FROM, last_year or STILL_STANDING
    if first > last:
        raise UserError("units.bad_span", first=first, last=last, exit_code=2)
    tree = UnitTree.from_db(db)
    for other in tree.codes_of(code):
        if other.first_year <= last and first <= other.last_year:
            raise UserError("units.exists", code=code, name=other.name)
    year = max(first, min(last, _this_year()))
    parent = tree.at(year).by_code.get(parent_code) or tree.by_code.get(parent_code)
    if parent is None:
        raise UserError("layout.unknown_unit_code", code=parent_code)
    if (first_year and parent.first_year > first) or (last_year and parent.last_year < last):
        raise UserError("units.parent_span", parent=parent.name, span=parent.span_text() or "—", exit_code=2)
    if level is None:
        level = {"country": "province", "province": "city", "city": "county"}.get(parent.level, "other")
    if level not in LEVELS:
        raise UserError("units.bad_level", level=level, levels=", ".join(LEVELS), exit_code=2)
    view = tree.at(year)
    siblings = view.children(parent.id)
    clash = view.resolve(name, within=parent.id)
    if clash.unit is not None and clash.unit.parent_id == parent.id and clash.unit.name == name:
        raise UserError("units.name_taken", name=name, code=clash.unit.code)
    order = max((s.sort_order for s in siblings), default=parent.sort_order) + 1
    with db.transaction():
        db.insert("unit", {"code": code, "name": name, "level": level, "parent_id": parent.id,
                           "aliases": "|".join(aliases), "sort_order": order, "is_division": False,
                           "note": "added with shiwan units add", "first_year": first, "last_year": last,
                           "successors": ""})
    return code, name, parent.name


def _this_year() -> int:
    from datetime import date

    return date.today().year
