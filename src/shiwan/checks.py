"""Checks of incoming figures against what is stored: months before and after, outliers, locks.

Within a year a flow's 本年累计 never falls, and last month's 累计 + this month's 本月 = this month's
累计. An arriving month is checked against the month before it (a contradiction is an error: the
file is refused) and against the month after it when that is stored already (an error for a month
seen for the first time; for a revision of a past month, a warning that lists the later months it
now contradicts, so that a chain of corrections can go in one file at a time).

A figure far outside its unit's own history is a warning with the expected range, never a refusal.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from shiwan import periods
from shiwan.catalog import Catalog
from shiwan.db import Database, in_clause
from shiwan.layout import FigureIn
from shiwan.problems import Problem, error, warning
from shiwan.units import UnitTree

OUTLIER_Z = 3.5  # modified z-score beyond which a figure is warned about (Iglewicz & Hoaglin)
OUTLIER_MIN_HISTORY = 6  # months of history needed before judging
OUTLIER_MIN_VALUE = 20  # small counts jump around; they are not worth a warning


@dataclass
class Stored:
    id: int
    month: float | None
    ytd: float | None
    import_id: int
    sheet: str
    month_cell: str
    ytd_cell: str


@dataclass
class Change:
    """One incoming figure and what is stored for its key."""

    period: str
    sheet: str
    figure: FigureIn
    indicator_id: int
    old: Stored | None
    changed: bool
    warnings: list[dict[str, Any]] = field(default_factory=list)


def lock_of(db: Database, period: str) -> tuple[str, str] | None:
    """(who, when) if `period` is locked now."""
    row = db.one("SELECT action, by, at FROM period_lock WHERE period = :p ORDER BY id DESC", {"p": period})
    if row and row[0] == "lock":
        return row[1], row[2]
    return None


@dataclass
class _Val:
    month: float | None
    ytd: float | None
    source: str  # `file › sheet › cell` of the ytd (or month) value


def check_changes(db: Database, catalog: Catalog, units: UnitTree, plan: list[Change]) -> list[Problem]:
    """Cross-month and outlier problems of the incoming figures (flows only)."""
    flows = [c for c in plan if catalog.by_code[c.figure.indicator].kind == "flow"]
    if not flows:
        return []
    unit_ids = sorted({c.figure.unit_id for c in flows})
    ind_ids = sorted({c.indicator_id for c in flows})
    first = min(periods.add_months(c.period, -12) for c in flows)
    last = max(periods.make(periods.year_of(c.period), 12) for c in flows)
    uc, up = in_clause("u", unit_ids)
    ic, ip = in_clause("i", ind_ids)
    params = {**up, **ip, "a": first, "b": last}
    stored: dict[tuple[int, int, str], dict[int, _Val]] = {}
    for r in db.all(
        "SELECT f.unit_id, f.indicator_id, f.period, f.channel, f.month, f.ytd, f.sheet, f.month_cell, f.ytd_cell, "
        f"i.file_name FROM figure f JOIN import_log i ON i.id = f.import_id WHERE f.unit_id IN {uc} "
        f"AND f.indicator_id IN {ic} AND f.period BETWEEN :a AND :b", params,
    ):
        cell = r[8] or r[7]
        stored.setdefault((r[0], r[1], r[2]), {})[r[3]] = _Val(r[4], r[5], " › ".join(x for x in (r[9], r[6], cell) if x))
    # the incoming figures overlay what is stored (a file may hold several months)
    incoming: dict[tuple[int, int, str], Change] = {}
    for c in flows:
        incoming[(c.figure.unit_id, c.indicator_id, c.period)] = c

    def value(unit_id: int, ind_id: int, period: str, channel: int) -> _Val | None:
        ch = incoming.get((unit_id, ind_id, period))
        if ch is not None and ch.figure.channel == channel:
            f = ch.figure
            return _Val(f.month, f.ytd, " › ".join(x for x in (ch.sheet, f.ytd_cell or f.month_cell) if x))
        vals = stored.get((unit_id, ind_id, period))
        if not vals:
            return None
        return vals.get(channel) or next(iter(vals.values()))

    problems: list[Problem] = []
    for c in flows:
        f = c.figure
        ind = catalog.by_code[f.indicator]
        unit = units.by_id[f.unit_id]
        base = {"unit": unit.name, "indicator": ind.name, "period": c.period}
        year = periods.year_of(c.period)
        month = periods.month_of(c.period)
        cell = f.ytd_cell or f.month_cell
        # the month before, and the latest earlier month of the same year with a 累计
        if month > 1:
            prev = value(f.unit_id, c.indicator_id, periods.previous(c.period), f.channel)
            if prev and prev.ytd is not None and f.ytd is not None and f.month is not None:
                if abs(prev.ytd + f.month - f.ytd) > 1e-6:
                    problems.append(error("check.chain_prev", c.sheet, f.ytd_cell, **base, prev_period=periods.previous(c.period),
                                          prev_ytd=_n(prev.ytd, ind), month=_n(f.month, ind), ytd=_n(f.ytd, ind),
                                          expected=_n(prev.ytd + f.month, ind), source=prev.source))
            for m in range(month - 1, 0, -1):
                earlier = value(f.unit_id, c.indicator_id, periods.make(year, m), f.channel)
                if earlier and earlier.ytd is not None:
                    if f.ytd is not None and f.ytd < earlier.ytd - 1e-6:
                        problems.append(error("check.ytd_falls", c.sheet, f.ytd_cell, **base, ytd=_n(f.ytd, ind),
                                              other_period=periods.make(year, m), other_ytd=_n(earlier.ytd, ind),
                                              source=earlier.source))
                    break
        # the month after, and later months of the year
        if month < 12 and f.ytd is not None:
            revision = c.old is not None
            later_bad = []
            nxt_p = periods.add_months(c.period, 1)
            nxt = value(f.unit_id, c.indicator_id, nxt_p, f.channel)
            if nxt and nxt.ytd is not None and nxt.month is not None and abs(f.ytd + nxt.month - nxt.ytd) > 1e-6:
                later_bad.append((nxt_p, nxt))
            for m in range(month + 1, 13):
                later = value(f.unit_id, c.indicator_id, periods.make(year, m), f.channel)
                if later and later.ytd is not None:
                    if later.ytd < f.ytd - 1e-6 and all(p != periods.make(year, m) for p, _ in later_bad):
                        later_bad.append((periods.make(year, m), later))
                    break
            for p, later in later_bad:
                params = dict(base, later_period=p, later_ytd=_n(later.ytd, ind),
                              later_month=_n(later.month, ind) if later.month is not None else "—",
                              ytd=_n(f.ytd, ind), source=later.source)
                if revision:
                    problems.append(warning("check.later_contradicted", c.sheet, f.ytd_cell, **params))
                    c.warnings.append({"key": "check.later_contradicted", "params": params})
                else:
                    problems.append(error("check.chain_next", c.sheet, f.ytd_cell, **params))
        # outliers in the month's figure
        mval = f.month
        if mval is None and f.ytd is not None:
            prev = value(f.unit_id, c.indicator_id, periods.previous(c.period), f.channel) if month > 1 else None
            if month == 1:
                mval = f.ytd
            elif prev and prev.ytd is not None:
                mval = f.ytd - prev.ytd
        if mval is not None:
            history = []
            for k in range(1, 13):
                p = periods.add_months(c.period, -k)
                v = value(f.unit_id, c.indicator_id, p, f.channel)
                if v is None:
                    continue
                if v.month is not None:
                    history.append(v.month)
                elif v.ytd is not None and periods.month_of(p) == 1:
                    history.append(v.ytd)
            out = outlier(mval, history)
            if out:
                lo, hi = out
                params = dict(base, value=_n(mval, ind), low=_n(lo, ind), high=_n(hi, ind), months=len(history))
                problems.append(warning("check.outlier", c.sheet, f.month_cell or cell, **params))
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
