"""Periods (`YYYY-MM`), time progress and deadlines."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-./年]\s*)?(\d{1,2})\s*月?\s*$")


class PeriodError(ValueError):
    """Text that is not a period."""


def parse_period(text: str) -> str:
    """`2003-06`, `2003-6`, `200306`, `2003.6`, `2003年6月` -> `2003-06`."""
    m = _PERIOD.match(text)
    if not m:
        raise PeriodError(text)
    y, mo = int(m.group(1)), int(m.group(2))
    if not (1900 <= y <= 2200 and 1 <= mo <= 12):
        raise PeriodError(text)
    return f"{y:04d}-{mo:02d}"


def year_of(period: str) -> int:
    return int(period[:4])


def month_of(period: str) -> int:
    return int(period[5:7])


@lru_cache(maxsize=8192)
def make(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@lru_cache(maxsize=8192)
def add_months(period: str, n: int) -> str:
    idx = year_of(period) * 12 + month_of(period) - 1 + n
    return make(idx // 12, idx % 12 + 1)


def index(period: str) -> int:
    """Months since year 0: differences of indexes count months."""
    return year_of(period) * 12 + month_of(period) - 1


def months_between(first: str, last: str) -> int:
    """How many months `first..last` spans, both included."""
    return index(last) - index(first) + 1


def year_start(period: str) -> str:
    return make(year_of(period), 1)


def previous(period: str) -> str:
    return add_months(period, -1)


def last_day(period: str) -> date:
    y, m = year_of(period), month_of(period)
    return date(y, m, calendar.monthrange(y, m)[1])


def time_progress(period: str, basis: str = "month") -> float:
    """Share of the year elapsed at the end of `period`: month/12, or days elapsed / days in year."""
    if basis == "days":
        end = last_day(period)
        days = 366 if calendar.isleap(end.year) else 365
        return end.timetuple().tm_yday / days
    return month_of(period) / 12


def deadline(period: str, day: int = 5) -> date:
    """The day a return for `period` is due: `day` of the following month (clamped to its length)."""
    nxt = add_months(period, 1)
    y, m = year_of(nxt), month_of(nxt)
    return date(y, m, min(day, calendar.monthrange(y, m)[1]))


def span(first: str, last: str) -> list[str]:
    return [add_months(first, i) for i in range(max(0, months_between(first, last)))]
