"""The stored targets as rows and a table, with the allocation warnings beside them."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.problems import Problem
from shiwan.base.table import Column, Table
from shiwan.recognize.targets import year_text
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.units import UnitTree
from shiwan.store.targets import allocation_warnings, campaign_of


def targets_rows(db, *, year: int | None = None, under: str | None = None, campaign: str | None = None) -> list[dict]:
    camp = campaign_of(db, campaign)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    scope = None
    if under:
        scope = tree.by_code.get(under)
        if scope is None:
            raise UserError("layout.unknown_unit_code", code=under)
    where = "campaign_id = :c" + (" AND year = :y" if year is not None else "")
    order = {u.id: n for n, u in enumerate(u for r in tree.roots() for u in tree.subtree(r.id))}
    rows = []
    for uid, iid, y, value, set_at, set_by, source in db.all(
        f"SELECT unit_id, indicator_id, year, value, set_at, set_by, source FROM target WHERE {where}",
        {"c": camp.id, "y": year},
    ):
        u = tree.by_id[uid]
        if scope is not None and not tree.is_within(u, scope.id):
            continue
        ind = cat.by_id[iid]
        rows.append({"campaign": camp.code, "unit_code": u.code, "unit_name": u.name, "indicator": ind.code,
                     "year": "campaign" if y == CAMPAIGN_TOTAL else y, "value": value if ind.decimals else int(value),
                     "set_at": set_at, "user": set_by, "source": source,
                     "_order": (0 if y == CAMPAIGN_TOTAL else y, ind.sort_order, order.get(uid, 0)),
                     "_year": year_text(y), "_indicator": ind.label(), "_name": "  " * tree.depth(u) + u.name})
    rows.sort(key=lambda r: r["_order"])
    return rows


def targets_table(db, **kw) -> tuple[Table, list[Problem]]:
    rows = targets_rows(db, **kw)
    camp = campaign_of(db, kw.get("campaign"))
    years = sorted({r["year"] for r in rows}, key=lambda y: -1 if y == "campaign" else y)
    warns = []
    for y in years:
        warns += allocation_warnings(db, camp, CAMPAIGN_TOTAL if y == "campaign" else y)

    def num(v):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"

    cols = [Column("_year", t("col.year")), Column("_indicator", t("col.indicator")), Column("_name", t("col.unit")),
            Column("unit_code", t("col.code")), Column("value", t("col.target"), align="right", fmt=num),
            Column("source", t("col.source"))]
    return Table(cols, rows, title=t("targets.title", campaign=camp.label())), warns
