"""The progress table: 本月, 本年累计, target, 完成率, 时间进度, 进度差, 同比 and rank per unit."""

from __future__ import annotations

from typing import Any

from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.catalog import IndicatorDef
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
    default_campaign_id,
    default_campaign_name,
    join_list,
    own_label,
    period_line,
    r6,
    rank_desc,
    ratio,
    resolve_indicators,
    resolve_period,
    resolve_scope,
    round_to,
    section_title,
)

# -- progress ------------------------------------------------------------------------------------------------


def progress_report(db, *, period: str | None = None, under: str | None = None, indicators: list[str] | None = None,
                    time_basis: str = "month") -> Report:
    tree, cat = context(db)
    period = resolve_period(db, period)
    scope = resolve_scope(tree, under)
    inds = resolve_indicators(cat, indicators)
    year = periods.year_of(period)
    prev_year_period = periods.make(year - 1, periods.month_of(period))
    values = Values(db, tree, cat, [i.code for i in inds], periods.make(year - 1, 1), period, scope.id,
                    focus=[period, prev_year_period])
    targets = targets_for(db, year, [i.id for i in inds], default_campaign_id(db))
    tp = periods.time_progress(period, time_basis)
    children = tree.children(scope.id)
    sections = []
    for ind in inds:
        ytd = values.totals(ind.code, period, "ytd")
        if ind.kind == "flow":
            month = values.totals(ind.code, period, "month")
            prev = values.totals(ind.code, prev_year_period, "ytd")
        rows = []
        entries: list[tuple[str, UnitRec, float | None, float | None, float | None]] = []
        for c in children:
            entries.append((ROW_UNIT, c, ytd.get(c.id), month.get(c.id) if ind.kind == "flow" else None,
                            prev.get(c.id) if ind.kind == "flow" else None))
        own_ytd = values.value(scope.id, ind.code, period, "ytd")
        if own_ytd is not None or scope.level == "city":
            entries.append((ROW_OWN, scope, own_ytd,
                            values.month(scope.id, ind.code, period) if ind.kind == "flow" else None,
                            values.ytd(scope.id, ind.code, prev_year_period) if ind.kind == "flow" else None))
        entries.append((ROW_TOTAL, scope, ytd.get(scope.id), month.get(scope.id) if ind.kind == "flow" else None,
                        prev.get(scope.id) if ind.kind == "flow" else None))
        completions: dict[int, float | None] = {}
        for kind, u, y, m, p in entries:
            target = targets.get((u.id, ind.id)) if kind != ROW_OWN else None
            if kind == ROW_TOTAL and target is None:
                kids = [targets.get((c.id, ind.id)) for c in children]
                target = sum(k for k in kids if k is not None) if any(k is not None for k in kids) else None
            row: dict[str, Any] = {
                "unit_code": u.code,
                "unit_name": u.name,
                "row_type": kind,
                "indicator": ind.code,
                "period": period,
            }
            if ind.kind == "flow":
                completion = ratio(y, target)
                row.update({
                    "month": round_to(m, ind), "ytd": round_to(y, ind), "target": round_to(target, ind),
                    "completion": r6(completion), "time_progress": r6(tp),
                    "gap_pp": r6((completion - tp) * 100) if completion is not None else None,
                    "yoy": r6(ratio(y - p, p)) if (y is not None and p is not None and p > 0) else None,
                    "prev_ytd": round_to(p, ind),
                    "rank": None,
                })
                if kind == ROW_UNIT:
                    completions[u.id] = completion
            else:
                row.update({
                    "level": round_to(y, ind), "target": round_to(target, ind),
                    "met": (y is not None and y >= target) if target is not None else None,
                    "rank": None,
                })
            row["_label"] = own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name
            rows.append(row)
        if ind.kind == "flow":
            ranks = rank_desc(completions)
            for row in rows:
                if row["row_type"] == ROW_UNIT:
                    row["rank"] = ranks.get(tree.by_code[row["unit_code"]].id)
        sections.append(Section(title=section_title(ind), columns=_progress_columns(ind),
                                rows=rows, measure=ind.measure_label(),
                                chart=("_label", "completion") if ind.kind == "flow" else None))
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=default_campaign_name(db)),
        period_line=period_line(period),
        unit_line=t("report.unit_line", unit=scope.name, measure=join_list(dict.fromkeys(i.measure_label() for i in inds))),
        sections=sections, period=period, scope_code=scope.code,
        notes=[t("progress.note", tp=f"{tp * 100:.1f}%")],
    )


def _progress_columns(ind: IndicatorDef) -> list[Col]:
    d = ind.decimals
    if ind.kind == "stock":
        return [Col("_label", t("col.unit")), Col("level", t("col.level_now"), "num", d), Col("target", t("col.target"), "num", d),
                Col("met", t("col.met"), "flag")]
    return [
        Col("_label", t("col.unit")),
        Col("month", t("col.month"), "num", d),
        Col("ytd", t("col.ytd"), "num", d),
        Col("target", t("col.annual_target"), "num", d),
        Col("completion", t("col.completion"), "pct"),
        Col("time_progress", t("col.time_progress"), "pct"),
        Col("gap_pp", t("col.gap"), "pp"),
        Col("yoy", t("col.yoy"), "pct"),
        Col("rank", t("col.rank"), "rank"),
    ]


