"""A month's figure far outside its unit's own history: a warning with the range it was held against,
never a refusal.

The test is the modified z-score (Iglewicz & Hoaglin: 0.6745·|x − median| / MAD > 3.5) over the
unit's previous twelve months, with guards that keep it to figures worth a statistician's look: at
least six months of history; for a unit whose typical month is under 20, only a figure ten times it
(and at least 100); above the range, more than twice the median (a unit that placed 40 people
a month placing 70 is not news, however steady it was); below it, a fall to under a tenth of a median
of at least 100 (a digit lost, 450 typed 45; a slow January is the season, not a typing error). The range printed is rounded
outward to the indicator's decimals, and a figure is warned about only when it lies outside the range
as printed, so that no warning quotes a range that holds its own figure.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from shiwan.ref import periods

OUTLIER_Z = 3.5
MIN_HISTORY = 6  # months of history needed before judging
MIN_VALUE = 20  # small counts jump around; they are not worth a warning
MIN_SHARE = 1.0  # above the median, a deviation under the median itself is never "far outside"
LOW_SHARE = 0.1  # below it, only a fall to under a tenth of the median ...
LOW_MEDIAN = 100  # ... of a median this large

Lookup = Callable[[str], object | None]  # period -> a value with .month and .ytd, or None


def outlier(value: float, history: list[float], decimals: int = 0) -> tuple[float, float] | None:
    """The range (low, high) `value` lies outside, or None when it lies inside, or when there is too
    little history to judge."""
    if len(history) < MIN_HISTORY or value < MIN_VALUE and max(history, default=0) < MIN_VALUE:
        return None
    med = statistics.median(history)
    if med < MIN_VALUE and value < max(10 * med, 100):
        return None  # small counts jump around; only a digit typed too many stands out
    mad = statistics.median(abs(x - med) for x in history)
    scale = 1.4826 * mad if mad else 1.253314 * statistics.fmean(abs(x - med) for x in history)
    span = max(OUTLIER_Z * scale, MIN_SHARE * abs(med), 1.0)
    unit = 10 ** -decimals
    low = math.floor(LOW_SHARE * med / unit) * unit if med >= LOW_MEDIAN else 0.0
    high = math.ceil((med + span) / unit) * unit
    if low - 1e-9 <= value <= high + 1e-9:
        return None
    return low, high


def month_figure(period: str, month: float | None, ytd: float | None, prev_ytd: float | None) -> float | None:
    """The month's own figure: its 本月, else (January) its 累计, else its 累计 less last month's."""
    if month is not None:
        return month
    if ytd is None:
        return None
    if periods.month_of(period) == 1:
        return ytd
    return ytd - prev_ytd if prev_ytd is not None else None


def past_months(lookup: Lookup, period: str) -> list[float]:
    """The month figures of the twelve months before `period` that are known (a January's 累计 is its
    month)."""
    out = []
    for k in range(1, 13):
        p = periods.add_months(period, -k)
        v = lookup(p)
        if v is None:
            continue
        if v.month is not None:
            out.append(v.month)
        elif v.ytd is not None and p.endswith("-01"):
            out.append(v.ytd)
    return out
