"""The progress table: 本月 (or the quarter's, half year's, year's figure), 本年累计, target, 完成率,
时间进度, 进度差, 同比 and rank per unit, for the units standing at the period.

同比 compares like with like across a change of boundaries (ref/lineage.py): a unit that took over
others' area is compared with their sum a year before; where no figure of the year before covers the
unit's area, 同比 is left blank and a note says why; a unit whose figure stands at an earlier month
(it did not report) is compared with the same months of the year before. Breakdowns (其中) of an
indicator follow it, as sections of their own, where any of them was reported.

What it does not know, it says (docs/reports.md): a figure carried from an earlier month is marked
and not ranked, its 本月 shows 未报; the 合计's target is the scope's own, else the sum over the units
that have one, held against those units' figures only and marked partial.
"""

from __future__ import annotations

from typing import Any

from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.lineage import SAME, Comparison, Lineage
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
    resolve_scope,
    resolve_span,
    round_to,
    section_title,
    total_target,
)


class _Frame:
    """What every section of one progress report shares: the period, the units, the figures."""

    def __init__(self, db, tree: UnitTree, cat: Catalog, span: periods.Span, scope: UnitRec, codes: list[str]):
        self.span, self.scope, self.cat = span, scope, cat
        self.year = span.year
        self.prev = span.shifted_years(-1)
        self.view = tree.at(span.last)
        self.children = self.view.children(scope.id)
        # the months asked about: the span's (each month's figure, or its 累计 at the end less before it)
        # and the same month a year before
        focus = [*span.months(), *([span.before()] if span.before() else []), self.prev.last]
        self.values = Values(db, tree, cat, codes, periods.make(self.year - 1, 1), span.last, scope.id, focus=focus)
        self.lineage = Lineage(tree)
        self.notes: dict[int, str] = {}
        self.marks = Marks()
        self._earlier: dict[tuple[str, str], dict[int, float | None]] = {}

    def figures(self, ind: IndicatorDef, what: str, span: periods.Span) -> dict[int, float | None]:
        if what == "span":
            if span.is_month:
                return self.values.totals(ind.code, span.last, "month")
            return self.values.span_totals(ind.code, span.first, span.last)
        return self.values.totals(ind.code, span.last, what)

    def previous_at(self, ind: IndicatorDef, month: str) -> dict[int, float | None]:
        """本年累计 of the year before at the month a carried figure stands at (like with like)."""
        key = (ind.code, month)
        if key not in self._earlier:
            self._earlier[key] = self.values.totals(ind.code, periods.make(self.year - 1, periods.month_of(month)), "ytd")
        return self._earlier[key]

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
            if fr.values.has_figures(part.code):
                sections.append(_section(fr, part, targets, tp, whole=ind))
    refuse_if_empty(db, sections, span.key)
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=default_campaign_name(db)),
        period_line=period_line(span),
        unit_line=t("report.unit_line", unit=scope.name, measure=join_list(dict.fromkeys(i.measure_label() for i in inds))),
        sections=sections, period=span.key, scope_code=scope.code,
        notes=[t("progress.note", tp=f"{tp * 100:.1f}%"), *fr.notes.values()], marks=fr.marks.legend(),
    )


def _section(fr: _Frame, ind: IndicatorDef, targets: dict, tp: float, whole: IndicatorDef | None = None) -> Section:
    flow = ind.kind == "flow"
    figures = {"ytd": fr.figures(ind, "ytd", fr.span), "span": fr.figures(ind, "span", fr.span) if flow else {},
               "prev": fr.figures(ind, "ytd", fr.prev) if flow else {},
               # a breakdown's share: of the whole of the units that reported the breakdown, not of every unit
               "whole": fr.values.totals_where(whole.code, fr.span.last, "ytd", ind.code) if whole is not None else {},
               "coverage": fr.values.coverage(ind.code, fr.span.last)}
    entries: list[tuple[str, UnitRec]] = [(ROW_UNIT, c) for c in fr.children]
    if fr.values.value(fr.scope.id, ind.code, fr.span.last, "ytd") is not None or fr.scope.level == "city":
        entries.append((ROW_OWN, fr.scope))
    entries.append((ROW_TOTAL, fr.scope))
    rows = [_row(fr, ind, kind, u, figures, targets, tp, whole) for kind, u in entries]
    if whole is None:
        total = rows[-1]
        basis = total_target(total["_target"], total["_ytd"], [(r["_target"], r["_ytd"]) for r in rows[:-1]])
        if flow:
            completion = ratio(basis.compared, basis.target)
            total.update({"target": round_to(basis.target, ind), "completion": r6(completion),
                          "gap_pp": r6((completion - tp) * 100) if completion is not None else None})
        else:
            total.update({"target": round_to(basis.target, ind),
                          "met": (basis.compared is not None and basis.compared >= basis.target)
                          if basis.target is not None else None})
        mark_partial_target(fr.marks, total, basis, stock=not flow)
        _rank(ind, rows)
    title = section_title(ind) if whole is None else t("progress.part_title", whole=whole.label(),
                                                         part=ind.part_label(), measure=ind.measure_label())
    sec = Section(title=title, columns=_progress_columns(ind, fr.span, whole), rows=rows, measure=ind.measure_label(),
                  chart=("_label", "completion") if flow and whole is None else None)
    coverage_column(sec)
    return sec


def _row(fr: _Frame, ind: IndicatorDef, kind: str, u: UnitRec, figures: dict, targets: dict, tp: float,
         whole: IndicatorDef | None) -> dict[str, Any]:
    scope, flow = fr.scope, ind.kind == "flow"
    row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "row_type": kind, "indicator": ind.code,
                           "period": fr.span.key}
    if not fr.span.is_month:
        row.update({"period_first": fr.span.first, "period_last": fr.span.last})
    if kind == ROW_OWN:
        y = fr.values.value(scope.id, ind.code, fr.span.last, "ytd")
        m = _own_span(fr, ind, scope) if flow else None
        month = fr.values.as_of(scope.id, ind.code, fr.span.last)
        cov: Coverage | None = Coverage(1, int(month == fr.span.last), month)
        comparison = Comparison(scope, fr.year - 1, fr.year, SAME, [scope], [scope])
        p = None
        if flow and month:
            p = fr.values.ytd(scope.id, ind.code, periods.make(fr.year - 1, periods.month_of(month)))
    else:
        y, m, cov = figures["ytd"].get(u.id), figures["span"].get(u.id), figures["coverage"].get(u.id)
        comparison = fr.compare(u) if flow else Comparison(u, fr.year, fr.year, SAME)
        wholly_carried = cov is not None and cov.received == 0 and cov.carried(fr.span.last) and fr.span.is_month
        prev = fr.previous_at(ind, cov.as_of) if (flow and wholly_carried) else figures["prev"]
        p = fr.previous(comparison, prev) if flow else None
    target = _target(targets, ind, kind, u) if whole is None else None
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
            row["share_of_whole"] = r6(ratio(y, figures["whole"].get(u.id) if kind != ROW_OWN else
                                             fr.values.value(scope.id, whole.code, fr.span.last, "ytd")
                                             if y is not None else None))
        fr.note(comparison)
    else:
        row.update({"level": round_to(y, ind), "target": round_to(target, ind),
                    "met": (y is not None and y >= target) if target is not None else None, "rank": None})
    row.update(coverage_fields(cov))
    row["_label"] = own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name
    row.update({"_unit_id": u.id, "_target": target, "_ytd": y})
    row["_carried"] = mark_coverage(fr.marks, row, cov, fr.span.last, ("ytd", "level"),
                                    unranked=kind == ROW_UNIT and whole is None,
                                    no_month=("month", "in_period"))
    return row


def _rank(ind: IndicatorDef, rows: list[dict[str, Any]]) -> None:
    """Siblings by completion (stocks: level ÷ target), highest first; a carried figure is not ranked."""
    basis = {r["_unit_id"]: r["completion"] if ind.kind == "flow" else ratio(r["level"], r["target"])
             for r in rows if r["row_type"] == ROW_UNIT and not r["_carried"]}
    ranks = rank_desc(basis)
    for row in rows:
        if row["row_type"] == ROW_UNIT:
            row["rank"] = ranks.get(row["_unit_id"])


def _own_span(fr: _Frame, ind: IndicatorDef, scope: UnitRec) -> float | None:
    if fr.span.is_month:
        return fr.values.month(scope.id, ind.code, fr.span.last)
    return fr.values.span_value(scope.id, ind.code, fr.span.first, fr.span.last)


def _target(targets: dict, ind: IndicatorDef, kind: str, u: UnitRec) -> float | None:
    """A unit's own annual target (the 合计's falls back in `_section`); none for the 本级 row."""
    return None if kind == ROW_OWN else targets.get((u.id, ind.id))


def _progress_columns(ind: IndicatorDef, span: periods.Span, whole: IndicatorDef | None = None) -> list[Col]:
    d = ind.decimals
    if ind.kind == "stock":
        return [Col("_label", t("col.unit")), Col("level", t("col.level_now"), "num", d), Col("target", t("col.target"), "num", d),
                Col("met", t("col.met"), "flag"), Col("rank", t("col.rank"), "rank")]
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
