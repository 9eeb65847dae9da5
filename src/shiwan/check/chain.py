"""Checks of incoming figures against what is stored: months before and after, outliers, locks.

Within a year a flow's 本年累计 never falls, and last month's 累计 + this month's 本月 = this month's
累计. An arriving month is checked against the month before it (a contradiction is an error: the
file is refused) and against the month after it when that is stored already (an error for a month
seen for the first time; for a revision of a past month, a warning that lists the later months it
now contradicts, so that a chain of corrections can go in one file at a time).

A figure far outside its unit's own history is a warning with the expected range, never a refusal.
"""

from __future__ import annotations

import bisect
import statistics

from shiwan.base.problems import Problem, error, warning
from shiwan.check.model import Change, MonthValue
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree

OUTLIER_Z = 3.5  # modified z-score beyond which a figure is warned about (Iglewicz & Hoaglin)
OUTLIER_MIN_HISTORY = 6  # months of history needed before judging
OUTLIER_MIN_VALUE = 20  # small counts jump around; they are not worth a warning


def check_changes(catalog: Catalog, units: UnitTree, plan: list[Change], history) -> list[Problem]:
    """Cross-month and outlier problems of the incoming figures (flows only)."""
    flows = [c for c in plan if catalog.by_code[c.figure.indicator].kind == "flow"]
    if not flows:
        return []
    first = min(periods.add_months(c.period, -12) for c in flows)
    history.reach_back(first)
    history.load({c.figure.unit_id for c in flows})
    # the incoming figures, over what is stored (a file may hold several months)
    incoming: dict[tuple[int, int], dict[str, dict[int, MonthValue]]] = {}
    for c in flows:
        f = c.figure
        where = (None, 0, c.sheet, f.ytd_cell or f.month_cell)
        incoming.setdefault((f.unit_id, c.indicator_id), {}).setdefault(c.period, {})[f.channel] = MonthValue(f.month, f.ytd, where)
    problems: list[Problem] = []
    for c in flows:
        f = c.figure
        key = (f.unit_id, c.indicator_id)
        stored = history.series.get(key) or {}
        new = incoming[key]

        def value(period: str, channel: int = f.channel, stored=stored, new=new) -> MonthValue | None:
            a, b = new.get(period), stored.get(period)
            for vals in (a, b):
                if vals and channel in vals:
                    return vals[channel]
            for vals in (a, b):
                if vals:
                    return next(iter(vals.values()))
            return None

        ind = catalog.by_code[f.indicator]

        def base(f=f, ind=ind, c=c) -> dict:
            return {"unit": units.by_id[f.unit_id].name, "indicator": ind.name, "period": c.period}

        months = history.sorted_periods(key)
        if len(new) > 1:  # a file of several months: its other months count as known too
            months = sorted(set(months) | set(new))
        year = c.period[:4]
        i = bisect.bisect_left(months, c.period)
        earlier = [p for p in months[max(0, i - 12):i] if p[:4] == year]
        j = i + 1 if i < len(months) and months[i] == c.period else i
        later = [p for p in months[j:j + 12] if p[:4] == year]
        prev_p = periods.add_months(c.period, -1)
        prev = value(prev_p) if earlier and earlier[-1] == prev_p else None
        # the month before, and the latest earlier month of the year with a 累计
        if prev and prev.ytd is not None and f.ytd is not None and f.month is not None \
                and abs(prev.ytd + f.month - f.ytd) > 1e-6:
            problems.append(error("check.chain_prev", c.sheet, f.ytd_cell, **base(), prev_period=prev_p,
                                  prev_ytd=_n(prev.ytd, ind), month=_n(f.month, ind), ytd=_n(f.ytd, ind),
                                  expected=_n(prev.ytd + f.month, ind), source=prev.source))
        if f.ytd is not None:
            for p in reversed(earlier):
                v = value(p)
                if v is not None and v.ytd is not None:
                    if f.ytd < v.ytd - 1e-6:
                        problems.append(error("check.ytd_falls", c.sheet, f.ytd_cell, **base(), ytd=_n(f.ytd, ind),
                                              other_period=p, other_ytd=_n(v.ytd, ind), source=v.source))
                    break
        # the month after, and the next later month of the year with a 累计
        if later and f.ytd is not None:
            bad: list[tuple[str, MonthValue]] = []
            next_p = periods.add_months(c.period, 1)
            nxt = value(next_p) if later[0] == next_p else None
            if nxt and nxt.ytd is not None and nxt.month is not None and abs(f.ytd + nxt.month - nxt.ytd) > 1e-6:
                bad.append((next_p, nxt))
            for p in later:
                v = value(p)
                if v is not None and v.ytd is not None:
                    if v.ytd < f.ytd - 1e-6 and all(q != p for q, _ in bad):
                        bad.append((p, v))
                    break
            for p, v in bad:
                params = dict(base(), later_period=p, later_ytd=_n(v.ytd, ind),
                              later_month=_n(v.month, ind) if v.month is not None else "—", ytd=_n(f.ytd, ind),
                              source=v.source)
                if c.old is not None:  # a revision: accepted, the later months it contradicts listed
                    problems.append(warning("check.later_contradicted", c.sheet, f.ytd_cell, **params))
                    c.warnings.append({"key": "check.later_contradicted", "params": params})
                else:
                    problems.append(error("check.chain_next", c.sheet, f.ytd_cell, **params))
        # outliers in the month's figure, against the unit's previous twelve months
        mval = f.month
        if mval is None and f.ytd is not None:
            if c.period.endswith("-01"):
                mval = f.ytd
            elif prev is not None and prev.ytd is not None:
                mval = f.ytd - prev.ytd
        if mval is None or i < OUTLIER_MIN_HISTORY:
            continue
        past = []
        lo_p = periods.add_months(c.period, -12)
        for p in months[bisect.bisect_left(months, lo_p):i]:
            v = value(p)
            if v is None:
                continue
            if v.month is not None:
                past.append(v.month)
            elif v.ytd is not None and p.endswith("-01"):
                past.append(v.ytd)
        out = outlier(mval, past)
        if out:
            lo, hi = out
            params = dict(base(), value=_n(mval, ind), low=_n(lo, ind), high=_n(hi, ind), months=len(past))
            problems.append(warning("check.outlier", c.sheet, f.month_cell or f.ytd_cell, **params))
            c.warnings.append({"key": "check.outlier", "params": params})
    return problems


def outlier(value: float, history: list[float]) -> tuple[float, float] | None:
    """The expected range (low, high) when `value` lies far outside `history` by the modified z-score
    (0.6745·(x − median)/MAD > 3.5); None when it does not, or when there is too little history."""
    if len(history) < OUTLIER_MIN_HISTORY or value < OUTLIER_MIN_VALUE and max(history, default=0) < OUTLIER_MIN_VALUE:
        return None
    med = statistics.median(history)
    mad = statistics.median(abs(x - med) for x in history)
    if mad == 0:
        mean_ad = statistics.fmean(abs(x - med) for x in history)
        scale = 1.253314 * mean_ad
        if scale == 0:
            scale = max(1.0, 0.1 * abs(med))
    else:
        scale = 1.4826 * mad
    # 0.6745·|x − med|/MAD > 3.5  ⇔  |x − med| > 3.5·1.4826·MAD
    span = OUTLIER_Z * scale
    if abs(value - med) <= span:
        return None
    return max(0.0, med - span), med + span


def _n(v: float | None, ind) -> str:
    if v is None:
        return "—"
    return f"{v:,.{ind.decimals}f}"
