"""`shiwan campaign list|show`: the campaigns a database holds."""

from __future__ import annotations

from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.campaigns import list_campaigns
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree


def campaigns_table(db) -> Table:
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    rows = []
    for c in list_campaigns(db):
        rows.append({"campaign": c.code, "campaign_name": c.name, "campaign_name_en": c.name_en, "unit_code": tree.by_id[c.unit_id].code,
                     "unit_name": tree.by_id[c.unit_id].name, "start": c.start, "end": c.end,
                     "indicator": cat.by_id[c.indicator_id].code, "total_target": c.total_target,
                     "default": c.is_default, "illustrative": c.illustrative,
                     "_span": f"{c.start} – {c.end}", "_label": c.label(),
                     "_default": "✓" if c.is_default else ""})
    cols = [Column("campaign", t("col.code")), Column("_label", t("col.name")), Column("unit_name", t("col.unit")),
            Column("_span", t("col.span")), Column("indicator", t("col.headline")),
            Column("total_target", t("col.total_target"), align="right", fmt=lambda v: f"{v:,.0f}"),
            Column("_default", t("col.default"))]
    return Table(cols, rows, title=t("campaign.list_title"))
