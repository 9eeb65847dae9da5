"""Month to month: within a year a flow's 本年累计 never falls, and last month's 累计 + this month's
本月 = this month's 累计.

An arriving month is checked against the month before it (a contradiction is an error: the file is
refused) and against the month after it when that is stored already (an error for a month seen for
the first time; for a revision of a past month, a warning that lists the later months it now
contradicts, so that a chain of corrections can go in one file at a time). The same predicates serve
`check --period` on stored figures (`tally.quality`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from shiwan.base.problems import Problem, error, warning
from shiwan.check.model import Change, MonthValue
from shiwan.check.outliers import MIN_HISTORY, month_figure, outlier, past_months
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.units import UnitTree

EPS = 1e-6


def breaks_chain(prev_ytd: float | None, month: float | None, ytd: float | None) -> bool:
    """Last month's 累计 + this month's 本月 ≠ this month's 累计."""
    return None not in (prev_ytd, month, ytd) and abs(prev_ytd + month - ytd) > EPS  # type: ignore[operator]


def falls(earlier_ytd: float | None, ytd: float | None) -> bool:
    """A 累计 below an earlier month's of the same year."""
    return earlier_ytd is not None and ytd is not None and ytd < earlier_ytd - EPS


@dataclass
class _Series:
    """One (unit, indicator)'s months: stored, with the file's own months over them."""

    stored: dict[str, dict[int, MonthValue]]
    incoming: dict[str, dict[int, MonthValue]]
    months: list[str]
    channel: int

    def value(self, period: str) -> MonthValue | None:
        a, b = self.incoming.get(period), self.stored.get(period)
        for vals in (a, b):
            if vals and self.channel in vals:
                return vals[self.channel]
        for vals in (a, b):
            if vals:
                return next(iter(vals.values()))
        return None


def check_changes(catalog: Catalog, units: UnitTree, plan: list[Change], history) -> list[Problem]:
    """Month-to-month and outlier problems of the incoming flow figures, against `history` (the
    stored series, `store.series.FlowHistory`)."""
    flows = [c for c in plan if catalog.by_code[c.figure.indicator].kind == "flow"]
    if not flows:
        return []
    history.reach_back(min(periods.add_months(c.period, -12) for c in flows))
    history.load({c.figure.unit_id for c in flows})
    incoming: dict[tuple[int, int], dict[str, dict[int, MonthValue]]] = {}
    for c in flows:
        f = c.figure
        where = (None, 0, c.sheet, f.ytd_cell or f.month_cell)
        incoming.setdefault((f.unit_id, c.indicator_id), {}).setdefault(c.period, {})[f.channel] = \
            MonthValue(f.month, f.ytd, where)
    problems: list[Problem] = []
    for c in flows:
        key = (c.figure.unit_id, c.indicator_id)
        months = history.sorted_periods(key)
        if len(incoming[key]) > 1:  # a file of several months: its other months count as known too
            months = sorted(set(months) | set(incoming[key]))
        s = _Series(history.series.get(key) or {}, incoming[key], months, c.figure.channel)
        ind = catalog.by_code[c.figure.indicator]
        params = {"unit": units.by_id[c.figure.unit_id].name, "indicator": ind.name, "period": c.period}
        problems += _before(c, s, ind, params) + _after(c, s, ind, params) + _outlier(c, s, ind, params)
    return problems


def _year_months(s: _Series, period: str) -> tuple[list[str], list[str]]:
    """The known months of the same year before and after `period`."""
    i = bisect.bisect_left(s.months, period)
    j = i + 1 if i < len(s.months) and s.months[i] == period else i
    year = period[:4]
    return [p for p in s.months[max(0, i - 12):i] if p[:4] == year], [p for p in s.months[j:j + 12] if p[:4] == year]


def _before(c: Change, s: _Series, ind: IndicatorDef, params: dict) -> list[Problem]:
    """The month before (its 累计 + this 本月 = this 累计) and the latest earlier 累计 of the year."""
    f, out = c.figure, []
    earlier, _ = _year_months(s, c.period)
    prev_p = periods.previous(c.period)
    prev = s.value(prev_p) if earlier and earlier[-1] == prev_p else None
    if prev and breaks_chain(prev.ytd, f.month, f.ytd):
        out.append(error("check.chain_prev", c.sheet, f.ytd_cell, **params, prev_period=prev_p,
                         prev_ytd=fmt(prev.ytd, ind), month=fmt(f.month, ind), ytd=fmt(f.ytd, ind),
                         expected=fmt(prev.ytd + f.month, ind), source=prev.source))
    for p in reversed(earlier if f.ytd is not None else []):
        v = s.value(p)
        if v is not None and v.ytd is not None:
            if falls(v.ytd, f.ytd):
                out.append(error("check.ytd_falls", c.sheet, f.ytd_cell, **params, ytd=fmt(f.ytd, ind),
                                 other_period=p, other_ytd=fmt(v.ytd, ind), source=v.source))
            break
    return out


def _after(c: Change, s: _Series, ind: IndicatorDef, params: dict) -> list[Problem]:
    """The month after (this 累计 + its 本月 = its 累计) and the next later 累计 of the year: an error
    for a month seen for the first time, a warning (kept with the figure) for a revision."""
    f = c.figure
    _, later = _year_months(s, c.period)
    if not later or f.ytd is None:
        return []
    bad: list[tuple[str, MonthValue]] = []
    next_p = periods.add_months(c.period, 1)
    nxt = s.value(next_p) if later[0] == next_p else None
    if nxt and breaks_chain(f.ytd, nxt.month, nxt.ytd):
        bad.append((next_p, nxt))
    for p in later:
        v = s.value(p)
        if v is not None and v.ytd is not None:
            if falls(f.ytd, v.ytd) and all(q != p for q, _ in bad):
                bad.append((p, v))
            break
    out = []
    for p, v in bad:
        more = dict(params, later_period=p, later_ytd=fmt(v.ytd, ind), ytd=fmt(f.ytd, ind), source=v.source,
                    later_month=fmt(v.month, ind) if v.month is not None else "—")
        if c.old is not None:  # a revision: accepted, the later months it contradicts listed
            out.append(warning("check.later_contradicted", c.sheet, f.ytd_cell, **more))
            c.warnings.append({"key": "check.later_contradicted", "params": more})
        else:
            out.append(error("check.chain_next", c.sheet, f.ytd_cell, **more))
    return out


def _outlier(c: Change, s: _Series, ind: IndicatorDef, params: dict) -> list[Problem]:
    """The month's figure against the unit's previous twelve months."""
    f = c.figure
    prev = s.value(periods.previous(c.period)) if periods.month_of(c.period) > 1 else None
    value = month_figure(c.period, f.month, f.ytd, prev.ytd if prev else None)
    if value is None or _known_before(s, c.period) < MIN_HISTORY:
        return []  # too few months known to judge: `outlier` would find nothing
    past = past_months(s.value, c.period)
    found = outlier(value, past, ind.decimals)
    if not found:
        return []
    more = dict(params, value=fmt(value, ind), low=fmt(found[0], ind), high=fmt(found[1], ind), months=len(past))
    c.warnings.append({"key": "check.outlier", "params": more})
    return [warning("check.outlier", c.sheet, f.month_cell or f.ytd_cell, **more)]


def _known_before(s: _Series, period: str) -> int:
    """How many of the twelve months before `period` are known at all (at least as many as have a
    month figure)."""
    return bisect.bisect_left(s.months, period) - bisect.bisect_left(s.months, periods.add_months(period, -12))


def fmt(v: float | None, ind: IndicatorDef) -> str:
    return "—" if v is None else f"{v:,.{ind.decimals}f}"
