"""The progress table: 本月, 本年累计, target, 完成率, 时间进度, 进度差, 同比 and rank per unit.

What it does not know, it says (docs/reports.md): a figure carried from an earlier month is marked
and not ranked; 同比 compares like with like (a figure that stands at May with January–May of the
year before); the 合计's target is the scope's own, else the sum over the units that have one,
compared only with those units' figures and marked partial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.catalog import IndicatorDef
from shiwan.ref.units import UnitRec, UnitTree
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
    default_campaign_id,
    default_campaign_name,
    join_list,
    mark_coverage,
    mark_partial_target,
    own_label,
    period_line,
    r6,
    rank_desc,
    ratio,
    refuse_if_empty,
    resolve_indicators,
    resolve_period,
    resolve_scope,
    round_to,
    section_title,
    total_target,
)


@dataclass
class _Scope:
    """What every section of one progress table shares."""

    tree: UnitTree
    values: Values
    targets: dict[tuple[int, int], float]
    scope: UnitRec
    period: str
    tp: float
    marks: Marks


@dataclass
class _Entry:
    kind: str
    unit: UnitRec
    ytd: float | None
    month: float | None
    prev: float | None
    cov: Coverage | None
    target: float | None = None


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
    ctx = _Scope(tree, values, targets_for(db, year, [i.id for i in inds], default_campaign_id(db)), scope, period,
                 periods.time_progress(period, time_basis), Marks())
    sections = [_section(ctx, ind) for ind in inds]
    refuse_if_empty(db, sections, period)
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=default_campaign_name(db)),
        period_line=period_line(period),
        unit_line=t("report.unit_line", unit=scope.name, measure=join_list(dict.fromkeys(i.measure_label() for i in inds))),
        sections=sections, period=period, scope_code=scope.code,
        notes=[t("progress.note", tp=f"{ctx.tp * 100:.1f}%")], marks=ctx.marks.legend(),
    )


def _entries(ctx: _Scope, ind: IndicatorDef) -> list[_Entry]:
    """The rows of one indicator: every child of the scope, the scope's own office, the total."""
    v, scope, period, code = ctx.values, ctx.scope, ctx.period, ind.code
    flow = ind.kind == "flow"
    ytd = v.totals(code, period, "ytd")
    month = v.totals(code, period, "month") if flow else {}
    prev = v.prev_year_totals(code, period) if flow else {}
    cov = v.coverage(code, period)
    out = [_Entry(ROW_UNIT, c, ytd.get(c.id), month.get(c.id), prev.get(c.id), cov.get(c.id),
                  ctx.targets.get((c.id, ind.id))) for c in ctx.tree.children(scope.id)]
    own_ytd = v.value(scope.id, code, period, "ytd")
    if own_ytd is not None or scope.level == "city":
        as_of = v.as_of(scope.id, code, period)
        own_prev = v.ytd(scope.id, code, periods.make(periods.year_of(period) - 1, periods.month_of(as_of))) \
            if (flow and as_of) else None
        out.append(_Entry(ROW_OWN, scope, own_ytd, v.month(scope.id, code, period) if flow else None, own_prev,
                          Coverage(1, 1 if as_of == period else 0, as_of)))
    out.append(_Entry(ROW_TOTAL, scope, ytd.get(scope.id), month.get(scope.id), prev.get(scope.id), cov.get(scope.id),
                      ctx.targets.get((scope.id, ind.id))))
    return out


def _section(ctx: _Scope, ind: IndicatorDef) -> Section:
    entries = _entries(ctx, ind)
    total = entries[-1]
    basis = total_target(total.target, total.ytd, [(e.target, e.ytd) for e in entries[:-1]])
    rows = []
    for e in entries:
        if e.kind == ROW_TOTAL:
            row = _row(ctx, ind, e, basis.target, basis.compared)
            mark_partial_target(ctx.marks, row, basis, stock=ind.kind == "stock")
        else:
            row = _row(ctx, ind, e, e.target, e.ytd)
        rows.append(row)
    _rank(ctx, ind, rows)
    sec = Section(title=section_title(ind), columns=_columns(ind), rows=rows, measure=ind.measure_label(),
                  chart=("_label", "completion") if ind.kind == "flow" else None)
    coverage_column(sec)
    return sec


def _row(ctx: _Scope, ind: IndicatorDef, e: _Entry, target: float | None, compared: float | None) -> dict[str, Any]:
    scope = ctx.scope
    row: dict[str, Any] = {"unit_code": e.unit.code, "unit_name": e.unit.name, "row_type": e.kind, "indicator": ind.code,
                           "period": ctx.period}
    if ind.kind == "flow":
        completion = ratio(compared, target)
        row.update({
            "month": round_to(e.month, ind), "ytd": round_to(e.ytd, ind), "target": round_to(target, ind),
            "completion": r6(completion), "time_progress": r6(ctx.tp),
            "gap_pp": r6((completion - ctx.tp) * 100) if completion is not None else None,
            "yoy": r6(ratio(e.ytd - e.prev, e.prev)) if (e.ytd is not None and e.prev is not None and e.prev > 0) else None,
            "prev_ytd": round_to(e.prev, ind),
            "rank": None,
        })
    else:
        row.update({
            "level": round_to(e.ytd, ind), "target": round_to(target, ind),
            "met": (compared is not None and compared >= target) if target is not None else None,
            "rank": None,
        })
    row.update(coverage_fields(e.cov))
    row["_label"] = own_label(scope) if e.kind == ROW_OWN else t("row.total") if e.kind == ROW_TOTAL else e.unit.name
    row["_carried"] = mark_coverage(ctx.marks, row, e.cov, ctx.period, ("ytd", "level"),
                                    unranked=e.kind == ROW_UNIT, no_month=("month",))
    return row


def _rank(ctx: _Scope, ind: IndicatorDef, rows: list[dict[str, Any]]) -> None:
    """Siblings by completion (stocks: level ÷ target), highest first; a carried figure is not ranked."""
    basis: dict[str, float | None] = {}
    for row in rows:
        if row["row_type"] != ROW_UNIT or row["_carried"]:
            continue
        if ind.kind == "flow":
            basis[row["unit_code"]] = row["completion"]
        else:
            basis[row["unit_code"]] = ratio(row["level"], row["target"])
    ranks = rank_desc(basis)
    for row in rows:
        if row["row_type"] == ROW_UNIT:
            row["rank"] = ranks.get(row["unit_code"])


def _columns(ind: IndicatorDef) -> list[Col]:
    d = ind.decimals
    if ind.kind == "stock":
        return [Col("_label", t("col.unit")), Col("level", t("col.level_now"), "num", d),
                Col("target", t("col.target"), "num", d), Col("met", t("col.met"), "flag"),
                Col("rank", t("col.rank"), "rank")]
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
