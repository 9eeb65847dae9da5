"""Recognising a return in a sheet: which form, which unit and period, which cell holds which figure.

Two forms, one recogniser (DESIGN §4):

- a **summary** (city summary): units down the rows, indicators across the columns, a header of one
  or two rows (`本月` / `本年累计` under a merged indicator cell), a 合计 row at the top or bottom;
- a **unit return** (county return): indicators down the rows (`序号 | 指标名称 | 计量单位 | 本月 |
  本年累计`), the unit in a `填报单位` line.

The templates that `shiwan template` writes are clean instances of the same two forms, with a hidden
metadata sheet that removes all guessing about form, unit and period.

The result is a `ParsedFile`: returns with their figures (each knowing its cell), and every problem
found, each naming its sheet and cell. Nothing here touches the database: checks that need stored
data (revisions, months before and after, locks) happen in `imports.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shiwan.base.i18n import t
from shiwan.base.problems import HasProblems, Problem, error, warning
from shiwan.read.readers import Book, Sheet, cell_name
from shiwan.recognize.values import parse_figure
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.text import (
    PeriodHint,
    arabic_dates,
    find_date,
    find_period,
    halfwidth,
    normalize_header,
    normalize_unit_name,
    squash,
)
from shiwan.ref.units import UnitRec, UnitTree

META_SHEET = "_shiwan"
FORM_UNIT = "county"
FORM_SUMMARY = "city"

HEADER_SCAN_ROWS = 40

# -- words that mark columns, rows and lines ----------------------------------------------------------

_MONTH_WORDS = {"本月", "本月数", "当月", "当月数", "本期", "本期数", "本月完成", "本月发生", "本月实绩", "月报数", "本月新增"}
_YTD_WORDS = {"本年累计", "累计", "累计数", "本年累计数", "年累计", "今年累计", "全年累计", "自年初累计", "累计完成",
              "本年", "年初至今", "本年累计完成", "累计完成数", "年度累计"}
_LEVEL_WORDS = {"期末数", "期末", "实有数", "期末实有数", "现有数", "年末数", "现有", "期末累计", "实有"}
_IGNORE_PARTS = ("上年", "去年", "同比", "同期", "增减", "增长", "比上", "计划", "目标", "任务", "完成率", "完成%", "%",
                 "备注", "占", "进度", "比例", "排名", "名次")
_YTD_RANGE = re.compile(r"^(?:本年)?1[-—~至到](\d{1,2})月(?:份)?(?:累计)?(?:数|完成)?$")
_UNIT_HEADERS = {"单位", "单位名称", "地区", "名称", "县(市、区)", "县(市,区)", "县市区", "县(市)区", "填报单位", "工会名称",
                 "区县", "县区", "市(地)", "地市", "市地", "区、县(市)", "区县(市)", "县(区)", "县(市)", "市县", "工会",
                 "单位(地区)", "地区(单位)", "项目单位"}
_SERIAL_HEADERS = {"序号", "编号", "行次", "序", "No.", "NO.", "No"}
_INDICATOR_HEADERS = {"指标名称", "指标", "项目", "项目名称", "指标项目", "统计指标"}
_MEASURE_UNIT_HEADERS = {"计量单位", "单位", "计量"}
_TOTAL_WORDS = {"合计", "总计", "全市", "全省", "全市合计", "全省合计", "合计数", "共计", "总数", "全市总计", "全省总计",
                "全区", "全区合计", "全地区", "全地区合计", "全盟", "全州", "合计(全市)", "全市合计数"}
_SUBTOTAL = re.compile(r"小计$")
_OWN_LEVEL = re.compile(r"^(?:.*?)(?:本级|市总本级|市直|机关本级|直属)$")
# the city's own office as clerks label its row (without the word 本级)
_OWN_LABELS = {"市总工会", "市总", "市工会", "市总工会机关", "市总机关", "总工会本级", "市总工会(本级)", "本级工会",
               "县总工会", "区总工会", "省总工会", "省总"}
_FOOTER_STARTS = ("单位负责人", "负责人", "统计负责人", "填表人", "制表人", "审核人", "审核", "联系电话", "电话",
                  "报出日期", "填报日期", "报送日期", "填表日期", "制表日期", "说明", "注:", "注1", "备注:", "附注",
                  "主管领导", "分管领导", "统计员", "经办人")
_REPORTER_LINE = re.compile(r"(?:填报单位|报送单位|填表单位|报告单位|上报单位)\s*(?:\((?:盖章|章|公章)\))?\s*[:]?(.*)")
# what ends a unit's name on a 填报单位 line: a wide gap, another label, a date, a stamp
_REPORTER_END = re.compile(r"\s{2,}|\t|(?:计量单位|金额单位|单位\s*[:]|表号|制表机关|文号|填表人|负责人|统计负责人|联系电话|电话|"
                           r"报出日期|填报日期|日期|\(盖章\)|盖章)|\d{4}\s*[年./-]")
_DATE_LABEL = re.compile(r"(?:报出日期|填报日期|报送日期|填表日期|制表日期)[:]?(.*)")


def measure_word(text: str) -> str | None:
    """'month', 'ytd', 'level' or 'ignore' for a sub-header such as 本月 / 1-6月累计 / 期末数 / 同比%."""
    v = normalize_header(text).strip("()")
    if not v:
        return None
    if v in _MONTH_WORDS:
        return "month"
    if v in _YTD_WORDS or _YTD_RANGE.match(v):
        return "ytd"
    if v in _LEVEL_WORDS:
        return "level"
    if any(p in v for p in _IGNORE_PARTS):
        return "ignore"
    return None


def _split_measure(header: str) -> tuple[str, str | None]:
    """`实现再就业人数(本月)` / `本月实现再就业人数` -> (name, 'month')."""
    v = normalize_header(header)
    m = re.match(r"^(.*?)\(([^()]*)\)$", v)
    if m:
        mw = measure_word(m.group(2))
        if mw in ("month", "ytd", "level"):
            return m.group(1), mw
    for words, kind in ((_YTD_WORDS, "ytd"), (_MONTH_WORDS, "month"), (_LEVEL_WORDS, "level")):
        for w in sorted(words, key=len, reverse=True):
            if len(v) > len(w) + 1:
                if v.endswith(w):
                    return v[: -len(w)], kind
                if v.startswith(w):
                    return v[len(w):], kind
    m = re.match(r"^(.*?)1[-—~至到]\d{1,2}月(?:累计)?$", v)
    if m:
        return m.group(1), "ytd"
    return v, None


# -- results ---------------------------------------------------------------------------------------


@dataclass
class FigureIn:
    unit_id: int
    indicator: str
    month: float | None
    ytd: float | None
    month_cell: str = ""
    ytd_cell: str = ""
    channel: int = CHANNEL_OWN


@dataclass
class ReturnIn:
    form: str
    reporter_id: int
    period: str
    sheet: str
    figures: list[FigureIn]
    submitted_on: date | None = None


@dataclass
class ParsedFile(HasProblems):
    returns: list[ReturnIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    form: str = ""
    reporter_id: int | None = None
    period: str = ""
    submitted_on: date | None = None


@dataclass
class Options:
    """What the clerk said on the command line, used only where the file does not say."""

    unit: str | None = None  # unit code
    period: str | None = None
    measure: str | None = None  # ytd | month
    file_name: str = ""
    path_hint: str = ""  # the file's last folders and name, for telling namesakes apart


@dataclass
class Context:
    catalog: Catalog
    units: UnitTree


# -- the recogniser ----------------------------------------------------------------------------------


def recognize(book: Book, ctx: Context, opts: Options) -> ParsedFile:
    """Every return in the workbook, with its figures and problems."""
    out = ParsedFile()
    meta = _template_meta(book)
    sheets = [s for s in book.sheets if not s.hidden and s.name != META_SHEET and s.height > 0]
    candidates = []
    for sheet in sheets:
        hits = _indicator_hits(sheet, ctx.catalog)
        if hits:
            candidates.append((sheet, hits))
    if not candidates:
        if not sheets:
            out.problems.append(error("layout.empty_book"))
        else:
            out.problems.append(error("layout.no_indicators", sheet=sheets[0].name))
        return out
    if len(candidates) > 1:  # an instructions sheet listing the indicators is not a return
        returns_like = [c for c in candidates if not _INSTRUCTION_SHEET.search(c[0].name)]
        candidates = returns_like or candidates
    parsed = []
    for sheet, hits in candidates:
        parser = _SheetParser(sheet, hits, ctx, opts, meta, out)
        parsed.append((sheet, parser.parse(), parser.problems))
    any_return = any(ret is not None for _, ret, _ in parsed)
    for sheet, ret, problems in parsed:
        if ret is not None:
            out.returns.append(ret)
            out.problems.extend(problems)
        elif any_return and all(p.key in _NOT_A_RETURN for p in problems if p.is_error):
            # beside a sheet that is a return, one that is not (notes, a list of indicators) is passed over
            out.problems.append(warning("layout.sheet_skipped", sheet=sheet.name))
        else:
            out.problems.extend(problems)
    if out.returns:
        first = out.returns[0]
        out.form, out.reporter_id, out.period = first.form, first.reporter_id, first.period
        out.submitted_on = next((r.submitted_on for r in out.returns if r.submitted_on), None)
        seen: dict[tuple[int, str], str] = {}
        for r in out.returns:
            for f in r.figures:
                key = (f.unit_id, r.period)
                if key in seen and seen[key] != r.sheet:
                    out.problems.append(error("layout.same_return_twice", sheet=r.sheet, other=seen[key],
                                              unit=ctx.units.by_id[f.unit_id].name, period=r.period))
                    break
                seen.setdefault(key, r.sheet)
    if not out.returns and not out.errors:
        out.problems.append(error("layout.no_indicators", sheet=candidates[0][0].name))
    return out


_INSTRUCTION_SHEET = re.compile(r"说明|目录|封面|解释|指标体系|instruction|readme", re.I)
# failures that mean a sheet is not a return at all (rather than a return with a bad cell)
_NOT_A_RETURN = {"layout.no_period", "layout.no_measure_header", "layout.no_unit", "layout.no_rows",
                 "layout.measure_unknown", "layout.no_indicators"}


def _template_meta(book: Book) -> dict[str, str]:
    for s in book.sheets:
        if s.name == META_SHEET:
            meta = {}
            for row in s.rows:
                if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
                    v = row[1]
                    meta[row[0].strip()] = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
            return meta
    return {}


_MEASURE_HINTS = ("本月", "累计", "月", "期末", "实有", "现有", "本期", "当月", "本年")
_hit_cache: dict[tuple[int, str], tuple[str | None, str | None]] = {}


def _header_hit(catalog: Catalog, v: str) -> tuple[str | None, str | None]:
    """(indicator code, measure) a header cell names, remembered across files of one worker."""
    key = (id(catalog), v)
    hit = _hit_cache.get(key)
    if hit is None:
        code, mw = catalog.match(v), None
        if code is None and any(h in v for h in _MEASURE_HINTS):
            name, mw = _split_measure(v)
            code = catalog.match(name) if mw else None
        hit = (code, mw if code else None)
        if len(_hit_cache) < 100_000:
            _hit_cache[key] = hit
    return hit


def _indicator_hits(sheet: Sheet, catalog: Catalog) -> list[tuple[int, int, str, str | None]]:
    """(row, col, indicator code, measure named in the same cell) for every header cell naming one."""
    hits = []
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if v.__class__ is str and 1 < len(v) < 80:
                code, mw = _header_hit(catalog, v)
                if code:
                    hits.append((r, c, code, mw))
    return hits


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        s = squash(v).replace(",", "")
        return bool(s) and (s.replace(".", "", 1).isdigit() or s in ("-", "—"))
    return False


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class _SheetParser:
    def __init__(self, sheet: Sheet, hits, ctx: Context, opts: Options, meta: dict[str, str], out: ParsedFile):
        self.sheet = sheet
        self.hits = hits
        self.ctx = ctx
        self.opts = opts
        self.meta = meta
        self.out = out
        self.name = sheet.name
        self.problems: list[Problem] = []
        self.no_value = set(sheet.formulas_without_value)
        self.ranges: list[tuple[int, int, int, str]] = []
        self.title_says_ytd = False
        self.merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for m in sheet.merged:
            r1, c1, r2, c2 = m
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= 4096:
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        self.merge_at[(r, c)] = m

    def err(self, key: str, r: int | None = None, c: int | None = None, **params: Any) -> None:
        cell = cell_name(r, c) if r is not None and c is not None else ""
        self.problems.append(error(key, sheet=self.name, cell=cell, **params))

    def warn(self, key: str, r: int | None = None, c: int | None = None, **params: Any) -> None:
        cell = cell_name(r, c) if r is not None and c is not None else ""
        self.problems.append(warning(key, sheet=self.name, cell=cell, **params))

    def read(self, r: int, c: int, ind: IndicatorDef, *, report: bool = True) -> tuple[bool, float | None]:
        """(ok, value) of a figure cell: blank is 0; an unreadable cell is an error (reported once)."""
        if (r, c) in self.no_value:
            if report:
                self.err("read.formula_no_value", r, c)
            return False, None
        p = parse_figure(self.sheet.cell(r, c), ind.decimals, ind.measure)
        if not p.ok:
            if report:
                self._value_error(p, r, c, ind)
            return False, None
        return True, (0.0 if p.blank else p.value)

    def _spanning(self, r: int, c: int) -> tuple[int, int]:
        """The header cell that covers (r, c) from above: its merged range, or — where the file keeps
        no merges — the nearest filled cell to its left in the same row."""
        tl = self.top_left(r, c)
        if tl != (r, c) or self.sheet.cell(r, c) is not None:
            return tl
        for j in range(c - 1, -1, -1):
            if self.sheet.cell(r, j) is not None:
                return (r, j)
        return (r, c)

    def _note_range(self, text: str, r: int, c: int) -> None:
        """Remember a `1-5月累计` header so that it can be checked against the period."""
        m = re.search(r"1[-—~至到](\d{1,2})月", squash(text))
        if m:
            self.ranges.append((int(m.group(1)), r, c, text))

    def _check_ranges(self, period: str | None) -> None:
        if not period:
            return
        month = periods.month_of(period)
        for n, r, c, text in dict.fromkeys(self.ranges):
            if n != month:
                self.err("layout.range_mismatch", r, c, header=" ".join(text.split()), period=period, month=month)

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        m = self.merge_at.get((r, c))
        return (m[0], m[1]) if m else (r, c)

    # -- orientation ----------------------------------------------------------------------------

    def parse(self) -> ReturnIn | None:
        # distinct indicators: a header repeated down the page names the same ones again
        by_row: dict[int, set[str]] = {}
        by_col: dict[int, set[str]] = {}
        for r, c, code, _ in self.hits:
            by_row.setdefault(r, set()).add(code)
            by_col.setdefault(c, set()).add(code)
        best_row = max(len(v) for v in by_row.values())
        best_col = max(len(v) for v in by_col.values())
        form = self.meta.get("form")
        if form not in (FORM_UNIT, FORM_SUMMARY):
            form = FORM_SUMMARY if best_row > best_col else FORM_UNIT if best_col > best_row else None
            if form is None:
                r, c, _, _ = self.hits[0]
                right = [self.sheet.cell(r, j) for j in range(c + 1, c + 6)]
                form = FORM_UNIT if any(_is_number(v) for v in right) else FORM_SUMMARY
        return self._parse_summary() if form == FORM_SUMMARY else self._parse_unit_return()

    # -- lines above and below the table ---------------------------------------------------------------

    def _line_texts(self, rows: range) -> list[tuple[int, int, str]]:
        out = []
        for r in rows:
            for c, v in enumerate(self.sheet.rows[r] if r < self.sheet.height else []):
                if isinstance(v, str) and v.strip():
                    out.append((r, c, v))
        return out

    def _read_lines(self, top: range, bottom: range) -> None:
        """Title, 填报单位 and 报出日期 lines."""
        self.title_rows = top
        self.title_texts = self._line_texts(top)
        self.footer_texts = self._line_texts(bottom)
        self.reporter_text: tuple[int, int, str] | None = None
        self.submitted_on: date | None = None
        for r, c, v in self.title_texts + self.footer_texts:
            s = squash(v)
            m = _REPORTER_LINE.search(halfwidth(v))
            if m and self.reporter_text is None:
                name = _REPORTER_END.split(m.group(1).strip())[0]
                name = squash(name)
                if not name:  # the name is in the next cell
                    nxt = self.sheet.cell(r, c + 1)
                    name = squash(_REPORTER_END.split(_text(nxt).strip())[0])
                if name.strip():
                    self.reporter_text = (r, c, name)
            m = _DATE_LABEL.search(s)
            if m and self.submitted_on is None:
                d = find_date(m.group(1))
                if d is None:
                    for j in range(c + 1, c + 4):
                        nxt = self.sheet.cell(r, j)
                        if isinstance(nxt, datetime):
                            d = nxt.date()
                        elif isinstance(nxt, date):
                            d = nxt
                        elif isinstance(nxt, str):
                            d = find_date(nxt)
                        if d:
                            break
                self.submitted_on = d

    def _period(self) -> tuple[str | None, PeriodHint | None]:
        """The period, from (in order) template metadata, title lines, sheet name, file name, option."""
        hint = None
        for _, _, v in self.title_texts:
            hint = find_period(v)
            if hint:
                break
        sheet_hint = find_period(self.name)
        file_hint = find_period(self.opts.file_name, compact=True)
        meta = self.meta.get("period")
        found = None
        if meta:
            try:
                found = periods.parse_period(meta)
            except periods.PeriodError:
                found = None
        shown = (hint.period if hint else None) or (sheet_hint.period if sheet_hint else None) or \
            (file_hint.period if file_hint else None)
        if found and shown and shown != found:
            # a template re-used for another month: what the sheet says and what it was made for differ
            self.err("layout.template_conflict", what=t("layout.what_period"), meta=found, shown=shown)
        found = found or shown or self._period_in_pieces()
        if self.opts.period:
            if found and found != self.opts.period:
                self.err("layout.period_conflict", file_period=found, option=self.opts.period)
            found = found or self.opts.period
        if found is None:
            self.err("layout.no_period")
        return found, hint or sheet_hint

    def _period_in_pieces(self) -> str | None:
        """A period no single line gives whole: a title-area cell holding a real date (`2003年6月` as
        Excel shows a date), or the year in the title and the months on the next line or in the sheet
        name (`…2003年“十万行动”…` / `(1-6月)`)."""
        top = self.title_rows
        for r in top:
            for v in self.sheet.rows[r] if r < self.sheet.height else []:
                if isinstance(v, (datetime, date)):
                    return periods.make(v.year, v.month)
        texts = [squash(v) for _, _, v in self.title_texts]
        year = next((int(m.group(1)) for t_ in texts for m in [re.search(r"(\d{4})年", arabic_dates(t_))] if m), None)
        if year is None or not 1900 <= year <= 2200:
            return None
        for t_ in [*texts, squash(self.name)]:
            t_ = arabic_dates(t_)
            m = re.search(r"(?<!\d)1\s*[-—~至到]\s*(\d{1,2})\s*月", t_)
            if m and 1 <= int(m.group(1)) <= 12:
                self.title_says_ytd = True  # `(1-6月)`: the figures are the year so far
                return periods.make(year, int(m.group(1)))
            m = re.search(r"(?<![\d年])(\d{1,2})\s*月(?!\d*日)", t_)
            if m and 1 <= int(m.group(1)) <= 12:
                return periods.make(year, int(m.group(1)))
        return None

    def _reporter_candidates(self) -> tuple[UnitRec | None, str]:
        """The reporting unit as the file names it: metadata, 填报单位 line, title, file name."""
        units = self.ctx.units
        code = self.meta.get("unit")
        if code:
            u = units.by_code.get(code)
            if u is None:
                self.err("layout.unknown_unit_code", code=code)
                return None, "error"
            stem = re.sub(r"\.[A-Za-z0-9]{2,5}$", "", self.opts.file_name)
            named = []
            if self.reporter_text:
                res = units.resolve(self.reporter_text[2])
                named += [res.unit] if res.unit else []
            for text in [v for _, _, v in self.title_texts] + [stem]:
                named += units.find_in_text(text)
            related = {u.id, *(a.id for a in units.ancestors(u))}
            other = next((n for n in named if n.id not in related and not units.is_within(n, u.id)), None)
            if other is not None:
                # a template re-used for another unit
                self.err("layout.template_conflict", what=t("layout.what_unit"), meta=u.name, shown=other.name)
                return None, "error"
            return u, "meta"
        if self.reporter_text:
            r, c, name = self.reporter_text
            res = units.resolve(name)
            if res.unit:
                return res.unit, "line"
            opt = units.by_code.get(self.opts.unit) if self.opts.unit else None
            if res.candidates:
                if opt is not None and opt in res.candidates:
                    return opt, "line"  # the clerk said which of the namesakes it is
                by_place = self._within_named_place(res.candidates)
                if by_place is not None:
                    return by_place, "line"
                self.err("layout.ambiguous_unit", r, c, name=normalize_unit_name(name),
                         candidates=_cands(res.candidates, units))
                return None, "error"
            if opt is not None:
                self.warn("layout.unit_name_unknown_option", r, c, name=normalize_unit_name(name), unit=opt.name)
                return opt, "option"
            self.err("layout.unknown_unit", r, c, name=normalize_unit_name(name))
            return None, "error"
        for _, _, v in self.title_texts:
            found = units.find_in_text(v)
            if found:
                return found[0], "title"
        stem = re.sub(r"\.[A-Za-z0-9]{2,5}$", "", self.opts.file_name)
        found = units.find_in_text(stem)
        if found:
            return found[0], "file"
        return None, ""

    def _within_named_place(self, candidates: list[UnitRec]) -> UnitRec | None:
        """The one namesake that lies under a unit the title, the file's folders or its name mention
        (`鹤岗市向阳区总工会…` / `鹤岗市/向阳区_2003-06.xlsx`): the city the file belongs to."""
        texts = [v for _, _, v in self.title_texts] + ([self.opts.path_hint] if self.opts.path_hint else [])
        for text in texts:
            places = self.ctx.units.find_in_text(text)
            inside = [c for c in candidates if any(self.ctx.units.is_within(c, p.id) and p.id != c.id for p in places)]
            if len(inside) == 1:
                return inside[0]
        return None

    def _settle_reporter(self, from_file: UnitRec | None, how: str) -> UnitRec | None:
        units = self.ctx.units
        opt = units.by_code.get(self.opts.unit) if self.opts.unit else None
        if self.opts.unit and opt is None:
            self.err("layout.unknown_unit_code", code=self.opts.unit)
            return None
        if from_file and opt and from_file.id != opt.id and how in ("meta", "line"):
            self.err("layout.unit_conflict", file_unit=from_file.name, option=opt.name)
            return None
        return opt or from_file

    # -- summary: units down, indicators across -----------------------------------------------------------

    def _parse_summary(self) -> ReturnIn | None:
        cat = self.ctx.catalog
        sheet = self.sheet
        by_row: dict[int, list] = {}
        for h in self.hits:
            by_row.setdefault(h[0], []).append(h)
        head = max(by_row, key=lambda r: (len(by_row[r]), -r))
        band = [head]
        for r in range(head - 1, max(-1, head - 3), -1):
            if r in by_row or self._measure_row(r):
                band.insert(0, r)
            else:
                break
        r = head + 1
        while r < min(sheet.height, head + 3) and (self._measure_row(r) or r in by_row):
            band.append(r)
            r += 1
        first_data = band[-1] + 1
        top, bottom = band[0], band[-1]

        # column -> indicator (lowest header row wins), then measure
        col_ind: dict[int, tuple[str, int]] = {}
        for r, c, code, _ in sorted(self.hits, key=lambda h: h[0]):
            if top <= r <= bottom:
                m = self.merge_at.get((r, c))
                cols = range(m[1], m[3] + 1) if m else range(c, c + 1)
                for j in cols:
                    col_ind[j] = (code, r)
        measure_row = next((r for r in reversed(band) if self._measure_row(r)), None)
        if measure_row is not None:  # unmerged two-row headers: 本月 | 累计 under one name
            for c in range(sheet.width):
                if c in col_ind or measure_word(_text(sheet.cell(measure_row, c))) not in ("month", "ytd", "level"):
                    continue
                left = col_ind.get(c - 1)
                if left and left[1] < measure_row and sheet.cell(left[1], c) is None:
                    col_ind[c] = left
        cell_measure = {(r, c): mw for r, c, _, mw in self.hits}
        columns: dict[str, dict[str, int]] = {}  # indicator -> {measure: col}
        unknown_measure: list[tuple[str, int]] = []
        money_bad: dict[tuple[int, int], int] = {}
        skipped: set[int] = set()  # refused columns: not "unknown" as well
        for c in sorted(col_ind):
            code, hr = col_ind[c]
            ind = cat.by_code[code]
            mw = None
            for r in band:
                if r > hr:
                    text = _text(sheet.cell(r, c))
                    w = measure_word(text)
                    if w:
                        mw = w
                        self._note_range(text, r, c)
            if mw is None:  # 本月 / 本年累计 over the names beneath them
                for r in band:
                    if r < hr:
                        ar, ac = self._spanning(r, c)
                        text = _text(sheet.cell(ar, ac))
                        w = measure_word(text)
                        if w:
                            mw = w
                            self._note_range(text, ar, ac)
            if mw is None:
                tl = self.top_left(hr, c)
                mw = cell_measure.get(tl) or cell_measure.get((hr, c))
                if mw:
                    self._note_range(_text(sheet.cell(*tl)), *tl)
            mismatch = _money_mismatch(_text(sheet.cell(*self.top_left(hr, c))), ind)
            if mismatch:
                if self.top_left(hr, c) not in money_bad:
                    self.err("layout.unit_mismatch", *self.top_left(hr, c), indicator=ind.name, stated=mismatch,
                             expected=ind.measure)
                money_bad[self.top_left(hr, c)] = c
                skipped.add(c)
                continue
            if mw == "ignore":
                continue
            slot = _slot(ind, mw)
            if slot is None:
                unknown_measure.append((code, c))
                continue
            if slot in columns.get(code, {}):
                if ind.kind == "stock":
                    continue
                self.err("layout.duplicate_column", hr, c, indicator=ind.name,
                         other=cell_name(hr, columns[code][slot]))
                skipped.add(c)
                continue
            columns.setdefault(code, {})[slot] = c
        for code, slots in columns.items():
            if cat.by_code[code].kind == "stock" and "month" in slots and "ytd" in slots:
                self.warn("layout.stock_month_ignored", bottom, slots["month"], indicator=cat.by_code[code].name)
                del slots["month"]

        # columns with figures but no indicator
        mapped = {c for slots in columns.values() for c in slots.values()}
        unit_col, serial_col = self._unit_column(band, min(col_ind) if col_ind else 0, first_data)

        # the end of the table: the first footer line
        end = sheet.height
        for r in range(first_data, sheet.height):
            if self._is_footer(r):
                end = r
                break
        self._read_lines(range(0, top), range(end, sheet.height))
        period, hint = self._period()
        row_measure_col = None
        if unknown_measure:
            row_measure_col = self._row_measure_column(first_data, end, {unit_col, serial_col}, min(col_ind))
        if row_measure_col is not None:  # each unit in two rows: 本月, then 本年累计 (a 项目 column says which)
            for code, c in unknown_measure:
                columns.setdefault(code, {})["by_row"] = c
                mapped.add(c)
            unknown_measure = []
        fallback = self._fallback_measure(hint, period) if unknown_measure else None
        for code, c in unknown_measure:
            ind = cat.by_code[code]
            if fallback is None:
                continue
            slot = _slot(ind, fallback)
            if slot and slot not in columns.get(code, {}):
                columns.setdefault(code, {})[slot] = c
                mapped.add(c)
        if unknown_measure and fallback is None:
            code, c = unknown_measure[0]
            self.err("layout.measure_unknown", col_ind[c][1], c, header=_text(sheet.cell(*self.top_left(col_ind[c][1], c))))
        if period and periods.month_of(period) == 1:
            for slots in columns.values():  # January: the month is the year so far
                if "ytd" in slots and "month" not in slots:
                    slots["month_from_ytd"] = slots["ytd"]
        self._check_ranges(period)
        self._warn_unmapped_columns(band, first_data, end,
                                    mapped | {unit_col, serial_col, row_measure_col} | {c for _, c in unknown_measure}
                                    | skipped)

        reporter_file, how = self._reporter_candidates()
        # read the rows
        rows: list[tuple[int, str, str]] = []  # (row, kind, label) kind: unit | total | own | subtotal
        written: dict[int, str] = {}  # row -> the label as written, for messages
        row_measure: dict[int, str] = {}  # row -> month | ytd, where units come in two rows
        hit_rows = {h[0] for h in self.hits}
        last_label = ("", "", -1)  # (label, written, row) of the last unit row, for rows under a merged name
        for r in range(first_data, end):
            label_raw = sheet.cell(r, unit_col) if unit_col is not None else None
            if label_raw is None and unit_col is not None:
                tl = self.top_left(r, unit_col)
                if tl[0] == r:  # `合计` written in the 序号 cell merged across into the unit column
                    label_raw = sheet.cell(*tl)
            label = normalize_unit_name(_text(label_raw)) if label_raw is not None else ""
            written[r] = squash(_text(label_raw)) if label_raw is not None else ""
            has_numbers = any(sheet.cell(r, c) is not None for c in mapped)
            if r in hit_rows or self._measure_row(r) or normalize_header(written[r]) in _UNIT_HEADERS \
                    or "续表" in written[r]:
                continue  # the header again, on a second printed page
            if not has_numbers and label and find_period(_text(label_raw)) and r > first_data:
                self.err("layout.second_table", r, unit_col or 0, text=" ".join(_text(label_raw).split()))
                break  # one table a sheet: a second month belongs on a sheet of its own
            if row_measure_col is not None:
                w = measure_word(_text(sheet.cell(r, row_measure_col)))
                if w in ("month", "ytd"):
                    row_measure[r] = w
                    if not label and last_label[0] and has_numbers:
                        label, written[r] = last_label[0], last_label[1]  # the name is merged over both rows
            if not label:
                if has_numbers:
                    tl = self.top_left(r, unit_col) if unit_col is not None else (r, 0)
                    if tl != (r, unit_col) and tl[0] < r:
                        # a unit's name merged over two rows of figures, and nothing says what the second is
                        self.err("layout.merged_unit_rows", r, unit_col, name=_text(sheet.cell(*tl)).strip(),
                                 first=cell_name(*tl))
                        continue
                    self.err("layout.row_without_unit", r, unit_col if unit_col is not None else 0)
                continue
            last_label = (label, written[r], r)
            if label in _TOTAL_WORDS or label.startswith(("合计", "总计")) or label.endswith("合计"):
                rows.append((r, "total", label))
            elif _SUBTOTAL.search(label):
                rows.append((r, "subtotal", label))
            elif "本级" in written[r] or _OWN_LEVEL.match(label) or written[r] in _OWN_LABELS:
                rows.append((r, "own", label))
            else:
                rows.append((r, "unit", label))

        reporter = self._settle_reporter(reporter_file, how)
        units = self.ctx.units
        if reporter is None and how != "error":  # infer from the rows: the common parent of the units named
            reporter = units.common_parent(label for _r, kind, label in rows if kind == "unit")
        if reporter is None:
            if how != "error" and not any(p.key.startswith("layout.unknown_unit") for p in self.problems):
                self.err("layout.no_unit")
            return None
        # a row naming the reporter itself is the total of the whole city
        rep_names = {normalize_unit_name(reporter.name), *(normalize_unit_name(a) for a in reporter.aliases)}
        figures: list[FigureIn] = []
        seen_units: dict[int, int] = {}
        totals: list[int] = []
        unit_rows: list[int] = []
        unresolved = False
        data_rows = [r for r, _, _ in rows]
        for code, slots in columns.items():
            if cat.by_code[code].kind != "flow" or "month" not in slots or "ytd" not in slots:
                continue
            blank = {k: all(sheet.cell(r, slots[k]) is None for r in data_rows) for k in ("month", "ytd")}
            for k, other in (("month", "ytd"), ("ytd", "month")):
                if blank[k] and not blank[other]:
                    del slots[k]  # only the other half was filled in: this half is not reported, not zero
                    break
        pair_of: dict[int, int] = {}  # a unit's 本年累计 row -> its 本月 row (row-measure layouts)
        if row_measure_col is not None:
            prev: tuple[int, str] | None = None
            for r, _kind, label in rows:
                if prev and prev[1] == label and row_measure.get(prev[0]) == "month" and row_measure.get(r) == "ytd":
                    pair_of[r] = prev[0]
                prev = (r, label)
        paired = set(pair_of.values())
        for r, kind, label in rows:
            if kind == "subtotal" or r in paired:
                continue
            if kind == "total" or (kind == "unit" and label in rep_names):
                totals.append(r)
                continue
            if kind == "own":
                unit = reporter
            else:
                res = units.resolve(label, within=reporter.id)
                if res.unit is None:
                    c = unit_col if unit_col is not None else 0
                    shown = written.get(r) or label
                    if res.candidates:
                        self.err("layout.ambiguous_unit", r, c, name=shown, candidates=_cands(res.candidates, units))
                    elif res.outside:
                        self.err("layout.unit_outside", r, c, name=shown, reporter=reporter.name,
                                 candidates=_cands(res.outside, units))
                    else:
                        self.err("layout.unknown_unit", r, c, name=shown)
                    unresolved = True
                    continue
                unit = res.unit
            if unit.id in seen_units:
                self.err("layout.unit_twice", r, unit_col or 0, name=unit.name, other=cell_name(seen_units[unit.id], unit_col or 0))
                continue
            seen_units[unit.id] = r
            unit_rows.append(r)
            channel = CHANNEL_OWN if unit.id == reporter.id else CHANNEL_SUMMARY
            if row_measure_col is not None:
                figures.extend(self._row_pair_figures({row_measure.get(x, "ytd"): x for x in (pair_of.get(r), r)
                                                       if x is not None}, unit.id, columns, channel))
            else:
                figures.extend(self._row_figures(r, unit.id, columns, channel))
        if not unresolved:  # with a row left out, a 合计 that adds up would look wrong: say it once
            if row_measure_col is not None:  # totals by row: each against the units' rows of its kind
                by_kind = {m: [x for ur in unit_rows for x in (pair_of.get(ur), ur) if x is not None
                               and row_measure.get(x) == m] for m in ("month", "ytd")}
                total_rows = [x for r in totals for x in (r, *[k for k, v in pair_of.items() if v == r])]
                for r in dict.fromkeys(total_rows):
                    cols = {code: {"x": slots["by_row"]} for code, slots in columns.items() if "by_row" in slots}
                    self._check_total(r, by_kind.get(row_measure.get(r, "ytd"), []), cols)
            else:
                for r in totals:
                    self._check_total(r, unit_rows, columns)
        if not figures and not any(p.is_error for p in self.problems):
            self.err("layout.no_rows")
        self._check_not_blank(figures, unit_rows, columns)
        if period is None:
            return None
        return ReturnIn(FORM_SUMMARY, reporter.id, period, self.name, figures, self.submitted_on)

    def _row_measure_column(self, first: int, end: int, taken: set, first_ind_col: int) -> int | None:
        """A column left of the figures whose cells say 本月 / 本年累计 row by row (a 项目 column)."""
        for c in range(0, first_ind_col):
            if c in taken:
                continue
            words = [measure_word(_text(self.sheet.cell(r, c))) for r in range(first, end)
                     if self.sheet.cell(r, c) is not None]
            if len(words) >= 2 and sum(1 for w in words if w in ("month", "ytd")) >= 0.8 * len(words) \
                    and {"month", "ytd"} <= set(words):
                return c
        return None

    def _row_pair_figures(self, rows: dict[str, int], unit_id: int, columns: dict[str, dict[str, int]],
                          channel: int) -> list[FigureIn]:
        """A unit given in two rows, 本月 and 本年累计, each indicator in one column."""
        figs = []
        for code, slots in columns.items():
            c = slots.get("by_row")
            if c is None:  # a column with its own header (a stock's level): read on the 本年累计 row
                figs.extend(self._row_figures(rows.get("ytd", max(rows.values())), unit_id, {code: slots}, channel))
                continue
            ind = self.ctx.catalog.by_code[code]
            cells = {_slot(ind, m): (r, c) for m, r in rows.items()
                     if _slot(ind, m) and not (ind.kind == "stock" and m == "month" and "ytd" in rows)}
            fig = self._figure_at(unit_id, ind, cells, channel)
            if fig:
                figs.append(fig)
        self._check_rules(figs, min(rows.values()))
        return figs

    def _measure_row(self, r: int) -> bool:
        """A header row of 本月 / 本年累计 words over (or under) indicator columns — not a title line
        such as `(1-6月)` in the first column."""
        if r < 0 or r >= self.sheet.height:
            return False
        if not hasattr(self, "_hit_cols"):
            self._hit_cols = {c for _, c, _, _ in self.hits}
        n = 0
        for c, v in enumerate(self.sheet.rows[r]):
            if isinstance(v, str):
                w = measure_word(v)
                if w in ("month", "ytd", "level"):
                    m = self.merge_at.get((r, c))
                    span = range(m[1], m[3] + 1) if m else range(c - 1, c + 1)
                    if any(j in self._hit_cols for j in span):
                        n += 1
                elif w is None and self.ctx.catalog.match(v) is None and normalize_header(v) not in _UNIT_HEADERS \
                        and normalize_header(v) not in _SERIAL_HEADERS:
                    return False
            elif v is not None:
                return False
        return n > 0

    def _unit_column(self, band: list[int], first_ind_col: int, first_data: int) -> tuple[int | None, int | None]:
        sheet = self.sheet
        unit_col = serial_col = None
        for r in band:
            for c, v in enumerate(sheet.rows[r]):
                if not isinstance(v, str):
                    continue
                h = normalize_header(v)
                if h in _SERIAL_HEADERS and serial_col is None:
                    serial_col = c
                elif h in _UNIT_HEADERS and unit_col is None and c < first_ind_col + 1:
                    unit_col = c
        if unit_col is None:
            best, best_n = None, 0
            for c in range(0, max(first_ind_col, 1)):
                if c == serial_col:
                    continue
                n = sum(1 for r in range(first_data, min(sheet.height, first_data + 60))
                        if isinstance(sheet.cell(r, c), str) and not _is_number(sheet.cell(r, c)))
                if n > best_n:
                    best, best_n = c, n
            unit_col = best
        return unit_col, serial_col

    def _is_footer(self, r: int) -> bool:
        for v in self.sheet.rows[r]:
            if isinstance(v, str) and v.strip():
                s = squash(v)
                return s.startswith(_FOOTER_STARTS)
        return False

    def _fallback_measure(self, hint: PeriodHint | None, period: str | None) -> str | None:
        said = "ytd" if (hint is not None and hint.ytd) or self.title_says_ytd else None
        if said is None:
            words = "".join(squash(v) for _, _, v in self.title_texts)
            if "本月" in words and "累计" not in words:
                said = "month"  # `2003年6月份本月完成情况`
        if self.opts.measure:
            if said and said != self.opts.measure:
                self.err("layout.measure_conflict", option=self.opts.measure, said=t(f"measure.{said}"))
            return said or self.opts.measure
        if said:
            return said
        if period and periods.month_of(period) == 1:
            return "ytd"  # January: 本月 and 本年累计 are the same figure
        return None

    def _warn_unmapped_columns(self, band: list[int], first: int, end: int, mapped: set) -> None:
        sheet = self.sheet
        for c in range(sheet.width):
            if c in mapped:
                continue
            if not any(_is_number(sheet.cell(r, c)) and sheet.cell(r, c) not in ("-", "—")
                       for r in range(first, min(end, first + 200))):
                continue
            parts: list[str] = []
            for r in band:
                txt = " ".join(_text(sheet.cell(*self.top_left(r, c))).split())
                if txt and txt not in parts:
                    parts.append(txt)
            if not parts:
                continue
            header = " / ".join(parts)
            if any(measure_word(p) == "ignore" for p in parts):
                # last year's figures, rates, plans, notes: not figures of this return
                self.warn("layout.column_skipped", band[-1], c, header=header)
            else:
                self.warn("layout.unknown_column", band[0], c, header=header)

    def _figure_at(self, unit_id: int, ind: IndicatorDef, cells: dict[str, tuple[int, int]], channel: int,
                   month_from_ytd: bool = False) -> FigureIn | None:
        """One figure read from its cells ({'month'|'ytd': (row, col)}); every bad cell is reported."""
        vals: dict[str, tuple[float | None, str]] = {}
        ok = True
        for slot, (r, c) in cells.items():
            good, v = self.read(r, c, ind)
            if good:
                vals[slot] = (v, cell_name(r, c))
            ok = ok and good
        fig = _figure(unit_id, ind, vals, channel, month_from_ytd) if ok else None
        if fig:
            self._check_month_le_ytd(fig, ind)
        return fig

    def _row_figures(self, r: int, unit_id: int, columns: dict[str, dict[str, int]], channel: int) -> list[FigureIn]:
        figs = []
        for code, slots in columns.items():
            cells = {slot: (r, c) for slot, c in slots.items() if slot != "month_from_ytd"}
            fig = self._figure_at(unit_id, self.ctx.catalog.by_code[code], cells, channel, "month_from_ytd" in slots)
            if fig:
                figs.append(fig)
        self._check_rules(figs, r)
        return figs

    def _value_error(self, p, r: int, c: int, ind: IndicatorDef) -> None:
        params = dict(p.params)
        params["indicator"] = ind.name
        params["decimals"] = ind.decimals
        self.problems.append(error(p.error, sheet=self.name, cell=cell_name(r, c), **params))

    def _check_month_le_ytd(self, f: FigureIn, ind: IndicatorDef) -> None:
        if ind.kind == "flow" and f.month is not None and f.ytd is not None and f.month > f.ytd + 1e-9:
            self.problems.append(error("check.month_gt_ytd", sheet=self.name, cell=f.month_cell, indicator=ind.name,
                                       month=_fmt(f.month, ind), ytd=_fmt(f.ytd, ind), ytd_cell=f.ytd_cell))

    def _check_rules(self, figs: list[FigureIn], r: int) -> None:
        by = {f.indicator: f for f in figs}
        for rule in self.ctx.catalog.rules:
            a, b = by.get(rule.part), by.get(rule.whole)
            if a is None or b is None:
                continue
            for attr, cell_attr in (("month", "month_cell"), ("ytd", "ytd_cell")):
                x, y = getattr(a, attr), getattr(b, attr)
                if x is None or y is None or x <= y + 1e-9:
                    continue
                ind = self.ctx.catalog.by_code[rule.part]
                text = {"zh": rule_text(rule, x, y, ind, "zh"), "en": rule_text(rule, x, y, ind, "en")}
                cell = getattr(a, cell_attr)
                maker = error if rule.severity == "error" else warning
                self.problems.append(maker("rule." + rule.severity, sheet=self.name, cell=cell, text=text, rule=rule.code,
                                           whole_cell=getattr(b, cell_attr)))
                break

    def _check_total(self, r: int, unit_rows: list[int], columns: dict[str, dict[str, int]]) -> None:
        for code, slots in columns.items():
            ind = self.ctx.catalog.by_code[code]
            for slot, c in slots.items():
                if slot == "month_from_ytd" or self.sheet.cell(r, c) is None:
                    continue  # a blank total, or a SUM saved without its value: nothing to check
                good, stated = self.read(r, c, ind)
                if not good:
                    continue
                total = 0.0
                for ur in unit_rows:
                    ok_u, v = self.read(ur, c, ind, report=False)
                    if not ok_u:
                        break
                    total += v or 0.0
                else:
                    if abs(total - stated) > 0.5 * 10 ** (-ind.decimals):
                        self.problems.append(error("check.total_mismatch", sheet=self.name, cell=cell_name(r, c),
                                                   indicator=ind.name, total=_fmt(stated, ind), sum=_fmt(total, ind)))

    def _check_not_blank(self, figures: list[FigureIn], unit_rows: list[int], columns) -> None:
        if not figures or any(p.is_error for p in self.problems):
            return
        for r in unit_rows:
            for slots in columns.values():
                for slot, c in slots.items():
                    if slot != "month_from_ytd" and self.sheet.cell(r, c) is not None:
                        return
        self.err("layout.all_blank")

    # -- unit return: indicators down the rows -------------------------------------------------------------

    def _unit_blocks(self) -> list[dict[str, Any]]:
        """Indicators down the rows, in one block or several side by side (a long form printed in two
        halves): each block's indicator column, rows, and its 本月 / 本年累计 / 计量单位 columns."""
        sheet = self.sheet
        by_col: dict[int, list] = {}
        for h in self.hits:
            by_col.setdefault(h[1], []).append(h)
        best = max(by_col, key=lambda c: (len(by_col[c]), -c))
        cols = sorted(c for c in by_col if len(by_col[c]) >= 2 or c == best)
        blocks = []
        for k, ind_col in enumerate(cols):
            right = cols[k + 1] if k + 1 < len(cols) else sheet.width
            ind_rows = sorted({h[0]: h for h in by_col[ind_col]}.values(), key=lambda h: h[0])
            first_row = ind_rows[0][0]
            measure_cols: dict[str, int] = {}
            header_row = None
            for r in range(first_row - 1, max(-1, first_row - 6), -1):
                found = {}
                for c in range(ind_col + 1, right):
                    tl = self.top_left(r, c)
                    text = _text(sheet.cell(*tl)) if tl[1] == c else ""
                    w = measure_word(text)
                    if w in ("month", "ytd", "level") and w not in found:
                        found[w] = c
                        self._note_range(text, *tl)
                if found:
                    measure_cols, header_row = found, r
                    break
            unit_cols = set()
            if header_row is not None:
                unit_cols = {c for c in range(ind_col + 1, right)
                             if normalize_header(_text(sheet.cell(header_row, c))) in _MEASURE_UNIT_HEADERS}
            blocks.append({"ind_col": ind_col, "right": right, "rows": ind_rows, "measure_cols": measure_cols,
                           "header_row": header_row, "unit_cols": unit_cols})
        return blocks

    def _parse_unit_return(self) -> ReturnIn | None:
        cat = self.ctx.catalog
        sheet = self.sheet
        blocks = self._unit_blocks()
        first_row = min(b["rows"][0][0] for b in blocks)
        last_row = max(b["rows"][-1][0] for b in blocks)
        end = sheet.height
        for r in range(last_row + 1, sheet.height):
            if self._is_footer(r):
                end = r
                break
        tops = [b["header_row"] if b["header_row"] is not None else b["rows"][0][0] for b in blocks]
        self._read_lines(range(0, min(tops)), range(end, sheet.height))
        period, hint = self._period()
        self._check_ranges(period)
        for b in blocks:
            if b["measure_cols"]:
                continue
            rows, ind_col = b["rows"], b["ind_col"]
            numeric_cols = sorted({c for h in rows for c in range(ind_col + 1, b["right"])
                                   if _is_number(sheet.cell(h[0], c)) and c not in b["unit_cols"]})
            fallback = self._fallback_measure(hint, period)
            if len(numeric_cols) == 1 and fallback:
                b["measure_cols"] = {fallback: numeric_cols[0]}
            elif len(numeric_cols) == 1:
                self.err("layout.measure_unknown", rows[0][0], numeric_cols[0], header=_text(sheet.cell(rows[0][0], ind_col)))
                return None
            else:
                self.err("layout.no_measure_header", rows[0][0], ind_col)
                return None
        reporter_file, how = self._reporter_candidates()
        reporter = self._settle_reporter(reporter_file, how)
        if reporter is None:
            if how != "error" and not any(p.key.startswith("layout.unknown_unit") for p in self.problems):
                self.err("layout.no_unit")
            return None
        figures: list[FigureIn] = []
        seen: dict[str, str] = {}
        for b in blocks:
            for r, c, code, _ in b["rows"]:
                ind = cat.by_code[code]
                if code in seen:
                    self.err("layout.indicator_twice", r, c, indicator=ind.name, other=seen[code])
                    continue
                seen[code] = cell_name(r, c)
                for uc in b["unit_cols"]:
                    stated = _money_mismatch(f"({_text(sheet.cell(r, uc)).strip()})", ind)
                    if stated:
                        self.err("layout.unit_mismatch", r, uc, indicator=ind.name, stated=stated, expected=ind.measure)
                fig = self._unit_row(r, ind, b["measure_cols"], reporter.id, period)
                if fig is not None:
                    figures.append(fig)
        for b in blocks:  # rows inside a block that name no indicator but hold figures
            ind_rows = {h[0] for h in b["rows"]}
            for r in range(b["rows"][0][0] + 1, b["rows"][-1][0]):
                text = _text(sheet.cell(r, b["ind_col"])).strip()
                if r not in ind_rows and text and any(sheet.cell(r, col) is not None for col in b["measure_cols"].values()):
                    self.warn("layout.unknown_row", r, b["ind_col"], text=" ".join(text.split()))
        self._check_rules(figures, first_row)
        if figures and not any(p.is_error for p in self.problems) and all(
                sheet.cell(h[0], col) is None for b in blocks for h in b["rows"] for col in b["measure_cols"].values()):
            self.err("layout.all_blank")
        if period is None:
            return None
        return ReturnIn(FORM_UNIT, reporter.id, period, self.name, figures, self.submitted_on)

    def _unit_row(self, r: int, ind: IndicatorDef, measure_cols: dict[str, int], unit_id: int,
                  period: str | None) -> FigureIn | None:
        """One indicator's row of a unit return."""
        sheet = self.sheet
        cols = dict(measure_cols)
        if ind.kind == "stock":
            # the level: 期末数 column, else 本年累计, else 本月 (or a merged cell over both)
            c_level = cols.get("level", cols.get("ytd"))
            v = sheet.cell(r, c_level) if c_level is not None else None
            if v is None and "month" in cols:
                tl = self.top_left(r, cols["month"])
                if c_level is None or sheet.cell(r, cols["month"]) is not None or tl != (r, cols["month"]):
                    c_level = cols["month"]
            cols = {"ytd": c_level} if c_level is not None else {}
        else:
            cols.pop("level", None)
        january = period is not None and periods.month_of(period) == 1 and ind.kind == "flow"
        return self._figure_at(unit_id, ind, {slot: (r, col) for slot, col in cols.items()}, CHANNEL_OWN,
                               january and "month" not in cols)


_MONEY = re.compile(r"[(（]\s*(?:计量)?(?:单位\s*[:：])?\s*(元|千元|万元|亿元)\s*[)）]\s*$")
_MONEY_WORDS = ("元", "千元", "万元", "亿元")


def _money_mismatch(text: str, ind: IndicatorDef) -> str | None:
    """The money unit a header states, when it is not the one the indicator is counted in
    (`扶持资金(元)` for an indicator in 万元): stored as it stands it would be 10,000 times too big."""
    if ind.measure not in _MONEY_WORDS:
        return None
    m = _MONEY.search(halfwidth(text).strip())
    if m and m.group(1) != ind.measure:
        return m.group(1)
    return None


def _slot(ind: IndicatorDef, measure: str | None) -> str | None:
    """Where a column's figure goes: 'month' or 'ytd' (stocks keep their level in 'ytd')."""
    if ind.kind == "stock":
        return "ytd" if measure in ("month", "ytd", "level") else "ytd" if measure is None else None
    if measure in ("month", "ytd"):
        return measure
    return None


def _figure(unit_id: int, ind: IndicatorDef, vals: dict[str, tuple[float | None, str]], channel: int,
            month_from_ytd: bool) -> FigureIn | None:
    if not vals:
        return None
    month = vals.get("month", (None, ""))
    ytd = vals.get("ytd", (None, ""))
    if ind.kind == "stock":
        return FigureIn(unit_id, ind.code, None, ytd[0], "", ytd[1], channel)
    if month_from_ytd and month[0] is None and ytd[0] is not None:
        month = ytd
    if month[0] is None and ytd[0] is None:
        return None
    return FigureIn(unit_id, ind.code, month[0], ytd[0], month[1], ytd[1], channel)


def _fmt(v: float, ind: IndicatorDef) -> str:
    return f"{v:,.{ind.decimals}f}"


def _cands(units: list[UnitRec], tree: UnitTree) -> str:
    parts = []
    for u in units:
        parent = tree.parent(u)
        parts.append(f"{parent.name if parent else ''}{u.name} {u.code}")
    return ", ".join(parts)


def rule_text(rule, part: float, whole: float, ind: IndicatorDef, lang: str) -> str:
    tpl = (rule.message_en if lang == "en" else rule.message) or rule.message or f"{rule.part} > {rule.whole}"
    p, w = _fmt(part, ind), _fmt(whole, ind)
    try:
        return tpl.format(part=p, whole=w)
    except (KeyError, IndexError, ValueError):
        return tpl
