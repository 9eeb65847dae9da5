"""The reports a statistician hands to the leadership, as data: progress against target first.

Each report function takes plain arguments and returns a `Report` (sections of rows with English
keys); `reportio.py` writes it as a terminal table, csv, json, md or an official xlsx workbook, so
that every format shows the same figures.

Measures (DESIGN §2): 完成率 = 本年累计 ÷ 年度目标; 时间进度 = month/12 (or days elapsed ÷ days in the
year); 进度差 = 完成率 − 时间进度 in 百分点; 同比 = (本年累计 − 上年同期累计) ÷ 上年同期累计;
排名 = order of sibling units by 完成率, highest first, ties sharing a rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shiwan import periods
from shiwan.campaigns import default_campaign
from shiwan.catalog import Catalog, IndicatorDef
from shiwan.engine import Values, latest_period, targets_for
from shiwan.errors import UserError
from shiwan.i18n import is_en, t
from shiwan.units import UnitRec, UnitTree

ROW_UNIT, ROW_OWN, ROW_TOTAL = "unit", "own", "total"


@dataclass
class Col:
    """A column of a report: its key in the rows, its header, and how its values look."""

    key: str
    header: str
    kind: str = "text"  # text | int | num | pct | pp | rank | flag
    decimals: int = 0
    group: str = ""  # a header over several columns (the first row of a two-row header)


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


def resolve_scope(tree: UnitTree, under: str | None) -> UnitRec:
    if under:
        u = tree.by_code.get(under)
        if u is None:
            raise UserError("layout.unknown_unit_code", code=under)
        return u
    top = tree.top()
    if top is None:
        roots = tree.roots()
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


def own_label(scope: UnitRec) -> str:
    return t(f"row.own.{scope.level}") if scope.level in ("province", "city", "county", "country") else t("row.own.other")


def period_line(period: str, ytd: bool = True) -> str:
    y, m = periods.year_of(period), periods.month_of(period)
    if ytd and m > 1:
        return t("period.range", year=y, month=m)
    return t("period.month", year=y, month=m)


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


# -- progress ------------------------------------------------------------------------------------------------


def progress_report(db, *, period: str | None = None, under: str | None = None, indicators: list[str] | None = None,
                    time_basis: str = "month") -> Report:
    tree, cat = context(db)
    period = resolve_period(db, period)
    scope = resolve_scope(tree, under)
    inds = resolve_indicators(cat, indicators)
    year = periods.year_of(period)
    prev_year_period = periods.make(year - 1, periods.month_of(period))
    values = Values(db, tree, cat, [i.code for i in inds], periods.make(year - 1, 1), period, scope.id)
    targets = targets_for(db, year, [i.id for i in inds], _campaign_id(db))
    tp = periods.time_progress(period, time_basis)
    children = tree.children(scope.id)
    sections = []
    for ind in inds:
        ytd = values.totals(ind.code, period, "ytd")
        if ind.kind == "flow":
            month = values.totals(ind.code, period, "month")
            prev = values.totals(ind.code, prev_year_period, "ytd")
        rows = []
        entries: list[tuple[str, UnitRec, float | None, float | None, float | None]] = []
        for c in children:
            entries.append((ROW_UNIT, c, ytd.get(c.id), month.get(c.id) if ind.kind == "flow" else None,
                            prev.get(c.id) if ind.kind == "flow" else None))
        own_ytd = values.value(scope.id, ind.code, period, "ytd")
        if own_ytd is not None or scope.level == "city":
            entries.append((ROW_OWN, scope, own_ytd,
                            values.month(scope.id, ind.code, period) if ind.kind == "flow" else None,
                            values.ytd(scope.id, ind.code, prev_year_period) if ind.kind == "flow" else None))
        entries.append((ROW_TOTAL, scope, ytd.get(scope.id), month.get(scope.id) if ind.kind == "flow" else None,
                        prev.get(scope.id) if ind.kind == "flow" else None))
        completions: dict[int, float | None] = {}
        for kind, u, y, m, p in entries:
            target = targets.get((u.id, ind.id)) if kind != ROW_OWN else None
            if kind == ROW_TOTAL and target is None:
                kids = [targets.get((c.id, ind.id)) for c in children]
                target = sum(k for k in kids if k is not None) if any(k is not None for k in kids) else None
            row: dict[str, Any] = {
                "unit_code": u.code,
                "unit_name": u.name,
                "row_type": kind,
                "indicator": ind.code,
                "period": period,
            }
            if ind.kind == "flow":
                completion = ratio(y, target)
                row.update({
                    "month": _round(m, ind), "ytd": _round(y, ind), "target": _round(target, ind),
                    "completion": _r6(completion), "time_progress": _r6(tp),
                    "gap_pp": _r6((completion - tp) * 100) if completion is not None else None,
                    "yoy": _r6(ratio(y - p, p)) if (y is not None and p is not None and p > 0) else None,
                    "prev_ytd": _round(p, ind),
                    "rank": None,
                })
                if kind == ROW_UNIT:
                    completions[u.id] = completion
            else:
                row.update({
                    "level": _round(y, ind), "target": _round(target, ind),
                    "met": (y is not None and y >= target) if target is not None else None,
                    "rank": None,
                })
            row["_label"] = own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name
            rows.append(row)
        if ind.kind == "flow":
            ranks = rank_desc(completions)
            for row in rows:
                if row["row_type"] == ROW_UNIT:
                    row["rank"] = ranks.get(tree.by_code[row["unit_code"]].id)
        sections.append(Section(title=f"{ind.label()}({ind.measure_label()})", columns=_progress_columns(ind),
                                rows=rows, measure=ind.measure_label(),
                                chart=("_label", "completion") if ind.kind == "flow" else None))
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=_campaign_name(db)),
        period_line=period_line(period),
        unit_line=t("report.unit_line", unit=scope.name, measure="、".join(dict.fromkeys(i.measure_label() for i in inds))),
        sections=sections, period=period, scope_code=scope.code,
        notes=[t("progress.note", tp=f"{tp * 100:.1f}%")],
    )


def _progress_columns(ind: IndicatorDef) -> list[Col]:
    d = ind.decimals
    if ind.kind == "stock":
        return [Col("_label", t("col.unit")), Col("level", t("col.level_now"), "num", d), Col("target", t("col.target"), "num", d),
                Col("met", t("col.met"), "flag")]
    return [
        Col("_label", t("col.unit")),
        Col("month", t("col.month"), "num", d),
        Col("ytd", t("col.ytd"), "num", d),
        Col("target", t("col.annual_target"), "num", d),
        Col("completion", t("col.completion"), "pct"),
        Col("time_progress", t("col.time_progress"), "pct"),
        Col("gap_pp", t("col.gap"), "pp"),
        Col("yoy", t("col.yoy"), "pct"),
        Col("rank", t("col.rank"), "rank"),
    ]


def _round(v: float | None, ind: IndicatorDef) -> float | int | None:
    if v is None:
        return None
    return round(v, ind.decimals) if ind.decimals else int(round(v))


def _r6(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def _campaign_id(db) -> int | None:
    c = default_campaign(db)
    return c.id if c else None


def _campaign_name(db) -> str:
    c = default_campaign(db)
    return c.label() if c else ""
