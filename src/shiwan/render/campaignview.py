"""`shiwan campaign show`: one campaign, its span, headline indicator, targets and scheme."""

from __future__ import annotations

import sys

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.campaigns import default_campaign, list_campaigns
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.units import UnitTree
from shiwan.render.output import render, to_json


def show_campaign(db, code: str | None, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    camps = list_campaigns(db)
    camp = next((c for c in camps if c.code == code), None) if code else default_campaign(db)
    if camp is None:
        raise UserError("campaign.unknown" if code else "campaign.none", code=code or "")
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    targets = db.all("SELECT year, indicator_id, unit_id, value FROM target WHERE campaign_id = :c ORDER BY year",
                     {"c": camp.id})
    by_year: dict[str, dict[str, float]] = {}
    for year, iid, uid, value in targets:
        if uid != camp.unit_id:
            continue
        key = "campaign" if year == CAMPAIGN_TOTAL else str(year)
        by_year.setdefault(key, {})[cat.by_id[iid].code] = value
    info = {
        "campaign": camp.code, "campaign_name": camp.name, "campaign_name_en": camp.name_en,
        "unit_code": tree.by_id[camp.unit_id].code, "unit_name": tree.by_id[camp.unit_id].name,
        "start": camp.start, "end": camp.end, "months": camp.months, "indicator": cat.by_id[camp.indicator_id].code,
        "total_target": camp.total_target, "default": camp.is_default, "illustrative": camp.illustrative,
        "targets_of_unit": by_year, "targets_stored": len(targets), "checklist": camp.config.get("checklist", []),
        "assessment": camp.config.get("assessment"),
    }
    if fmt == "json":
        stream.write(to_json(info) + "\n")
        return
    lines = [
        f"{camp.label()} ({camp.code})" + (f"  [{t('campaign.illustrative_short')}]" if camp.illustrative else ""),
        f"  {t('col.unit')}: {tree.by_id[camp.unit_id].name}   {t('col.span')}: {camp.start} – {camp.end} "
        f"({camp.months} {t('campaign.months')})",
        f"  {t('col.headline')}: {cat.by_id[camp.indicator_id].label()}   {t('col.total_target')}: {camp.total_target:,.0f}",
        f"  {t('campaign.targets_stored', n=len(targets))}",
    ]
    if camp.config.get("checklist"):
        lines.append("  " + t("campaign.checklist", items="、".join(cat.by_code[c].label() for c in camp.config["checklist"]
                                                                  if c in cat.by_code)))
    scheme = camp.config.get("assessment")
    if scheme:
        items = "、".join(f"{cat.by_code[c].label()} {w:g}" for c, w in scheme["items"] if c in cat.by_code)
        lines.append("  " + t("campaign.scheme", name=scheme.get("name", ""), items=items))
    stream.write("\n".join(lines) + "\n\n")
    rows = []
    for year, vals in by_year.items():
        rows.append({"year": t("targets.whole_campaign") if year == "campaign" else year,
                     **{k: f"{v:,.0f}" for k, v in vals.items()}})
    codes = sorted({k for v in by_year.values() for k in v}, key=lambda c: cat.by_code[c].sort_order)
    cols = [Column("year", t("col.year"))] + [Column(c, cat.by_code[c].label(), align="right") for c in codes]
    render(Table(cols, rows, title=t("campaign.unit_targets", unit=tree.by_id[camp.unit_id].name)),
           fmt if fmt in ("csv", "md") else "table", stream)
