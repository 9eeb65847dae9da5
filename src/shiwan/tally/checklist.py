"""三个扶持建立: does each city's own office have its base, market and entity; certified agencies and schools."""

from __future__ import annotations

from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref.campaigns import default_campaign
from shiwan.tally.engine import Values
from shiwan.tally.report import (
    ROW_UNIT,
    Col,
    Report,
    Section,
    context,
    period_line,
    resolve_scope,
    resolve_span,
    round_to,
)


def checklist_report(db, *, period: str | None = None, under: str | None = None) -> Report:
    """For every city's own office (本级): at least one base, one market, one economic entity, and the
    certification of its job agencies and training organisations (stock levels at `period`)."""
    tree, cat = context(db)
    span = resolve_span(db, period)
    period = span.last  # stocks: the level at the end of the period
    scope = resolve_scope(tree, under, period)
    view = tree.at(period)
    camp = default_campaign(db)
    cfg = camp.config if camp else {}
    check = [c for c in cfg.get("checklist", ["bases", "markets", "entities"]) if c in cat.by_code]
    pairs = [p for p in cfg.get("certified", [["agencies", "agencies_certified"], ["training_orgs", "training_orgs_certified"]])
             if p[0] in cat.by_code and p[1] in cat.by_code]
    codes = check + [c for p in pairs for c in p]
    if not codes:
        raise UserError("checklist.none")
    values = Values(db, tree, cat, codes, period, period, scope.id)
    rows = []
    for u in view.children(scope.id) or [scope]:
        row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "row_type": ROW_UNIT, "period": period,
                               "_label": u.name + (t("row.own_suffix") if view.children(u.id) else "")}
        met_all = True
        reported = False
        for code in check:
            v = values.level(u.id, code, period)
            reported = reported or v is not None
            row[code] = round_to(v, cat.by_code[code])
            row[f"{code}_met"] = bool(v and v >= 1)
            met_all = met_all and bool(v and v >= 1)
        row["all_met"] = met_all if reported else None
        for whole, part in pairs:
            w, p = values.level(u.id, whole, period), values.level(u.id, part, period)
            row[whole], row[part] = round_to(w, cat.by_code[whole]), round_to(p, cat.by_code[part])
            row[f"_{whole}_cert"] = f"{int(p or 0)}/{int(w or 0)}" if w is not None else ""
            row[f"{whole}_all_certified"] = (w is not None and p is not None and w > 0 and p >= w) if w is not None else None
        rows.append(row)
    met = sum(1 for r in rows if r["all_met"])
    cols = [Col("_label", t("col.unit"))]
    cols += [Col(code, cat.by_code[code].label(), "num") for code in check]
    cols.append(Col("all_met", t("col.three_met"), "flag"))
    cols += [Col(f"_{whole}_cert", t("col.certified", what=cat.by_code[whole].label())) for whole, _ in pairs]
    return Report(
        kind="checklist", title=t("checklist.title", unit=scope.name),
        period_line=period_line(span if not span.is_month else period, ytd=False),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("checklist.measure")),
        sections=[Section(t("checklist.section"), cols, rows)], period=period, scope_code=scope.code,
        notes=[t("checklist.note", met=met, n=len(rows))],
    )


# -- trend ------------------------------------------------------------------------------------------------------


