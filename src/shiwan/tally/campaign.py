"""The campaign report: done since the start, share of the campaign target, what each month still needs."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.ref.units import UnitRec
from shiwan.tally.engine import Values, targets_for
from shiwan.tally.report import (
    ROW_OWN,
    ROW_TOTAL,
    ROW_UNIT,
    Col,
    Report,
    Section,
    context,
    own_label,
    r6,
    rank_desc,
    ratio,
    resolve_period,
    resolve_scope,
    round_to,
    section_title,
)

# -- campaign ------------------------------------------------------------------------------------------------


def campaign_report(db, *, period: str | None = None, under: str | None = None, campaign: str | None = None) -> Report:
    """Progress toward the campaign target by unit: achieved since the campaign began, share of the
    target, share of the campaign's months elapsed, gap, and what is still needed per remaining month."""
    from shiwan.ref.campaigns import list_campaigns

    tree, cat = context(db)
    camps = list_campaigns(db)
    camp = next((c for c in camps if c.code == campaign), None) if campaign else default_campaign(db)
    if camp is None:
        raise UserError("campaign.none" if not campaign else "campaign.unknown", code=campaign or "")
    period = resolve_period(db, period)
    as_of = min(max(period, camp.start), camp.end)
    scope = resolve_scope(tree, under) if under else tree.by_id[camp.unit_id]
    ind = cat.by_id[camp.indicator_id]
    ends = [min(as_of, periods.make(y, 12)) for y in range(periods.year_of(camp.start), periods.year_of(as_of) + 1)]
    before_start = [periods.previous(camp.start)] if periods.month_of(camp.start) > 1 else []
    values = Values(db, tree, cat, [ind.code], periods.year_start(camp.start), as_of, scope.id,
                    focus=ends + before_start)
    # achieved since the start: each year's 累计 at its last month within the campaign, less what
    # was done in that year before the campaign began
    achieved: dict[int, float | None] = {}
    first_year, last_year = periods.year_of(camp.start), periods.year_of(as_of)
    for y in range(first_year, last_year + 1):
        end = min(as_of, periods.make(y, 12))
        tot = values.totals(ind.code, end, "ytd")
        before = values.totals(ind.code, periods.previous(camp.start), "ytd") if y == first_year and \
            periods.month_of(camp.start) > 1 else {}
        for uid, v in tot.items():
            if v is None:
                continue
            v -= before.get(uid) or 0.0
            achieved[uid] = (achieved.get(uid) or 0.0) + v
    totals_t = targets_for(db, 0, [ind.id], camp.id)
    years = range(first_year, periods.year_of(camp.end) + 1)
    annual = {y: targets_for(db, y, [ind.id], camp.id) for y in years}
    elapsed = periods.months_between(camp.start, as_of) / camp.months
    left = periods.months_between(periods.add_months(as_of, 1), camp.end) if as_of < camp.end else 0

    def target_of(u: UnitRec) -> float | None:
        t_ = totals_t.get((u.id, ind.id))
        if t_ is not None:
            return t_
        parts = [annual[y].get((u.id, ind.id)) for y in years]
        return sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None

    rows = []
    shares: dict[int, float | None] = {}
    entries = [(ROW_UNIT, c) for c in tree.children(scope.id)]
    if values.ytd(scope.id, ind.code, as_of) is not None:
        entries.append((ROW_OWN, scope))
    entries.append((ROW_TOTAL, scope))
    for kind, u in entries:
        if kind == ROW_OWN:
            got = sum((values.ytd(scope.id, ind.code, min(as_of, periods.make(y, 12))) or 0.0)
                      for y in range(first_year, last_year + 1))
            if periods.month_of(camp.start) > 1:
                got -= values.ytd(scope.id, ind.code, periods.previous(camp.start)) or 0.0
            target = None
        else:
            got = achieved.get(u.id)
            target = target_of(u)
            if kind == ROW_TOTAL and target is None:
                target = camp.total_target or None
        share = ratio(got, target)
        remaining = max(0.0, target - (got or 0.0)) if target is not None else None
        row = {
            "unit_code": u.code, "unit_name": u.name, "row_type": kind, "campaign": camp.code, "indicator": ind.code,
            "period": as_of, "achieved": round_to(got, ind), "target": round_to(target, ind), "share": r6(share),
            "elapsed": r6(elapsed), "gap_pp": r6((share - elapsed) * 100) if share is not None else None,
            "remaining": round_to(remaining, ind), "months_left": left,
            "per_month_needed": round_to(remaining / left, ind) if (remaining is not None and left) else None,
            "rank": None,
            "_label": own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name,
        }
        if kind == ROW_UNIT:
            shares[u.id] = share
        rows.append(row)
    ranks = rank_desc(shares)
    for r in rows:
        if r["row_type"] == ROW_UNIT:
            r["rank"] = ranks.get(tree.by_code[r["unit_code"]].id)
    d = ind.decimals
    cols = [Col("_label", t("col.unit")), Col("achieved", t("col.achieved"), "num", d),
            Col("target", t("col.campaign_target"), "num", d), Col("share", t("col.share"), "pct"),
            Col("elapsed", t("col.elapsed"), "pct"), Col("gap_pp", t("col.gap"), "pp"),
            Col("remaining", t("col.remaining"), "num", d), Col("per_month_needed", t("col.per_month"), "num", d),
            Col("rank", t("col.rank"), "rank")]
    return Report(
        kind="campaign", title=t("campaign.title", unit=scope.name, campaign=camp.label()),
        period_line=t("campaign.period_line", start=camp.start, end=camp.end, as_of=as_of),
        unit_line=t("report.unit_line", unit=scope.name, measure=ind.measure_label()),
        sections=[Section(section_title(ind), cols, rows, ind.measure_label(), chart=("_label", "share"))],
        period=as_of, scope_code=scope.code,
        notes=[t("campaign.note", months=camp.months, elapsed=periods.months_between(camp.start, as_of), left=left,
                 target=f"{camp.total_target:,.0f}")] + ([t("campaign.illustrative")] if camp.illustrative else []),
    )


# -- 三个扶持建立 checklist -------------------------------------------------------------------------------------


