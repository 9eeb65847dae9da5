"""目标考核: scoring units against their targets by a scheme that is data (DESIGN §2).

The scheme (default `data/assessment-shiwan.toml`, documented in docs/assessment.md) gives weights per
indicator summing to 100, a cap on credited completion, bonus points for the 三个扶持建立, deductions
for returns late, missing or refused, and the score bands.
"""

from __future__ import annotations

from pathlib import Path

from shiwan.ref.scheme import Scheme, load_scheme

# -- scoring ------------------------------------------------------------------------------------------------


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


def assessment_report(db, *, year: int, as_of: str | None = None, under: str | None = None,
                      scheme_path: Path | None = None):
    """Score every unit below `under` (default: the province's cities) for `year`, as of a month."""
    from shiwan.base.errors import UserError
    from shiwan.base.i18n import pick, t
    from shiwan.ref import periods
    from shiwan.ref.campaigns import default_campaign
    from shiwan.tally.completeness import NOT_REPORTING, submissions
    from shiwan.tally.engine import Values, targets_for
    from shiwan.tally.report import ROW_UNIT, Col, Report, Section, context, rank_desc, resolve_scope

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
    tp = periods.time_progress(as_of)
    year_end = periods.month_of(as_of) == 12
    codes = [c for c, _ in scheme.items]
    checklist = (camp.config.get("checklist") if camp else None) or []
    values = Values(db, tree, cat, codes + [c for c in checklist if c in cat.by_code], periods.make(year, 1), as_of,
                    scope.id, focus=[as_of])
    targets = targets_for(db, year, [cat.by_code[c].id for c in codes], camp.id if camp else None)
    deadline_day = int(db.meta("deadline_day") or 5)
    month_subs = {p: submissions(db, p) for p in periods.span(periods.make(year, 1), as_of)}
    refused_rows = _refused_returns(db, periods.make(year, 1), as_of)
    units = view.children(scope.id)
    summary, detail = [], []
    totals: dict[int, float] = {}
    for u in units:
        members = [m for m in view.subtree(u.id) if m.level not in NOT_REPORTING]
        ids = {m.id for m in members}
        row: dict = {"unit_code": u.code, "unit_name": u.name, "row_type": ROW_UNIT, "year": year, "as_of": as_of,
                     "_label": u.name}
        base = 0.0
        for code, weight in scheme.items:
            ind = cat.by_code[code]
            ytd = values.totals(code, as_of, "ytd").get(u.id)
            target = targets.get((u.id, ind.id))
            completion = (ytd or 0.0) / target if target else None
            credited = None if completion is None else completion if year_end else completion / tp
            score = round(weight * min(credited, scheme.cap), 2) if credited is not None else 0.0
            base += score
            row[f"{code}_score"] = score
            row[f"{code}_completion"] = round(completion, 6) if completion is not None else None
            how = t("assessment.method_year_end" if year_end else "assessment.method_midyear",
                    weight=f"{weight:g}", cap=f"{scheme.cap * 100:g}%", tp=f"{tp * 100:.1f}%")
            detail.append({"unit_code": u.code, "unit_name": u.name, "item": code, "points": weight,
                           "result": _pct(completion) if target else t("assessment.no_target"),
                           "ytd": ytd, "target": target, "completion": round(completion, 6) if completion is not None else None,
                           "credited": round(credited, 6) if credited is not None else None, "score": score,
                           "method": how, "_label": u.name, "_item": ind.label()})
        # bonus: 三个扶持建立 met by the unit's own office
        met = [c for c in checklist if c in cat.by_code and (values.level(u.id, c, as_of) or 0) >= 1]
        bonus = round(len(met) * scheme.bonus_checklist, 2)
        detail.append({"unit_code": u.code, "unit_name": u.name, "item": "bonus_checklist",
                       "points": len(checklist) * scheme.bonus_checklist,
                       "result": t("assessment.checklist_result", met=len(met), n=len(checklist)), "score": bonus,
                       "method": t("assessment.method_bonus", points=f"{scheme.bonus_checklist:g}"),
                       "_label": u.name, "_item": t("assessment.item_bonus")})
        # deductions: months with returns late or missing, and refused files
        late = missing = 0
        for p, subs in month_subs.items():
            due = periods.deadline(p, deadline_day)
            got = [subs.get(m) for m in ids]
            if any(g is None for g in got):
                missing += 1
            elif any(g[0] > due for g in got if g is not None):
                late += 1
        refused = sum(1 for uid in refused_rows if uid in ids)
        raw = late * scheme.late + missing * scheme.missing + refused * scheme.refused
        deduction = round(min(raw, scheme.max_deduction), 2)
        detail.append({"unit_code": u.code, "unit_name": u.name, "item": "deductions", "points": -scheme.max_deduction,
                       "result": t("assessment.deduction_result", late=late, missing=missing, refused=refused),
                       "score": -deduction if deduction else 0.0, "method": t("assessment.method_deduction", late=f"{scheme.late:g}",
                                                        missing=f"{scheme.missing:g}", refused=f"{scheme.refused:g}",
                                                        max=f"{scheme.max_deduction:g}"),
                       "_label": u.name, "_item": t("assessment.item_deduction")})
        total = round(max(0.0, min(100.0, base + bonus - deduction)), 2)
        totals[u.id] = total
        row.update({"base": round(base, 2), "bonus": bonus, "deduction": deduction, "total": total,
                    "late_months": late, "missing_months": missing, "refused_files": refused})
        summary.append(row)
    ranks = rank_desc(totals)
    for row in summary:
        u = view.by_code[row["unit_code"]]
        row["rank"] = ranks[u.id]
        row["band"] = "excellent" if row["total"] >= scheme.excellent else "pass" if row["total"] >= scheme.passing \
            else "fail"
        row["_band"] = t(f"assessment.band.{row['band']}")
    detail.sort(key=lambda d: ranks[view.by_code[d["unit_code"]].id] or 0)
    for d in detail:
        d["section"] = "detail"
    for row in summary:
        row["section"] = "summary"
    sum_cols = [Col("_label", t("col.unit"))]
    sum_cols += [Col(f"{c}_score", t("assessment.col_item", item=cat.by_code[c].label(), weight=f"{w:g}"), "num", 2)
                 for c, w in scheme.items]
    sum_cols += [Col("bonus", t("assessment.col_bonus"), "num", 2), Col("deduction", t("assessment.col_deduction"), "num", 2),
                 Col("total", t("assessment.col_total"), "num", 2), Col("rank", t("col.rank"), "rank"),
                 Col("_band", t("assessment.col_band"))]
    det_cols = [Col("_label", t("col.unit")), Col("_item", t("assessment.col_project")),
                Col("points", t("assessment.col_points"), "num", 0), Col("result", t("assessment.col_result")),
                Col("score", t("assessment.col_score"), "num", 2), Col("method", t("assessment.col_method"))]
    summary.sort(key=lambda r: (r["rank"] or 999, r["unit_code"]))
    return Report(
        kind="assessment", title=t("assessment.title", unit=scope.name, year=year, scheme=pick(scheme.name, scheme.name_en)),
        period_line=t("assessment.period_line", as_of=as_of, tp=f"{tp * 100:.1f}%") if not year_end
        else t("assessment.period_line_year", year=year),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("assessment.measure")),
        sections=[Section(t("assessment.section_summary"), sum_cols, summary, chart=("_label", "total")),
                  Section(t("assessment.section_detail"), det_cols, detail)],
        period=as_of, scope_code=scope.code,
        notes=[t("assessment.note", excellent=f"{scheme.excellent:g}", passing=f"{scheme.passing:g}")],
    )


def _refused_returns(db, first: str, last: str) -> list[int]:
    """One unit id per refused return: each distinct file (by SHA-256) once, however often it was
    tried, and not when the same unit's return for that month was accepted afterwards."""
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
