"""The campaign report: done since the start, share of the campaign target, what each month still needs."""

from __future__ import annotations

import math

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.ref.lineage import NONE, SAME, SUCCESSORS, Lineage
from shiwan.ref.units import UnitRec
from shiwan.tally.engine import Coverage, Values, targets_for
from shiwan.tally.report import (
    ROW_OWN,
    ROW_TOTAL,
    ROW_UNIT,
    Col,
    Marks,
    Report,
    Section,
    context,
    coverage_column,
    coverage_fields,
    mark_coverage,
    mark_partial_target,
    own_label,
    r6,
    rank_desc,
    ratio,
    refuse_if_empty,
    resolve_scope,
    resolve_span,
    round_to,
    section_title,
    total_target,
)

# -- campaign ------------------------------------------------------------------------------------------------


def campaign_report(db, *, period: str | None = None, under: str | None = None, campaign: str | None = None) -> Report:
    """Progress toward the campaign target by unit: achieved since the campaign began, share of the
    target, share of the campaign's months elapsed, gap, and what is still needed per remaining month.

    A unit that took over others' area during the campaign counts their figures for the years before
    (like with like); where no figure covers its area before a change, it counts from the change on
    and a note says so (ref/lineage.py)."""
    from shiwan.ref.campaigns import list_campaigns

    tree, cat = context(db)
    camps = list_campaigns(db)
    camp = next((c for c in camps if c.code == campaign), None) if campaign else default_campaign(db)
    if camp is None:
        raise UserError("campaign.none" if not campaign else "campaign.unknown", code=campaign or "")
    as_of = min(max(resolve_span(db, period).last, camp.start), camp.end)
    scope = resolve_scope(tree, under, as_of) if under else tree.by_id[camp.unit_id]
    ind = cat.by_id[camp.indicator_id]
    first_year, last_year = periods.year_of(camp.start), periods.year_of(as_of)
    ends = {y: min(as_of, periods.make(y, 12)) for y in range(first_year, last_year + 1)}
    head_start = periods.previous(camp.start) if periods.month_of(camp.start) > 1 else None
    values = Values(db, tree, cat, [ind.code], periods.year_start(camp.start), as_of, scope.id,
                    focus=list(ends.values()) + ([head_start] if head_start else []))
    lineage, notes = Lineage(tree), {}
    per_year = {y: _done_in(values, ind.code, ends[y], head_start if y == first_year else None) for y in ends}

    def achieved(u: UnitRec) -> tuple[float | None, str]:
        return _achieved(u, per_year, lineage, last_year, notes)

    marks = Marks()
    rows = _campaign_rows(db, camp, scope, ind, tree.at(as_of), as_of, values, achieved, first_year, last_year, head_start,
                          marks)
    cols = _campaign_columns(ind.decimals)
    left = periods.months_between(periods.add_months(as_of, 1), camp.end) if as_of < camp.end else 0
    sec = Section(section_title(ind), cols, rows, ind.measure_label(), chart=("_label", "share"))
    refuse_if_empty(db, [sec], as_of)
    coverage_column(sec)
    return Report(
        kind="campaign", title=t("campaign.title", unit=scope.name, campaign=camp.label()),
        period_line=t("campaign.period_line", start=camp.start, end=camp.end, as_of=as_of),
        unit_line=t("report.unit_line", unit=scope.name, measure=ind.measure_label()),
        sections=[sec], period=as_of, scope_code=scope.code, marks=marks.legend(),
        notes=[t("campaign.note", months=camp.months, elapsed=periods.months_between(camp.start, as_of), left=left,
                 target=f"{camp.total_target:,.0f}")] + ([t("campaign.illustrative")] if camp.illustrative else [])
        + list(notes.values()),
    )


def _done_in(values: Values, code: str, end: str, head_start: str | None) -> dict[int, float | None]:
    """Each unit's figure in one year of the campaign, up to `end` (less what came before the
    campaign's start, in its first year)."""
    tot = values.totals(code, end, "ytd")
    if head_start:
        before = values.totals(code, head_start, "ytd")
        tot = {u: (v - (before.get(u) or 0.0) if v is not None else None) for u, v in tot.items()}
    return tot


def _achieved(u: UnitRec, per_year: dict[int, dict], lineage: Lineage, last_year: int,
              notes: dict[int, str]) -> tuple[float | None, str]:
    """What a unit achieved over the campaign, like with like across changes of its area, and on what
    basis (same | successors | partial)."""
    got: float | None = None
    basis = SAME
    for y, tot in per_year.items():
        c = lineage.compare(u, y, last_year)
        if c.basis == NONE:
            basis = "partial"
            notes.setdefault(u.id, c.note())
            continue
        if c.basis == SUCCESSORS:
            basis = SUCCESSORS if basis == SAME else basis
            notes.setdefault(u.id, c.note())
        for v in (tot.get(b.id) for b in c.before):
            if v is not None:
                got = (got or 0.0) + v
    return got, basis


def _campaign_columns(d: int) -> list[Col]:
    return [Col("_label", t("col.unit")), Col("achieved", t("col.achieved"), "num", d),
            Col("target", t("col.campaign_target"), "num", d), Col("share", t("col.share"), "pct"),
            Col("elapsed", t("col.elapsed"), "pct"), Col("gap_pp", t("col.gap"), "pp"),
            Col("remaining", t("col.remaining"), "num", d), Col("per_month_needed", t("col.per_month"), "num", d),
            Col("rank", t("col.rank"), "rank")]


def _campaign_rows(db, camp, scope: UnitRec, ind, view, as_of: str, values: Values, achieved, first_year: int,
                   last_year: int, head_start: str | None, marks: Marks) -> list[dict]:
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
        if any(p is not None for p in parts):
            return sum(p for p in parts if p is not None)
        return (camp.total_target or None) if u.id == camp.unit_id else None

    coverage = values.coverage(ind.code, as_of)
    entries = [(ROW_UNIT, c) for c in view.children(scope.id)]
    if values.ytd(scope.id, ind.code, as_of) is not None:
        entries.append((ROW_OWN, scope))
    entries.append((ROW_TOTAL, scope))
    rows = []
    for kind, u in entries:
        if kind == ROW_OWN:
            got: float | None = sum((values.ytd(scope.id, ind.code, min(as_of, periods.make(y, 12))) or 0.0)
                                    for y in range(first_year, last_year + 1))
            if head_start:
                got = (got or 0.0) - (values.ytd(scope.id, ind.code, head_start) or 0.0)
            basis = SAME
            month = values.as_of(scope.id, ind.code, as_of)
            cov: Coverage | None = Coverage(1, int(month == as_of), month)
        else:
            (got, basis), cov = achieved(u), coverage.get(u.id)
        row = _row(camp, ind, u, kind, got, basis, cov, as_of, marks, scope)
        if kind == ROW_UNIT:
            row["_target"] = target_of(u)
        if kind != ROW_TOTAL:
            _fill_target(row, ind, row["_target"], got, elapsed, left)
        rows.append(row)
    total = rows[-1]
    basis_t = total_target(target_of(scope), total["_got"], [(r["_target"], r["_got"]) for r in rows[:-1]])
    _fill_target(total, ind, basis_t.target, basis_t.compared, elapsed, left)
    mark_partial_target(marks, total, basis_t)
    ranks = rank_desc({r["_unit_id"]: r["share"] for r in rows if r["row_type"] == ROW_UNIT and not r["_carried"]})
    for r in rows:
        if r["row_type"] == ROW_UNIT:
            r["rank"] = ranks.get(r["_unit_id"])
    return rows


_TARGET_KEYS = ("target", "share", "elapsed", "gap_pp", "remaining", "months_left", "per_month_needed")


def _row(camp, ind, u: UnitRec, kind: str, got: float | None, basis: str, cov: Coverage | None, as_of: str,
         marks: Marks, scope: UnitRec) -> dict:
    row = {
        "unit_code": u.code, "unit_name": u.name, "row_type": kind, "campaign": camp.code, "indicator": ind.code,
        "period": as_of, "achieved": round_to(got, ind), "achieved_basis": basis, **dict.fromkeys(_TARGET_KEYS),
        "rank": None, "_unit_id": u.id, "_got": got, "_target": None,
        "_label": own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name,
    }
    row.update(coverage_fields(cov))
    row["_carried"] = mark_coverage(marks, row, cov, as_of, ("achieved",), unranked=kind == ROW_UNIT)
    return row


def _fill_target(row: dict, ind, target: float | None, compared: float | None, elapsed: float, left: int) -> None:
    """Share of the target, the gap to the time elapsed, what is still needed in all and per month
    (rounded up: 367 a month for 35 months must make at least what remains)."""
    share = ratio(compared, target)
    remaining = max(0.0, target - (compared or 0.0)) if target is not None else None
    per_month = None
    if remaining is not None and left:
        per_month = math.ceil(round(remaining / left, 9) * 10 ** ind.decimals) / 10 ** ind.decimals
    row.update({"target": round_to(target, ind), "share": r6(share), "elapsed": r6(elapsed),
                "gap_pp": r6((share - elapsed) * 100) if share is not None else None,
                "remaining": round_to(remaining, ind), "months_left": left,
                "per_month_needed": round_to(per_month, ind)})


# -- 三个扶持建立 checklist -------------------------------------------------------------------------------------


