"""目标考核: scoring units against their targets by a scheme that is data (DESIGN §2).

The scheme (default `data/assessment-shiwan.toml`, documented in docs/assessment.md) gives weights per
indicator summing to 100, a cap on credited completion, bonus points for the 三个扶持建立, deductions
for returns late, missing or refused, and the score bands.

The total is Σ item scores + bonus − deductions, never below 0 and not capped at 100 (a cap would
erase the bonus and the deductions of every unit at the top). Units are ranked by total; equal
totals are told apart by the months late or missing and the files refused, so that a late return
always costs something visible in the rank. A score that rests on a figure carried from an earlier
month is marked, like every such figure in every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiwan.ref.scheme import Scheme, load_scheme


def scheme_of(db, path: Path | None) -> Scheme:
    """The scheme given, else the default campaign's."""
    if path is not None:
        return load_scheme(path)
    from shiwan.base.errors import UserError
    from shiwan.ref.campaigns import default_campaign

    camp = default_campaign(db)
    if camp is None or "assessment" not in camp.config:
        raise UserError("assessment.no_scheme")
    return Scheme.from_dict(camp.config["assessment"])


@dataclass
class _Ctx:
    """What scoring every unit of one assessment shares."""

    tree: Any  # the units standing in the year assessed
    cat: Any
    scheme: Scheme
    values: Any
    targets: dict
    checklist: list[str]
    as_of: str
    tp: float
    year_end: bool
    month_subs: dict
    deadline_day: int
    refused: list[int]
    marks: Any


def assessment_report(db, *, year: int, as_of: str | None = None, under: str | None = None,
                      scheme_path: Path | None = None):
    """Score every unit below `under` (default: the province's cities) for `year`, as of a month."""
    from shiwan.base.errors import UserError
    from shiwan.base.i18n import pick, t
    from shiwan.ref import periods
    from shiwan.ref.campaigns import default_campaign
    from shiwan.tally.completeness import submissions
    from shiwan.tally.engine import Values, targets_for
    from shiwan.tally.report import Marks, Report, Section, context, resolve_scope

    tree, cat = context(db)
    scheme = scheme_of(db, scheme_path)
    for code, _w in scheme.items:
        if code not in cat.by_code:
            raise UserError("assessment.unknown_indicator", code=code)
    if as_of is None:
        latest = db.scalar("SELECT MAX(period) FROM figure WHERE period BETWEEN :a AND :b",
                           {"a": periods.make(year, 1), "b": periods.make(year, 12)})
        as_of = latest or periods.make(year, 12)
    if periods.year_of(as_of) != year:
        raise UserError("assessment.as_of_year", as_of=as_of, year=year, exit_code=2)
    scope = resolve_scope(tree, under, as_of)
    view = tree.at(as_of)  # the units standing in the year assessed
    camp = default_campaign(db)
    codes = [c for c, _ in scheme.items]
    checklist = [c for c in ((camp.config.get("checklist") if camp else None) or []) if c in cat.by_code]
    ctx = _Ctx(view, cat, scheme,
               Values(db, tree, cat, codes + checklist, periods.make(year, 1), as_of, scope.id, focus=[as_of]),
               targets_for(db, year, [cat.by_code[c].id for c in codes], camp.id if camp else None), checklist,
               as_of, periods.time_progress(as_of), periods.month_of(as_of) == 12,
               {p: submissions(db, p) for p in periods.span(periods.make(year, 1), as_of)},
               int(db.meta("deadline_day") or 5), _refused_returns(db, periods.make(year, 1), as_of), Marks())
    summary, detail = [], []
    for u in view.children(scope.id):
        row, items = _score_unit(ctx, u, year)
        summary.append(row)
        detail += items
    _rank_and_band(ctx, summary)
    order = {r["unit_code"]: n for n, r in enumerate(summary)}
    detail.sort(key=lambda d: order[d["unit_code"]])
    return Report(
        kind="assessment", title=t("assessment.title", unit=scope.name, year=year, scheme=pick(scheme.name, scheme.name_en)),
        period_line=t("assessment.period_line", as_of=as_of, tp=f"{ctx.tp * 100:.1f}%") if not ctx.year_end
        else t("assessment.period_line_year", year=year),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("assessment.measure")),
        sections=[Section(t("assessment.section_summary"), _summary_columns(ctx), summary, chart=("_label", "total")),
                  Section(t("assessment.section_detail"), _detail_columns(), detail)],
        period=as_of, scope_code=scope.code, marks=ctx.marks.legend(),
        notes=[t("assessment.note", excellent=f"{scheme.excellent:g}", passing=f"{scheme.passing:g}"),
               t("assessment.note_rank")],
    )


def _score_unit(ctx: _Ctx, u, year: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One unit's summary row and its detail rows (one per item, the bonus, the deductions)."""
    from shiwan.tally.report import ROW_UNIT, coverage_fields, mark_coverage

    row: dict[str, Any] = {"section": "summary", "unit_code": u.code, "unit_name": u.name, "row_type": ROW_UNIT,
                           "year": year, "period": ctx.as_of, "_label": u.name}
    detail = []
    base = 0.0
    first_cov = None
    for code, weight in ctx.scheme.items:
        item, cov = _item(ctx, u, code, weight)
        first_cov = first_cov or cov
        if mark_coverage(ctx.marks, item, cov, ctx.as_of, ("result", "score"), unranked=False):
            item_marks = item["_marks"]["score"]
            for key in (f"{code}_score", "total"):
                row.setdefault("_marks", {})[key] = row.get("_marks", {}).get(key, "") + \
                    "".join(m for m in item_marks if m not in row.get("_marks", {}).get(key, ""))
        base += item["score"]
        row[f"{code}_score"] = item["score"]
        row[f"{code}_completion"] = item["completion"]
        detail.append(item)
    bonus_item = _bonus(ctx, u)
    deduction_item, counts = _deductions(ctx, u)
    detail += [bonus_item, deduction_item]
    bonus, deduction = bonus_item["score"], abs(deduction_item["score"])
    total = round(max(0.0, base + bonus - deduction), 2)
    row.update({"base": round(base, 2), "bonus": bonus, "deduction": deduction, "total": total, **counts})
    row.update(coverage_fields(first_cov))
    return row, detail


def _item(ctx: _Ctx, u, code: str, weight: float):
    from shiwan.base.i18n import t

    ind = ctx.cat.by_code[code]
    ytd = ctx.values.totals(code, ctx.as_of, "ytd").get(u.id)
    cov = ctx.values.coverage(code, ctx.as_of).get(u.id)
    target = ctx.targets.get((u.id, ind.id))
    completion = (ytd or 0.0) / target if target else None
    credited = None if completion is None else completion if ctx.year_end else completion / ctx.tp
    score = round(weight * min(credited, ctx.scheme.cap), 2) if credited is not None else 0.0
    how = t("assessment.method_year_end" if ctx.year_end else "assessment.method_midyear",
            weight=f"{weight:g}", cap=f"{ctx.scheme.cap * 100:g}%", tp=f"{ctx.tp * 100:.1f}%")
    item = {"section": "detail", "unit_code": u.code, "unit_name": u.name, "item": code, "points": weight,
            "result": _pct(completion) if target else t("assessment.no_target"), "ytd": ytd, "target": target,
            "completion": round(completion, 6) if completion is not None else None,
            "credited": round(credited, 6) if credited is not None else None, "score": score, "method": how,
            "as_of": cov.as_of if cov else None, "_label": u.name, "_item": ind.label()}
    return item, cov


def _bonus(ctx: _Ctx, u) -> dict[str, Any]:
    """三个扶持建立 met by the unit's own office."""
    from shiwan.base.i18n import t

    met = [c for c in ctx.checklist if (ctx.values.level(u.id, c, ctx.as_of) or 0) >= 1]
    per = ctx.scheme.bonus_checklist
    return {"section": "detail", "unit_code": u.code, "unit_name": u.name, "item": "bonus_checklist",
            "points": len(ctx.checklist) * per, "result": t("assessment.checklist_result", met=len(met), n=len(ctx.checklist)),
            "score": round(len(met) * per, 2), "method": t("assessment.method_bonus", points=f"{per:g}"),
            "_label": u.name, "_item": t("assessment.item_bonus")}


def _deductions(ctx: _Ctx, u) -> tuple[dict[str, Any], dict[str, int]]:
    """Months in which a return of the unit or its subtree came in late, months in which one was
    missing (a month can be both: each costs its own deduction), and refused files."""
    from shiwan.base.i18n import t
    from shiwan.ref import periods
    from shiwan.tally.engine import NOT_REPORTING

    ids = {m.id for m in ctx.tree.subtree(u.id) if m.level not in NOT_REPORTING}
    late = missing = 0
    for p, subs in ctx.month_subs.items():
        due = periods.deadline(p, ctx.deadline_day)
        got = [subs.get(m) for m in ids]
        missing += any(g is None for g in got)
        late += any(g[0] > due for g in got if g is not None)
    refused = sum(1 for uid in ctx.refused if uid in ids)
    s = ctx.scheme
    deduction = round(min(late * s.late + missing * s.missing + refused * s.refused, s.max_deduction), 2)
    item = {"section": "detail", "unit_code": u.code, "unit_name": u.name, "item": "deductions", "points": -s.max_deduction,
            "result": t("assessment.deduction_result", late=late, missing=missing, refused=refused),
            "score": -deduction if deduction else 0.0,
            "method": t("assessment.method_deduction", late=f"{s.late:g}", missing=f"{s.missing:g}",
                        refused=f"{s.refused:g}", max=f"{s.max_deduction:g}"),
            "_label": u.name, "_item": t("assessment.item_deduction")}
    return item, {"late_months": late, "missing_months": missing, "refused_files": refused}


def _rank_and_band(ctx: _Ctx, summary: list[dict[str, Any]]) -> None:
    """Rank by total, highest first; equal totals by fewer months late or missing, then fewer files
    refused; units equal in all of these share a rank. Sorts `summary` by rank."""
    from shiwan.base.i18n import t

    def key(r: dict[str, Any]) -> tuple:
        return (-r["total"], r["late_months"] + r["missing_months"], r["missing_months"], r["refused_files"])

    ordered = sorted(key(r) for r in summary)
    for r in summary:
        r["rank"] = ordered.index(key(r)) + 1
        r["band"] = "excellent" if r["total"] >= ctx.scheme.excellent else "pass" if r["total"] >= ctx.scheme.passing \
            else "fail"
        r["_band"] = t(f"assessment.band.{r['band']}")
    summary.sort(key=lambda r: (r["rank"], r["unit_code"]))


def _summary_columns(ctx: _Ctx):
    from shiwan.base.i18n import t
    from shiwan.tally.report import Col

    cols = [Col("_label", t("col.unit"))]
    cols += [Col(f"{c}_score", t("assessment.col_item", item=ctx.cat.by_code[c].label(), weight=f"{w:g}"), "num", 2)
             for c, w in ctx.scheme.items]
    cols += [Col("bonus", t("assessment.col_bonus"), "num", 2), Col("deduction", t("assessment.col_deduction"), "num", 2),
             Col("total", t("assessment.col_total"), "num", 2), Col("rank", t("col.rank"), "rank"),
             Col("_band", t("assessment.col_band"))]
    return cols


def _detail_columns():
    from shiwan.base.i18n import t
    from shiwan.tally.report import Col

    return [Col("_label", t("col.unit")), Col("_item", t("assessment.col_project")),
            Col("points", t("assessment.col_points"), "num", 0), Col("result", t("assessment.col_result")),
            Col("score", t("assessment.col_score"), "num", 2), Col("method", t("assessment.col_method"), "text")]


def _refused_returns(db, first: str, last: str) -> list[int]:
    """One unit id per refused return: each distinct file (by SHA-256) once, however often it was
    tried, and not when the same unit's return for that month was accepted afterwards (the clerk
    corrected it)."""
    accepted: dict[tuple[int, str], str] = {}
    for uid, period, at in db.all("SELECT unit_id, period, MAX(imported_at) FROM import_log WHERE status IN "
                                  "('imported', 'revised', 'reverted') AND period BETWEEN :a AND :b "
                                  "GROUP BY unit_id, period", {"a": first, "b": last}):
        accepted[(uid, period)] = at
    seen: set[tuple[int, str, str]] = set()
    out = []
    for uid, period, sha, at in db.all("SELECT unit_id, period, sha256, imported_at FROM import_log WHERE status = "
                                       "'rejected' AND unit_id IS NOT NULL AND period BETWEEN :a AND :b ORDER BY id",
                                       {"a": first, "b": last}):
        if (uid, period, sha) in seen or (accepted.get((uid, period)) or "") > at:
            continue
        seen.add((uid, period, sha))
        out.append(uid)
    return out


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"
