"""Reading one figure out of one cell, strictly.

A figure is a number >= 0: whole for counts (人, 人次, 期, 笔, 条, 个, 处), at most two decimals for
万元. Accepted as written by clerks: numbers, numbers typed as text (`1,234`, full-width `１２３`),
formulas by their saved value; blank, `-`, `—` or `无` mean zero. Anything else is an error naming
what was found and what was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shiwan.ref.text import halfwidth

ZERO_MARKS = {"-", "--", "—", "——", "–", "－", "―", "/", "无", "0-"}
_NUMBER = re.compile(r"^[+]?(\d+(?:\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"(?<=\d)[,，'](?=\d{3}(?:\D|$))")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A cell read as a figure: `value` (None when blank), or an error `key` with `params`."""

    value: float | None = None
    blank: bool = False
    error: str | None = None
    params: tuple[tuple[str, object], ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


BLANK = Parsed(value=None, blank=True)


def show(raw: object) -> str:
    """How a cell's content is quoted back to the clerk."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.strftime("%Y-%m-%d %H:%M") if (raw.hour or raw.minute) else raw.strftime("%Y-%m-%d")
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def _err(key: str, raw: object, **more: object) -> Parsed:
    return Parsed(error=key, params=(("value", show(raw)), *more.items()))


_ERROR_VALUES = {"#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#ERROR", "#GETTING_DATA"}


def parse_figure(raw: object, decimals: int = 0, unit: str = "") -> Parsed:
    """Read `raw` (whatever the spreadsheet reader gave) as a figure with at most `decimals`; a number
    followed by the indicator's own measure unit (`35人` for people) is that number."""
    if raw is None:
        return BLANK
    if raw.__class__ is float and decimals == 0 and raw >= 0 and raw.is_integer() and raw < 1e12:
        return Parsed(value=raw)  # the common case: a whole number as the reader gives it
    if isinstance(raw, bool):
        return _err("value.not_number", raw)
    if isinstance(raw, (datetime, date, time, timedelta)):
        return _err("value.date", raw)
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = halfwidth(str(raw)).strip().lstrip("'").strip()
        if text == "":
            return BLANK
        if text in ZERO_MARKS:
            return Parsed(value=0.0)
        compact = text.replace(" ", "").replace("\u2009", "")
        if unit and compact.endswith(unit) and len(compact) > len(unit):
            compact = compact[: -len(unit)]
        compact = _THOUSANDS.sub("", compact)
        if compact.startswith("-") and _NUMBER.match(compact[1:]):
            return _err("value.negative", raw)
        if compact.endswith("%"):
            return _err("value.percent", raw)
        if compact.upper() in _ERROR_VALUES or compact.startswith("Err:"):
            return _err("value.cell_error", raw)
        if not _NUMBER.match(compact):
            return _err("value.not_number", raw)
        value = float(compact)
    if math.isnan(value) or math.isinf(value):
        return _err("value.not_number", raw)
    if value < 0:
        return _err("value.negative", raw)
    scaled = value * (10**decimals)
    nearest = round(scaled)
    if abs(scaled - nearest) > 1e-6 * max(1.0, abs(scaled)):
        if decimals == 0:
            return _err("value.fraction", raw)
        return _err("value.decimals", raw, decimals=decimals)
    value = nearest / (10**decimals) if decimals else float(nearest)
    if value >= 1e12:
        return _err("value.too_large", raw)
    return Parsed(value=value)


def fmt_number(value: float | None, decimals: int = 0) -> str:
    """A figure as the reports print it: `12,345` or `1,234.50`; '' for None."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"
