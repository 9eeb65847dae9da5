"""The progress table: 本月 (or the quarter's, half year's, year's figure), 本年累计, target, 完成率,
时间进度, 进度差, 同比 and rank per unit, for the units standing at the period.

同比 compares like with like across a change of boundaries (ref/lineage.py): a unit that took over
others' area is compared with their sum a year before; where no figure of the year before covers the
unit's area, 同比 is left blank and a note says why. Breakdowns (其中) of an indicator follow it, as
sections of their own, where any of them was reported.
"""

from __future__ import annotations

from typing import Any

from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.lineage import SAME, Comparison, Lineage
from shiwan.ref.units import UnitRec, UnitTree
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
    resolve_scope,
    resolve_span,
    round_to,
    section_title,
)


class _Frame:
    """What every section of one progress report shares: the period, the units, the figures."""

    def __init__(self, db, tree: UnitTree, cat: Catalog, span: periods.Span, scope: UnitRec, codes: list[str]):
        self.span, self.scope, self.cat = span, scope, cat
        self.year = span.year
        self.prev = span.shifted_years(-1)
        self.view = tree.at(span.last)
        self.children = self.view.children(scope.id)
        focus = [span.last, self.prev.last] if span.is_month else None
        self.values = Values(db, tree, cat, codes, periods.make(self.year - 1, 1), span.last, scope.id, focus=focus)
        self.lineage = Lineage(tree)
        self.notes: dict[int, str] = {}

    def figures(self, ind: IndicatorDef, what: str, span: periods.Span) -> dict[int, float | None]:
        if what == "span":
            if span.is_month:
                return self.values.totals(ind.code, span.last, "month")
            return self.values.span_totals(ind.code, span.first, span.last)
        return self.values.totals(ind.code, span.last, what)

    def compare(self, u: UnitRec) -> Comparison:
        return self.lineage.compare(u, self.year - 1, self.year)

    def previous(self, c: Comparison, prev: dict[int, float | None]) -> float | None:
        """The year before, like with like: the unit itself, or the sum of the units it took over."""
        if not c.comparable:
            return None
        if c.basis == SAME:
            return prev.get(c.unit.id)
        got = [prev.get(u.id) for u in c.before]
        return sum(v for v in got if v is not None) if any(v is not None for v in got) else None

    def note(self, c: Comparison) -> None:
        text = c.note()
        if text:
            self.notes.setdefault(c.unit.id, text)


def progress_report(db, *, period: str | None = None, under: str | None = None, indicators: list[str] | None = None,
                    time_basis: str = "month") -> Report:
    tree, cat = context(db)
    span = resolve_span(db, period)
    scope = resolve_scope(tree, under, span.last)
    inds = resolve_indicators(cat, indicators)
    shown = [(i, cat.parts_of(i.code)) for i in inds]
    codes = [c for i, parts in shown for c in (i.code, *(p.code for p in parts))]
    fr = _Frame(db, tree, cat, span, scope, codes)
    targets = targets_for(db, fr.year, [i.id for i in inds], default_campaign_id(db))
    tp = periods.time_progress(span.last, time_basis)
    sections = []
    for ind, parts in shown:
        sections.append(_section(fr, ind, targets, tp))
        for part in parts:
            if any(fr.values.flow.get((u.id, part.code)) or fr.values.stock.get((u.id, part.code)) for u in fr.values.units):
                sections.append(_section(fr, part, targets, tp, whole=ind))
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=default_campaign_name(db)),
        period_line=period_line(span),
        unit_line=t("report.unit_line", unit=scope.name, measure=join_list(dict.fromkeys(i.measure_label() for i in inds))),
        sections=sections, period=span.key, scope_code=scope.code,
        notes=[t("progress.note", tp=f"{tp * 100:.1f}%"), *fr.notes.values()],
    )


def _section(fr: _Frame, ind: IndicatorDef, targets: dict, tp: float, whole: IndicatorDef | None = None) -> Section:
    scope, flow = fr.scope, ind.kind == "flow"
    ytd = fr.figures(ind, "ytd", fr.span)
    part_of = fr.figures(whole, "ytd", fr.span) if whole is not None else {}
    inner = fr.figures(ind, "span", fr.span) if flow else {}
    prev = fr.figures(ind, "ytd", fr.prev) if flow else {}
    entries: list[tuple[str, UnitRec]] = [(ROW_UNIT, c) for c in fr.children]
    if fr.values.value(scope.id, ind.code, fr.span.last, "ytd") is not None or scope.level == "city":
        entries.append((ROW_OWN, scope))
    entries.append((ROW_TOTAL, scope))
    rows, completions = [], {}
    for kind, u in entries:
        row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "row_type": kind, "indicator": ind.code,
                               "period": fr.span.key}
        if not fr.span.is_month:
            row.update({"period_first": fr.span.first, "period_last": fr.span.last})
        if kind == ROW_OWN:
            y = fr.values.value(scope.id, ind.code, fr.span.last, "ytd")
            m = _own_span(fr, ind, scope) if flow else None
            comparison = Comparison(scope, fr.year - 1, fr.year, SAME, [scope], [scope])
            p = fr.values.ytd(scope.id, ind.code, fr.prev.last) if flow else None
        else:
            y, m = ytd.get(u.id), inner.get(u.id)
            comparison = fr.compare(u) if flow else Comparison(u, fr.year, fr.year, SAME)
            p = fr.previous(comparison, prev) if flow else None
        target = _target(fr, targets, ind, kind, u) if whole is None else None
        if flow:
            completion = ratio(y, target)
            row.update({
                ("month" if fr.span.is_month else "in_period"): round_to(m, ind), "ytd": round_to(y, ind),
                "target": round_to(target, ind), "completion": r6(completion), "time_progress": r6(tp),
                "gap_pp": r6((completion - tp) * 100) if completion is not None else None,
                "yoy": r6(ratio(y - p, p)) if (y is not None and p is not None and p > 0) else None,
                "prev_ytd": round_to(p, ind), "yoy_basis": comparison.basis, "rank": None,
            })
            if whole is not None:
                row["share_of_whole"] = r6(ratio(y, part_of.get(u.id) if kind != ROW_OWN else
                                                 fr.values.value(scope.id, whole.code, fr.span.last, "ytd")))
            if kind == ROW_UNIT:
                completions[u.id] = completion
            fr.note(comparison)
        else:
            row.update({"level": round_to(y, ind), "target": round_to(target, ind),
                        "met": (y is not None and y >= target) if target is not None else None, "rank": None})
        row["_label"] = own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name
        row["_unit_id"] = u.id
        rows.append(row)
    if flow and whole is None:
        ranks = rank_desc(completions)
        for row in rows:
            if row["row_type"] == ROW_UNIT:
                row["rank"] = ranks.get(row["_unit_id"])
    title = section_title(ind) if whole is None else t("progress.part_title", whole=whole.label(),
                                                         part=ind.part_label(), measure=ind.measure_label())
    return Section(title=title, columns=_progress_columns(ind, fr.span, whole), rows=rows, measure=ind.measure_label(),
                   chart=("_label", "completion") if flow and whole is None else None)


def _own_span(fr: _Frame, ind: IndicatorDef, scope: UnitRec) -> float | None:
    if fr.span.is_month:
        return fr.values.month(scope.id, ind.code, fr.span.last)
    months = [fr.values.month(scope.id, ind.code, p) for p in fr.span.months()]
    if all(v is not None for v in months):
        return sum(months)  # type: ignore[arg-type]
    end = fr.values.ytd(scope.id, ind.code, fr.span.last)
    before = fr.span.before()
    if end is None:
        return None
    if before is None:
        return end
    start = fr.values.ytd(scope.id, ind.code, before)
    return None if start is None else end - start


def _target(fr: _Frame, targets: dict, ind: IndicatorDef, kind: str, u: UnitRec) -> float | None:
    if kind == ROW_OWN:
        return None
    target = targets.get((u.id, ind.id))
    if kind == ROW_TOTAL and target is None:
        kids = [targets.get((c.id, ind.id)) for c in fr.children]
        target = sum(k for k in kids if k is not None) if any(k is not None for k in kids) else None
    return target


def _progress_columns(ind: IndicatorDef, span: periods.Span, whole: IndicatorDef | None = None) -> list[Col]:
    d = ind.decimals
    if ind.kind == "stock":
        return [Col("_label", t("col.unit")), Col("level", t("col.level_now"), "num", d), Col("target", t("col.target"), "num", d),
                Col("met", t("col.met"), "flag")]
    inner = Col("month", t("col.month"), "num", d) if span.is_month else Col("in_period", t(f"col.in_{span.kind}"), "num", d)
    if whole is not None:
        return [Col("_label", t("col.unit")), inner, Col("ytd", t("col.ytd"), "num", d),
                Col("share_of_whole", t("col.share_of_whole"), "pct"), Col("yoy", t("col.yoy"), "pct")]
    return [
        Col("_label", t("col.unit")),
        inner,
        Col("ytd", t("col.ytd"), "num", d),
        Col("target", t("col.annual_target"), "num", d),
        Col("completion", t("col.completion"), "pct"),
        Col("time_progress", t("col.time_progress"), "pct"),
        Col("gap_pp", t("col.gap"), "pp"),
        Col("yoy", t("col.yoy"), "pct"),
        Col("rank", t("col.rank"), "rank"),
    ]
