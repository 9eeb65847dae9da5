"""Settling a return's period from every place that names it, refusing when two disagree.

The sources, strongest first: the template's metadata, the title lines, the sheet's name, the file's
name, and the clerk's `--period`. A period no single line gives whole is put together from pieces:
the year in the title and `(1-5月)` / `(截至5月底)` / `5月份` on the next line or in the sheet name.
Two sources that name different months refuse the file, naming both (a sheet named `6月` under a
title saying `2003年7月` is either month; guessing one would store a quarter of the figures wrongly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error
from shiwan.recognize.grid import Grid, cell_at
from shiwan.recognize.lines import Lines
from shiwan.recognize.model import Options
from shiwan.recognize.words import DATE_LABEL
from shiwan.ref import periods
from shiwan.ref.text import arabic_dates, find_period, squash

# lines of the 表号 block and other dates that are not the return's period
_NOT_PERIOD_LINE = re.compile(r"有效期|批准|文号|起执行|制表机关|表号|印发|(?:修订|更正)(?:日期|时间|于)")
_YTD_LINE = re.compile(r"(?<!\d)(?:1|元)\s*[-—–~至到]\s*(\d{1,2})\s*月|(?:截至|截止|至)\s*(\d{1,2})\s*月(?:底|末|份)?")
_MONTH_ONLY = re.compile(r"(?<![\d年])(\d{1,2})\s*月(?:份)?(?!\d*日)")
_QUARTER = re.compile(r"第?[一二三四1-4]季度|[一二三四1-4]季度|季报")


@dataclass
class PeriodFound:
    """The settled period, and what the title says about the figures: the year so far (`1-6月`,
    `截至6月底`, `上半年`), this month only (`本月完成情况`), or a quarter (`第二季度`)."""

    period: str | None = None
    ytd_said: bool = False
    month_said: bool = False
    quarter: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Source:
    what: str  # how the message names it: `A2 “2003年7月”`, `the sheet name “6月”`
    cell: str
    period: str | None  # a whole period, or None when only the month is known
    month: int
    ytd: bool = False  # `1-6月`: the figures are the year so far


def settle_period(grid: Grid, lines: Lines, opts: Options, meta: dict[str, str]) -> PeriodFound:
    out = PeriodFound()
    title = _title_sources(lines, out)
    sheet = _name_source(grid.name, t("period.source_sheet", name=grid.name), compact=False)
    file_ = _name_source(opts.file_name, t("period.source_file", name=opts.file_name), compact=True) \
        if opts.file_name else None
    if sheet is not None and sheet.ytd:
        out.ytd_said = True
    shown = [s for s in (*[t_ for t_ in title if t_.period][:1], sheet, file_) if s is not None]
    whole = [s for s in shown if s.period]
    found = whole[0].period if whole else None
    meta_period = _meta_period(meta)
    if meta_period and found and found != meta_period:
        out.problems.append(error("layout.template_conflict", sheet=grid.name, what=t("layout.what_period"),
                                  meta=meta_period, shown=found))
    found = meta_period or found or _from_pieces(grid, lines, out)
    for a, b in _disagreeing(title + [s for s in (sheet, file_) if s is not None]):
        out.problems.append(error("layout.period_sources_conflict", sheet=grid.name, cell=a.cell or b.cell,
                                  first=a.what, second=b.what))
        break
    if opts.period:
        if found and found != opts.period:
            out.problems.append(error("layout.period_conflict", sheet=grid.name, file_period=found, option=opts.period))
        found = found or opts.period
    if found is None:
        out.problems.append(error("layout.no_period", sheet=grid.name))
    out.period = found
    return out


def _meta_period(meta: dict[str, str]) -> str | None:
    try:
        return periods.parse_period(meta["period"]) if meta.get("period") else None
    except periods.PeriodError:
        return None


def _title_sources(lines: Lines, out: PeriodFound) -> list[_Source]:
    """Every title line that names a period or a month (the 表号 block and 报出日期 excepted); a line
    naming the months so far (`1-6月`, `截至6月底`, `上半年`) says the figures are the year to date."""
    found = []
    for r, c, text in lines.title:
        if _NOT_PERIOD_LINE.search(text):
            continue
        m = DATE_LABEL.search(squash(text))
        head = arabic_dates(squash(text)[: m.start()] if m else squash(text))
        if "本月" in head and "累计" not in head:
            out.month_said = True
        hint = find_period(head)
        through = _YTD_LINE.search(head)
        if hint or through:
            out.ytd_said = out.ytd_said or bool(hint and hint.ytd) or through is not None
        if _QUARTER.search(head) and "半年" not in head and hint:
            out.quarter = True
        what, cell = f"{cell_at(r, c)} “{_quote(text)}”", cell_at(r, c)
        if hint:
            found.append(_Source(what, cell, hint.period, periods.month_of(hint.period), hint.ytd))
        elif through and 1 <= int(through.group(1) or through.group(2)) <= 12:
            found.append(_Source(what, cell, None, int(through.group(1) or through.group(2)), True))
    return found


def _name_source(name: str, what: str, *, compact: bool) -> _Source | None:
    """A period in a sheet or file name: whole (`2003-06`, `2003年6月`), or a month alone (`6月`)."""
    if not name:
        return None
    stem = re.sub(r"\.[A-Za-z0-9]{2,5}$", "", name)
    hint = find_period(stem, compact=compact)
    if hint:
        return _Source(what, "", hint.period, periods.month_of(hint.period), hint.ytd)
    s = arabic_dates(squash(stem))
    m = _YTD_LINE.search(s)
    if m and 1 <= int(m.group(1) or m.group(2)) <= 12:
        return _Source(what, "", None, int(m.group(1) or m.group(2)), True)
    m = _MONTH_ONLY.search(s)
    if m and 1 <= int(m.group(1)) <= 12:
        return _Source(what, "", None, int(m.group(1)))
    return None


def _disagreeing(sources: list[_Source]) -> list[tuple[_Source, _Source]]:
    out = []
    for i, a in enumerate(sources):
        for b in sources[i + 1:]:
            if a.month != b.month or (a.period and b.period and a.period != b.period):
                out.append((a, b))
    return out


def _from_pieces(grid: Grid, lines: Lines, out: PeriodFound) -> str | None:
    """A period no single line gives whole: a title-area cell holding a real date (`2003年6月` as
    Excel shows a date), or the year in the title and the months on another line or in the sheet
    name (`…2003年“十万行动”…` / `(1-6月)`, `(截至5月底)`, `5月份`)."""
    for r in lines.title_rows:
        for v in grid.row(r):
            if isinstance(v, (datetime, date)):
                return periods.make(v.year, v.month)
    texts = [arabic_dates(squash(v)) for _, _, v in lines.title if not _NOT_PERIOD_LINE.search(v)]
    year = next((int(m.group(1)) for s in texts for m in [re.search(r"(\d{4})年", s)] if m), None)
    if year is None or not 1900 <= year <= 2200:
        return None
    for s in [*texts, arabic_dates(squash(grid.name))]:
        m = _YTD_LINE.search(s)
        month = int(m.group(1) or m.group(2)) if m else None
        if month and 1 <= month <= 12:
            out.ytd_said = True  # `(1-6月)`, `截至6月底`: the figures are the year so far
            return periods.make(year, month)
        m = _MONTH_ONLY.search(s)
        if m and 1 <= int(m.group(1)) <= 12:
            return periods.make(year, int(m.group(1)))
    return None


def _quote(text: str) -> str:
    v = " ".join(text.split())
    return v if len(v) <= 40 else v[:37] + "..."
