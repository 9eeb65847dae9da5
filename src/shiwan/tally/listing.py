"""Listing and maintaining units and indicators."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import LEVELS, UnitTree


def _level_name(level: str) -> str:
    return t(f"level.{level}") if level in LEVELS else level


def units_table(db, under: str | None = None) -> Table:
    tree = UnitTree.from_db(db)
    if under:
        u = tree.by_code.get(under)
        if u is None:
            raise UserError("layout.unknown_unit_code", code=under)
        roots = [u]
    else:
        roots = tree.roots()
    rows = []
    for root in roots:
        base = tree.depth(root)
        for u in tree.subtree(root.id):
            parent = tree.parent(u)
            rows.append({
                "code": u.code, "name": u.name, "_tree_name": "  " * (tree.depth(u) - base) + u.name, "level": u.level,
                "_level_name": _level_name(u.level), "parent_code": parent.code if parent else "",
                "aliases": "、".join(u.aliases), "children": len(tree.children(u.id)),
            })
    cols = [
        Column("code", t("col.code")),
        Column("_tree_name", t("col.unit_name")),
        Column("_level_name", t("col.level")),
        Column("parent_code", t("col.parent")),
        Column("children", t("col.children"), align="right"),
        Column("aliases", t("col.aliases")),
    ]
    return Table(cols, rows, title=t("units.title", n=len(rows)))


def indicators_table(db) -> Table:
    from shiwan.base.i18n import is_en

    cat = Catalog.from_db(db)
    rows = []
    for ind in cat.indicators:
        rows.append({
            "code": ind.code, "name": ind.name, "name_en": ind.name_en, "aliases": "、".join(ind.aliases),
            "unit": ind.measure_label(), "kind": ind.kind, "_kind_name": t(f"kind.{ind.kind}"),
            "decimals": ind.decimals, "headline": ind.headline,
        })
    cols = [Column("code", t("col.code")), Column("name_en" if is_en() else "name", t("col.indicator")),
            Column("aliases", t("col.aliases")), Column("unit", t("col.measure")), Column("_kind_name", t("col.kind"))]
    return Table(cols, rows, title=t("indicators.title", n=len(rows), version=cat.version))


def add_unit(db, code: str, name: str, parent_code: str, level: str | None, aliases: list[str]) -> tuple[str, str, str]:
    from shiwan.base.safetext import has_controls

    for text in (code, name, *aliases):
        if has_controls(text) or not text.strip():
            raise UserError("units.bad_text", text=text, exit_code=2)
    tree = UnitTree.from_db(db)
    if code in tree.by_code:
        raise UserError("units.exists", code=code, name=tree.by_code[code].name)
    parent = tree.by_code.get(parent_code)
    if parent is None:
        raise UserError("layout.unknown_unit_code", code=parent_code)
    if level is None:
        level = {"country": "province", "province": "city", "city": "county"}.get(parent.level, "other")
    if level not in LEVELS:
        raise UserError("units.bad_level", level=level, levels=", ".join(LEVELS), exit_code=2)
    siblings = tree.children(parent.id)
    clash = tree.resolve(name, within=parent.id)
    if clash.unit is not None and clash.unit.parent_id == parent.id and clash.unit.name == name:
        raise UserError("units.name_taken", name=name, code=clash.unit.code)
    order = max((s.sort_order for s in siblings), default=parent.sort_order) + 1
    with db.transaction():
        db.insert("unit", {"code": code, "name": name, "level": level, "parent_id": parent.id,
                           "aliases": "|".join(aliases), "sort_order": order, "is_division": False,
                           "note": "added with shiwan units add"})
    return code, name, parent.name
