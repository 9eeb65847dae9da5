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


# -- report periods: a month, a quarter, a half year or a year -------------------------------------

SPAN_KINDS = ("month", "quarter", "half", "year")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^(\d{4})?\s*(?:[-./]?\s*[Qq]([1-4])|年?\s*第?([一二三四1-4])\s*季度?)$")
_HALF = re.compile(r"^(\d{4})?\s*(?:[-./]?\s*[Hh]([12])|年?\s*([上下])半年)$")
_YEAR = re.compile(r"^(\d{4})\s*(?:年度?|年全年|全年)?$")


class Span:
    """A report period: the months `first`..`last` of one year. `key` is how it is written back
    (`2004-06`, `2004Q2`, `2004H1`, `2004`)."""

    __slots__ = ("first", "last", "kind", "key")

    def __init__(self, first: str, last: str, kind: str, key: str):
        self.first, self.last, self.kind, self.key = first, last, kind, key

    def __repr__(self) -> str:
        return f"Span({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def year(self) -> int:
        return year_of(self.last)

    @property
    def is_month(self) -> bool:
        return self.kind == "month"

    def months(self) -> list[str]:
        return span(self.first, self.last)

    def before(self) -> str | None:
        """The month before the span within its year (None when the span starts in January)."""
        return None if month_of(self.first) == 1 else previous(self.first)

    def shifted_years(self, n: int) -> Span:
        """The same months `n` years later (earlier when negative): 同比's 上年同期."""
        y = self.year + n
        return parse_span(self.key.replace(str(self.year), str(y), 1)) if self.kind != "month" else \
            month_span(make(y, month_of(self.last)))


def month_span(period: str) -> Span:
    return Span(period, period, "month", period)


def quarter(year: int, q: int) -> Span:
    return Span(make(year, 3 * q - 2), make(year, 3 * q), "quarter", f"{year:04d}Q{q}")


def half(year: int, h: int) -> Span:
    return Span(make(year, 6 * h - 5), make(year, 6 * h), "half", f"{year:04d}H{h}")


def whole_year(year: int) -> Span:
    return Span(make(year, 1), make(year, 12), "year", f"{year:04d}")


def parse_span(text: str, default_year: int | None = None) -> Span:
    """A month (`2004-06`, `2004年6月`), a quarter (`2004Q2`, `2004年二季度`, `2004年第二季度`), a half
    year (`2004H1`, `2004年上半年`) or a year (`2004`, `2004年`). Without a year (`二季度`, `上半年`) the
    span is of `default_year`; PeriodError when the text is none of these."""
    s = (text or "").strip().replace(" ", "").replace("\u3000", "")
    try:
        return month_span(parse_period(s))
    except PeriodError:
        pass
    m = _QUARTER.match(s)
    if m:
        year = _year_or(m.group(1), default_year, text)
        return quarter(year, _CN_DIGIT[m.group(2) or m.group(3)])
    m = _HALF.match(s)
    if m:
        year = _year_or(m.group(1), default_year, text)
        return half(year, int(m.group(2)) if m.group(2) else 1 if m.group(3) == "上" else 2)
    m = _YEAR.match(s)
    if m and 1900 <= int(m.group(1)) <= 2200:
        return whole_year(int(m.group(1)))
    raise PeriodError(text)


def _year_or(text: str | None, default: int | None, whole: str) -> int:
    if text:
        y = int(text)
    elif default is not None:
        y = default
    else:
        raise PeriodError(whole)
    if not 1900 <= y <= 2200:
        raise PeriodError(whole)
    return y
