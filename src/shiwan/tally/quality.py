"""`shiwan check --period P`: every problem in the data stored for a period, with where each figure
came from (file › sheet › cell), before the numbers are signed.

- rules of the catalog (part ≤ whole), on each unit's own figures;
- month to month: last month's 累计 + this month's 本月 = this month's 累计, 累计 never falling, both
  with the month before and the month after;
- reconciliation: where a county's own return and its row in the city's summary disagree;
- outliers: a month far outside the unit's own previous twelve months (warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.check.chain import breaks_chain, falls
from shiwan.check.outliers import month_figure, outlier, past_months
from shiwan.check.reconcile import disagreements
from shiwan.check.rules import broken_rules, rule_text
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.units import UnitTree
from shiwan.store.db import in_clause


@dataclass
class Found:
    severity: str
    code: str
    unit_code: str
    unit_name: str
    indicator: str
    period: str
    params: dict[str, Any]
    sources: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return t(self.code, **self.params)

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "unit_code": self.unit_code, "unit_name": self.unit_name,
                "indicator": self.indicator, "period": self.period, "message": self.message, "sources": self.sources}


@dataclass
class _Fig:
    month: float | None
    ytd: float | None
    source: str
    month_source: str


def _load(db, unit_ids: list[int], first: str, last: str) -> dict[tuple[int, int, str, int], _Fig]:
    out: dict[tuple[int, int, str, int], _Fig] = {}
    for n in range(0, len(unit_ids), 400):
        clause, params = in_clause("u", unit_ids[n : n + 400])
        for uid, iid, period, channel, month, ytd, sheet, mcell, ycell, fname in db.iter(
            "SELECT f.unit_id, f.indicator_id, f.period, f.channel, f.month, f.ytd, f.sheet, f.month_cell, f.ytd_cell, "
            f"i.file_name FROM figure f JOIN import_log i ON i.id = f.import_id WHERE f.unit_id IN {clause} "
            "AND f.period BETWEEN :a AND :b", {**params, "a": first, "b": last},
        ):
            src = " › ".join(x for x in (fname, sheet, ycell or mcell) if x)
            msrc = " › ".join(x for x in (fname, sheet, mcell or ycell) if x)
            out[(uid, iid, period, channel)] = _Fig(month, ytd, src, msrc)
    return out


def check_stored(db, period: str, under: str | None = None) -> list[Found]:
    """Every problem of the figures stored for `period` (a month, or each month of a quarter, half
    year or year), for the units standing then."""
    from shiwan.tally.report import resolve_scope, resolve_span

    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    span = resolve_span(db, period)
    view = tree.at(span.last)
    units = view.subtree(resolve_scope(tree, under, span.last).id) if under else view.everything()
    figs = _load(db, [u.id for u in units], periods.add_months(span.first, -12), periods.add_months(span.last, 1))
    found: list[Found] = []
    for month in span.months():
        found.extend(_check_month(cat, view, units, figs, month))
    return found


def _check_month(cat: Catalog, tree: UnitTree, units, figs, period: str) -> list[Found]:
    """The problems of one month: rules, month to month (breakdowns too), outliers, reconciliation."""
    found: list[Found] = []
    for u in units:
        found += _rules(cat, u, figs, period)
        for ind in cat.with_parts():
            if ind.kind == "flow":
                found += _month_to_month(u, ind, figs, period) + _outliers(u, ind, figs, period)
        found += _reconcile(cat, tree, u, figs, period)
    return found


def _own(figs, uid: int, iid: int, p: str) -> _Fig | None:
    return figs.get((uid, iid, p, CHANNEL_OWN)) or figs.get((uid, iid, p, CHANNEL_SUMMARY))


def _rules(cat: Catalog, u, figs, period: str) -> list[Found]:
    """The catalog's rules (part ≤ whole) on the unit's figures of the month."""
    mine = []
    for ind in cat.with_parts():
        f = _own(figs, u.id, ind.id, period)
        if f is not None:
            mine.append(_Named(ind.code, f))
    out = []
    for rule, attr, x, y, a, b in broken_rules(cat, mine):
        text = rule_text(rule, x, y, cat.by_code[rule.part], "en" if _en() else "zh")
        out.append(Found(rule.severity, "quality.rule", u.code, u.name, rule.part, period, {"text": text},
                         [a.fig.source if attr == "ytd" else a.fig.month_source,
                          b.fig.source if attr == "ytd" else b.fig.month_source]))
    return out


def _month_to_month(u, ind, figs, period: str) -> list[Found]:
    """This month against the month before (its 累计 + 本月 = 累计, 累计 never falling) and the month
    after (within the year)."""
    out = []
    cur = _own(figs, u.id, ind.id, period)
    base = {"indicator": ind.name, "period": period}
    if cur is not None and periods.month_of(period) > 1:
        prev_p = periods.previous(period)
        prev = _own(figs, u.id, ind.id, prev_p)
        if prev and breaks_chain(prev.ytd, cur.month, cur.ytd):
            out.append(Found("error", "quality.chain", u.code, u.name, ind.code, period,
                             {**base, "prev_period": prev_p, "prev_ytd": _n(prev.ytd, ind), "month": _n(cur.month, ind),
                              "ytd": _n(cur.ytd, ind)}, [prev.source, cur.month_source, cur.source]))
        elif prev and falls(prev.ytd, cur.ytd):
            out.append(Found("error", "quality.falls", u.code, u.name, ind.code, period,
                             {**base, "prev_period": prev_p, "prev_ytd": _n(prev.ytd, ind), "ytd": _n(cur.ytd, ind)},
                             [prev.source, cur.source]))
    if cur is not None and periods.month_of(period) < 12:
        next_p = periods.add_months(period, 1)
        nxt = _own(figs, u.id, ind.id, next_p)
        if nxt and breaks_chain(cur.ytd, nxt.month, nxt.ytd):
            out.append(Found("error", "quality.chain", u.code, u.name, ind.code, next_p,
                             {**base, "period": next_p, "prev_period": period, "prev_ytd": _n(cur.ytd, ind),
                              "month": _n(nxt.month, ind), "ytd": _n(nxt.ytd, ind)},
                             [cur.source, nxt.month_source, nxt.source]))
    return out


def _outliers(u, ind, figs, period: str) -> list[Found]:
    """The month's figure far outside the unit's previous twelve months (a warning)."""
    cur = _own(figs, u.id, ind.id, period)
    if cur is None:
        return []
    prev = _own(figs, u.id, ind.id, periods.previous(period)) if periods.month_of(period) > 1 else None
    value = month_figure(period, cur.month, cur.ytd, prev.ytd if prev else None)
    if value is None:
        return []
    past = past_months(lambda p: _own(figs, u.id, ind.id, p), period)
    found = outlier(value, past, ind.decimals)
    if not found:
        return []
    return [Found("warning", "quality.outlier", u.code, u.name, ind.code, period,
                  {"indicator": ind.name, "period": period, "value": _n(value, ind), "low": _n(found[0], ind),
                   "high": _n(found[1], ind), "months": len(past)}, [cur.month_source])]


def _reconcile(cat: Catalog, tree: UnitTree, u, figs, period: str) -> list[Found]:
    """A county's own return against its row in its city's summary; for a unit with units below it,
    its row in the parent's summary (a total) against what its units reported."""
    kids = tree.children(u.id)
    out = []
    for ind in cat.with_parts():
        b = figs.get((u.id, ind.id, period, CHANNEL_SUMMARY))
        if b is None:
            continue
        a = _subtree_total(u, ind, period, tree, figs) if kids else figs.get((u.id, ind.id, period, CHANNEL_OWN))
        if a is None:
            continue
        for attr, x, y in disagreements(a, b):
            label = t("col.month") if attr == "month" else t("col.ytd") if ind.kind == "flow" else t("col.level_now")
            sources = [a.source if attr == "ytd" else a.month_source, b.source if attr == "ytd" else b.month_source]
            out.append(Found("error", "quality.reconcile", u.code, u.name, ind.code, period,
                             {"indicator": ind.name, "what": label, "own": _n(x, ind), "summary": _n(y, ind),
                              "own_source": sources[0], "summary_source": sources[1]}, sources))
    return out


@dataclass
class _Named:
    """A stored figure under its indicator's code, for the rules."""

    indicator: str
    fig: _Fig

    @property
    def month(self) -> float | None:
        return self.fig.month

    @property
    def ytd(self) -> float | None:
        return self.fig.ytd


def _subtree_total(u, ind, period: str, tree: UnitTree, figs) -> _Fig | None:
    """What a unit's own office and every unit below it reported, added up: own returns, and for
    counties without one their row in their city's summary (never a total given for a whole city)."""
    month = ytd = None
    seen = False
    for m in tree.subtree(u.id):
        f = figs.get((m.id, ind.id, period, CHANNEL_OWN))
        if f is None and not tree.children(m.id):
            f = figs.get((m.id, ind.id, period, CHANNEL_SUMMARY))
        if f is None:
            continue
        seen = True
        if f.month is not None:
            month = (month or 0.0) + f.month
        if f.ytd is not None:
            ytd = (ytd or 0.0) + f.ytd
    if not seen:
        return None
    where = t("quality.sum_below", unit=u.name)
    return _Fig(month, ytd, where, where)


def _en() -> bool:
    from shiwan.base.i18n import is_en

    return is_en()


def _n(v: float | None, ind) -> str:
    return "—" if v is None else f"{v:,.{ind.decimals}f}"


def problems_table(found: list[Found]) -> Table:
    rows = []
    for f in found:
        rows.append({**f.to_json(), "_severity": t(f"severity.{f.severity}"), "_sources": "; ".join(f.sources)})
    cols = [Column("_severity", t("col.severity")), Column("unit_name", t("col.unit")), Column("period", t("col.period")),
            Column("message", t("col.problem")), Column("_sources", t("col.sources"))]
    return Table(cols, rows)
