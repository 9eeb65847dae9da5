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
from shiwan.check.chain import outlier
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

    def own(uid: int, iid: int, p: str) -> _Fig | None:
        return figs.get((uid, iid, p, CHANNEL_OWN)) or figs.get((uid, iid, p, CHANNEL_SUMMARY))

    found: list[Found] = []
    year = periods.year_of(period)
    for u in units:
        # rules between indicators
        for rule in cat.rules:
            a = own(u.id, cat.by_code[rule.part].id, period)
            b = own(u.id, cat.by_code[rule.whole].id, period)
            if a is None or b is None:
                continue
            ind = cat.by_code[rule.part]
            for attr in ("month", "ytd"):
                x, y = getattr(a, attr), getattr(b, attr)
                if x is not None and y is not None and x > y + 1e-9:
                    from shiwan.check.rules import rule_text

                    text = rule_text(rule, x, y, ind, "en" if _en() else "zh")
                    found.append(Found(rule.severity, "quality.rule", u.code, u.name, rule.part, period,
                                       {"text": text}, [a.source if attr == "ytd" else a.month_source,
                                                        b.source if attr == "ytd" else b.month_source]))
                    break
        for ind in cat.with_parts():
            if ind.kind != "flow":
                continue
            cur = own(u.id, ind.id, period)
            base = {"indicator": ind.name, "period": period}
            # month to month, within the year
            if cur is not None and periods.month_of(period) > 1:
                prev_p = periods.previous(period)
                prev = own(u.id, ind.id, prev_p)
                if prev and prev.ytd is not None and cur.ytd is not None:
                    if cur.month is not None and abs(prev.ytd + cur.month - cur.ytd) > 1e-6:
                        found.append(Found("error", "quality.chain", u.code, u.name, ind.code, period,
                                           {**base, "prev_period": prev_p, "prev_ytd": _n(prev.ytd, ind),
                                            "month": _n(cur.month, ind), "ytd": _n(cur.ytd, ind)},
                                           [prev.source, cur.month_source, cur.source]))
                    elif cur.ytd < prev.ytd - 1e-6:
                        found.append(Found("error", "quality.falls", u.code, u.name, ind.code, period,
                                           {**base, "prev_period": prev_p, "prev_ytd": _n(prev.ytd, ind),
                                            "ytd": _n(cur.ytd, ind)}, [prev.source, cur.source]))
            if cur is not None and periods.month_of(period) < 12:
                next_p = periods.add_months(period, 1)
                nxt = own(u.id, ind.id, next_p)
                if nxt and nxt.ytd is not None and cur.ytd is not None and nxt.month is not None \
                        and periods.year_of(next_p) == year and abs(cur.ytd + nxt.month - nxt.ytd) > 1e-6:
                    found.append(Found("error", "quality.chain", u.code, u.name, ind.code, next_p,
                                       {**base, "period": next_p, "prev_period": period, "prev_ytd": _n(cur.ytd, ind),
                                        "month": _n(nxt.month, ind), "ytd": _n(nxt.ytd, ind)},
                                       [cur.source, nxt.month_source, nxt.source]))
            # outliers in the month's figure
            if cur is not None:
                m = cur.month
                if m is None and cur.ytd is not None:
                    prev = own(u.id, ind.id, periods.previous(period)) if periods.month_of(period) > 1 else None
                    m = cur.ytd if periods.month_of(period) == 1 else (cur.ytd - prev.ytd if prev and prev.ytd is not None else None)
                if m is not None:
                    past = []
                    for k in range(1, 13):
                        p_k = periods.add_months(period, -k)
                        v = own(u.id, ind.id, p_k)
                        if v is not None and v.month is not None:
                            past.append(v.month)
                        elif v is not None and v.ytd is not None and p_k.endswith("-01"):
                            past.append(v.ytd)  # January: the year so far is the month
                    out = outlier(m, past)
                    if out:
                        found.append(Found("warning", "quality.outlier", u.code, u.name, ind.code, period,
                                           {**base, "value": _n(m, ind), "low": _n(out[0], ind), "high": _n(out[1], ind),
                                            "months": len(past)}, [cur.month_source]))
        # reconciliation: a county's own return against its row in its city's summary; for a unit with
        # units below it, its row in the parent's summary (a total) against what its units reported
        kids = tree.children(u.id)
        for ind in cat.with_parts():
            b = figs.get((u.id, ind.id, period, CHANNEL_SUMMARY))
            if b is None:
                continue
            if kids:
                a = _subtree_total(u, ind, period, tree, figs)
                if a is None:
                    continue
            else:
                a = figs.get((u.id, ind.id, period, CHANNEL_OWN))
                if a is None:
                    continue
            for attr, label in (("month", t("col.month")), ("ytd", t("col.ytd") if ind.kind == "flow" else t("col.level_now"))):
                x, y = getattr(a, attr), getattr(b, attr)
                if x is not None and y is not None and abs(x - y) > 1e-6:
                    found.append(Found("error", "quality.reconcile", u.code, u.name, ind.code, period,
                                       {"indicator": ind.name, "what": label, "own": _n(x, ind), "summary": _n(y, ind),
                                        "own_source": a.source if attr == "ytd" else a.month_source,
                                        "summary_source": b.source if attr == "ytd" else b.month_source},
                                       [a.source if attr == "ytd" else a.month_source,
                                        b.source if attr == "ytd" else b.month_source]))
    return found


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
