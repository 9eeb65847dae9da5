"""A report as data: sections of rows with English keys, and the helpers every report shares.

Each report function takes plain arguments and returns a `Report`; `render.report` writes it as a
terminal table, csv, json, md or an official xlsx workbook, so that every format shows the same
figures.

Measures: 完成率 = 本年累计 ÷ 年度目标; 时间进度 = month/12 (or days elapsed ÷ days in the year);
进度差 = 完成率 − 时间进度 in 百分点; 同比 = (本年累计 − 上年同期累计) ÷ 上年同期累计; 排名 = order of
sibling units by 完成率, highest first, ties sharing a rank.

What a report does not know, it says (docs/reports.md): each row carries `as_of` (the month its figure
stands at), `expected` and `received` (reporting units of its subtree, and those that sent figures of
the period); a figure carried from an earlier month gets a mark (`827ᵃ`) whose meaning is listed under
the table (`ᵃ 未报,数据截至5月`), and is never ranked; a total's target that is only the sum over the
units that have one is marked partial.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.i18n import is_en, t
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.tally.engine import Coverage, latest_period

ROW_UNIT, ROW_OWN, ROW_TOTAL = "unit", "own", "total"


@dataclass
class Col:
    """A column of a report: its key in the rows, its header, and how its values look."""

    key: str
    header: str
    kind: str = "text"  # text | int | num | pct | pp | rank | flag
    decimals: int = 0
    group: str = ""  # a header over several columns (the first row of a two-row header)
    screen_only: bool = False  # drawn on a terminal or in text only (bars), never in a workbook


@dataclass
class Section:
    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    measure: str = ""  # 计量单位 of the figures
    chart: tuple[str, str] | None = None  # (label key, value key) for a bar chart


@dataclass
class Report:
    kind: str
    title: str
    period_line: str
    unit_line: str
    sections: list[Section]
    period: str = ""
    scope_code: str = ""
    notes: list[str] = field(default_factory=list)
    marks: list[tuple[str, str]] = field(default_factory=list)  # (mark, what it means), in order of first use
    signed: bool = True  # official tables end with the 制表人/审核人/报出日期 line
    generated_at: str = field(default_factory=lambda: datetime.now().astimezone().isoformat(timespec="seconds"))

    def rows(self) -> list[dict[str, Any]]:
        """Every row of every section, for csv and json."""
        return [r for s in self.sections for r in s.rows]

    def json_keys(self) -> list[str]:
        keys: list[str] = []
        for s in self.sections:
            for r in s.rows:
                for k in r:
                    if not k.startswith("_") and k not in keys:
                        keys.append(k)
        return keys


# -- what a report does not know ----------------------------------------------------------------------------

MARK_SIGNS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"


class Marks:
    """The marks of one report: each distinct meaning gets the next letter, shared by all its sections."""

    def __init__(self) -> None:
        self._by_text: dict[str, str] = {}

    def sign(self, text: str) -> str:
        if text not in self._by_text:
            n = len(self._by_text)
            self._by_text[text] = MARK_SIGNS[n] if n < len(MARK_SIGNS) else f"[{n + 1}]"
        return self._by_text[text]

    def put(self, row: dict[str, Any], keys: list[str] | tuple[str, ...], text: str) -> None:
        """Mark the values of `keys` in `row` with the sign of `text`."""
        sign = self.sign(text)
        marks = row.setdefault("_marks", {})
        for k in keys:
            if sign not in marks.get(k, ""):
                marks[k] = marks.get(k, "") + sign

    def legend(self) -> list[tuple[str, str]]:
        return [(sign, text) for text, sign in self._by_text.items()]


def month_words(month: str, period: str) -> str:
    """`5月`, or `2002年12月` when `month` is in another year than `period`."""
    y, m = periods.year_of(month), periods.month_of(month)
    if is_en():
        return f"{_MONTHS_EN[m - 1]} {y}" if y != periods.year_of(period) else _MONTHS_EN[m - 1]
    return f"{m}月" if y == periods.year_of(period) else f"{y}年{m}月"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def coverage_fields(cov: Coverage | None) -> dict[str, Any]:
    """The keys every report row carries about how complete its figure is."""
    if cov is None:
        return {"as_of": None, "expected": None, "received": None}
    return {"as_of": cov.as_of, "expected": cov.expected, "received": cov.received}


def mark_coverage(marks: Marks, row: dict[str, Any], cov: Coverage | None, period: str, keys: tuple[str, ...],
                  *, unranked: bool = True, no_month: tuple[str, ...] = ()) -> bool:
    """Mark a row whose figure is carried from an earlier month (wholly: 未报; partly: 含…的数据), and
    show 未报 in the `no_month` cells of a row that sent nothing for the period. True when carried."""
    if cov is None:
        return False
    if cov.received == 0 and cov.expected > 0:
        for k in no_month:
            if row.get(k) is None:
                row.setdefault("_text", {})[k] = t("mark.not_reported")
    if not cov.carried(period):
        return False
    when = month_words(cov.as_of, period)
    if cov.received:
        text = t("mark.mixed", when=when)
    elif cov.newest != cov.as_of:
        text = t("mark.carried_mixed", when=month_words(cov.newest, period), oldest=when)
    else:
        text = t("mark.carried", when=when)
    marks.put(row, keys, text + (t("mark.unranked") if unranked else ""))
    return True


def coverage_column(section: Section) -> None:
    """Add a 已报/应报 column after the unit column when some row's subtree did not report in full."""
    rows = [r for r in section.rows if r.get("expected") is not None]
    if not any(r["received"] < r["expected"] for r in rows):
        return
    for r in rows:
        r["_received"] = f"{r['received']}/{r['expected']}"
    section.columns.insert(1, Col("_received", t("col.received_of"), "frac"))


@dataclass
class TotalTarget:
    """The 合计's target and the figure held against it (see `total_target`)."""

    target: float | None
    compared: float | None
    partial: bool | None = None
    units: int | None = None  # units whose targets were summed (None: the scope's own target)
    listed: int = 0
    met_units: int = 0

    def fields(self) -> dict[str, Any]:
        return {"target_partial": self.partial, "target_units": self.units}


def total_target(own: float | None, total: float | None, listed: list[tuple[float | None, float | None]]) -> TotalTarget:
    """The scope's own target where it has one, held against the total; else the sum over the listed
    rows (target, figure) that have a target, held against those rows' figures only, and partial
    when some listed row has none."""
    if own is not None:
        return TotalTarget(own, total, False)
    with_target = [(tg, v) for tg, v in listed if tg is not None]
    if not with_target:
        return TotalTarget(None, None)
    figures = [v for _, v in with_target if v is not None]
    return TotalTarget(sum(tg for tg, _ in with_target), sum(figures) if figures else None,
                       len(with_target) < len(listed), len(with_target), len(listed),
                       sum(1 for tg, v in with_target if v is not None and v >= tg))


def mark_partial_target(marks: Marks, row: dict[str, Any], basis: TotalTarget, *, stock: bool = False) -> None:
    row.update(basis.fields())
    if basis.partial:
        key = "mark.target_partial_stock" if stock else "mark.target_partial"
        marks.put(row, ("target",), t(key, units=basis.units, n=basis.listed, met=basis.met_units))


# -- shared helpers ---------------------------------------------------------------------------------------


def context(db) -> tuple[UnitTree, Catalog]:
    return UnitTree.from_db(db), Catalog.from_db(db)


def resolve_period(db, period: str | None) -> str:
    if period:
        return period
    found = latest_period(db)
    if not found:
        raise UserError("report.no_data")
    return found


def refuse_if_empty(db, sections: list[Section], period: str) -> None:
    """A report in which no row has any figure, not even one carried from an earlier month, is
    refused with a word (rather than printed as an empty table with exit 0)."""
    if any(r.get("as_of") for s in sections for r in s.rows):
        return
    latest = latest_period(db)
    raise UserError("report.period_empty", period=period, latest=latest or "—")


def resolve_span(db, period: str | periods.Span | None) -> periods.Span:
    """The report period: a month, quarter, half year or year (`2004-06`, `2004Q2`, `2004H1`, `2004`);
    by default the latest month with data. A quarter or half without a year (`二季度`, `上半年`) is of
    the year of the latest data."""
    if isinstance(period, periods.Span):
        return period
    if not period:
        return periods.month_span(resolve_period(db, None))
    try:
        return periods.parse_span(period)
    except periods.PeriodError:
        pass
    latest = latest_period(db)  # only for a quarter or half year written without its year
    try:
        return periods.parse_span(period, periods.year_of(latest) if latest else None)
    except periods.PeriodError:
        raise UserError("period.bad", value=period, exit_code=2) from None


def resolve_scope(tree: UnitTree, under: str | None, period: str | None = None) -> UnitRec:
    """The unit a report is about: `under` (a code, as it stood at `period`), else the top of the tree."""
    if under:
        return tree.require(under, period)
    view = tree.at(period) if period else tree
    top = view.top()
    if top is None:
        roots = view.roots()
        if not roots:
            raise UserError("report.no_units")
        raise UserError("report.need_under", roots=", ".join(f"{r.code} {r.name}" for r in roots), exit_code=2)
    return top


def resolve_indicators(cat: Catalog, codes: list[str] | None) -> list[IndicatorDef]:
    if not codes:
        return cat.headline()
    out = []
    for c in codes:
        for part in c.split(","):
            part = part.strip()
            if not part:
                continue
            ind = cat.by_code.get(part)
            if ind is None:
                code = cat.match(part)
                ind = cat.by_code.get(code) if code else None
            if ind is None:
                raise UserError("report.unknown_indicator", code=part,
                                known=", ".join(i.code for i in cat.indicators), exit_code=2)
            out.append(ind)
    return out


def section_title(ind: IndicatorDef) -> str:
    return f"{ind.label()} ({ind.measure_label()})" if is_en() else f"{ind.label()}({ind.measure_label()})"


def join_list(items) -> str:
    return (", " if is_en() else "、").join(items)


def own_label(scope: UnitRec) -> str:
    return t(f"row.own.{scope.level}") if scope.level in ("province", "city", "county", "country") else t("row.own.other")


def period_line(period: str | periods.Span, ytd: bool = True) -> str:
    """`(2003年1-6月)`, `(2003年6月)`, `(2004年第二季度)`, `(2004年上半年)`, `(2004年)`."""
    if isinstance(period, periods.Span) and not period.is_month:
        y = period.year
        if period.kind == "quarter":
            q = periods.month_of(period.last) // 3
            return t("period.quarter", year=y, q="一二三四"[q - 1] if not is_en() else q)
        if period.kind == "half":
            first = periods.month_of(period.first) == 1
            return t("period.half", year=y, half="上半年" if first else "下半年", half_en="H1" if first else "H2")
        return t("period.year", year=y)
    p = period.last if isinstance(period, periods.Span) else period
    y, m = periods.year_of(p), periods.month_of(p)
    if ytd and m > 1:
        return t("period.range", year=y, month=m, month_name=_MONTHS_EN[m - 1])
    return t("period.month", year=y, month=m, month_name=_MONTHS_EN[m - 1])


def rank_desc(values: dict[Any, float | None]) -> dict[Any, int | None]:
    """Competition ranking, highest first; equal values share a rank; None is unranked."""
    known = {k: round(v, 9) for k, v in values.items() if v is not None}
    ordered = sorted(known.values(), reverse=True)
    out: dict[Any, int | None] = {}
    for k in values:
        out[k] = (ordered.index(known[k]) + 1) if k in known else None
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_gap(pp: float | None) -> str:
    """进度差 in words: `超3.2` / `落后5.0` (百分点), `+3.2` / `-5.0` in English."""
    if pp is None:
        return "—"
    v = round(pp, 1)
    if is_en():
        return f"{v:+.1f}"
    if v > 0:
        return f"超{v:.1f}"
    if v < 0:
        return f"落后{-v:.1f}"
    return "持平"


def round_to(v: float | None, ind: IndicatorDef) -> float | int | None:
    if v is None:
        return None
    return round(v, ind.decimals) if ind.decimals else int(round(v))


def r6(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def default_campaign_id(db) -> int | None:
    c = default_campaign(db)
    return c.id if c else None


def default_campaign_name(db) -> str:
    c = default_campaign(db)
    return c.label() if c else ""
