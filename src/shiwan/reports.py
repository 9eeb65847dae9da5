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

from shiwan.base.errors import UserError
from shiwan.base.i18n import is_en, t
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.tally.engine import Values, latest_period, targets_for

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


def section_title(ind: IndicatorDef) -> str:
    return f"{ind.label()} ({ind.measure_label()})" if is_en() else f"{ind.label()}({ind.measure_label()})"


def join_list(items) -> str:
    return (", " if is_en() else "、").join(items)


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
    values = Values(db, tree, cat, [i.code for i in inds], periods.make(year - 1, 1), period, scope.id,
                    focus=[period, prev_year_period])
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
        sections.append(Section(title=section_title(ind), columns=_progress_columns(ind),
                                rows=rows, measure=ind.measure_label(),
                                chart=("_label", "completion") if ind.kind == "flow" else None))
    return Report(
        kind="progress",
        title=t("progress.title", unit=scope.name, campaign=_campaign_name(db)),
        period_line=period_line(period),
        unit_line=t("report.unit_line", unit=scope.name, measure=join_list(dict.fromkeys(i.measure_label() for i in inds))),
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


# -- campaign ------------------------------------------------------------------------------------------------


def campaign_report(db, *, period: str | None = None, under: str | None = None, campaign: str | None = None) -> Report:
    """Progress toward the campaign target by unit: achieved since the campaign began, share of the
    target, share of the campaign's months elapsed, gap, and what is still needed per remaining month."""
    from shiwan.ref.campaigns import list_campaigns

    tree, cat = context(db)
    camps = list_campaigns(db)
    camp = next((c for c in camps if c.code == campaign), None) if campaign else default_campaign(db)
    if camp is None:
        raise UserError("campaign.none" if not campaign else "campaign.unknown", code=campaign or "")
    period = resolve_period(db, period)
    as_of = min(max(period, camp.start), camp.end)
    scope = resolve_scope(tree, under) if under else tree.by_id[camp.unit_id]
    ind = cat.by_id[camp.indicator_id]
    ends = [min(as_of, periods.make(y, 12)) for y in range(periods.year_of(camp.start), periods.year_of(as_of) + 1)]
    before_start = [periods.previous(camp.start)] if periods.month_of(camp.start) > 1 else []
    values = Values(db, tree, cat, [ind.code], periods.year_start(camp.start), as_of, scope.id,
                    focus=ends + before_start)
    # achieved since the start: each year's 累计 at its last month within the campaign, less what
    # was done in that year before the campaign began
    achieved: dict[int, float | None] = {}
    first_year, last_year = periods.year_of(camp.start), periods.year_of(as_of)
    for y in range(first_year, last_year + 1):
        end = min(as_of, periods.make(y, 12))
        tot = values.totals(ind.code, end, "ytd")
        before = values.totals(ind.code, periods.previous(camp.start), "ytd") if y == first_year and \
            periods.month_of(camp.start) > 1 else {}
        for uid, v in tot.items():
            if v is None:
                continue
            v -= before.get(uid) or 0.0
            achieved[uid] = (achieved.get(uid) or 0.0) + v
    totals_t = targets_for(db, 0, [ind.id], camp.id)
    years = range(first_year, periods.year_of(camp.end) + 1)
    annual = {y: targets_for(db, y, [ind.id], camp.id) for y in years}
    elapsed = periods.months_between(camp.start, as_of) / camp.months
    left = periods.months_between(periods.add_months(as_of, 1), camp.end) if as_of < camp.end else 0

    def target_of(u: UnitRec) -> float | None:
        t_ = totals_t.get((u.id, ind.id))
        if t_ is not None:
            return t_
        parts = [annual[y].get((u.id, ind.id)) for y in years]
        return sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None

    rows = []
    shares: dict[int, float | None] = {}
    entries = [(ROW_UNIT, c) for c in tree.children(scope.id)]
    if values.ytd(scope.id, ind.code, as_of) is not None:
        entries.append((ROW_OWN, scope))
    entries.append((ROW_TOTAL, scope))
    for kind, u in entries:
        if kind == ROW_OWN:
            got = sum((values.ytd(scope.id, ind.code, min(as_of, periods.make(y, 12))) or 0.0)
                      for y in range(first_year, last_year + 1))
            if periods.month_of(camp.start) > 1:
                got -= values.ytd(scope.id, ind.code, periods.previous(camp.start)) or 0.0
            target = None
        else:
            got = achieved.get(u.id)
            target = target_of(u)
            if kind == ROW_TOTAL and target is None:
                target = camp.total_target or None
        share = ratio(got, target)
        remaining = max(0.0, target - (got or 0.0)) if target is not None else None
        row = {
            "unit_code": u.code, "unit_name": u.name, "row_type": kind, "campaign": camp.code, "indicator": ind.code,
            "period": as_of, "achieved": _round(got, ind), "target": _round(target, ind), "share": _r6(share),
            "elapsed": _r6(elapsed), "gap_pp": _r6((share - elapsed) * 100) if share is not None else None,
            "remaining": _round(remaining, ind), "months_left": left,
            "per_month_needed": _round(remaining / left, ind) if (remaining is not None and left) else None,
            "rank": None,
            "_label": own_label(scope) if kind == ROW_OWN else t("row.total") if kind == ROW_TOTAL else u.name,
        }
        if kind == ROW_UNIT:
            shares[u.id] = share
        rows.append(row)
    ranks = rank_desc(shares)
    for r in rows:
        if r["row_type"] == ROW_UNIT:
            r["rank"] = ranks.get(tree.by_code[r["unit_code"]].id)
    d = ind.decimals
    cols = [Col("_label", t("col.unit")), Col("achieved", t("col.achieved"), "num", d),
            Col("target", t("col.campaign_target"), "num", d), Col("share", t("col.share"), "pct"),
            Col("elapsed", t("col.elapsed"), "pct"), Col("gap_pp", t("col.gap"), "pp"),
            Col("remaining", t("col.remaining"), "num", d), Col("per_month_needed", t("col.per_month"), "num", d),
            Col("rank", t("col.rank"), "rank")]
    return Report(
        kind="campaign", title=t("campaign.title", unit=scope.name, campaign=camp.label()),
        period_line=t("campaign.period_line", start=camp.start, end=camp.end, as_of=as_of),
        unit_line=t("report.unit_line", unit=scope.name, measure=ind.measure_label()),
        sections=[Section(section_title(ind), cols, rows, ind.measure_label(), chart=("_label", "share"))],
        period=as_of, scope_code=scope.code,
        notes=[t("campaign.note", months=camp.months, elapsed=periods.months_between(camp.start, as_of), left=left,
                 target=f"{camp.total_target:,.0f}")] + ([t("campaign.illustrative")] if camp.illustrative else []),
    )


# -- 三个扶持建立 checklist -------------------------------------------------------------------------------------


def checklist_report(db, *, period: str | None = None, under: str | None = None) -> Report:
    """For every city's own office (本级): at least one base, one market, one economic entity, and the
    certification of its job agencies and training organisations (stock levels at `period`)."""
    tree, cat = context(db)
    period = resolve_period(db, period)
    scope = resolve_scope(tree, under)
    camp = default_campaign(db)
    cfg = camp.config if camp else {}
    check = [c for c in cfg.get("checklist", ["bases", "markets", "entities"]) if c in cat.by_code]
    pairs = [p for p in cfg.get("certified", [["agencies", "agencies_certified"], ["training_orgs", "training_orgs_certified"]])
             if p[0] in cat.by_code and p[1] in cat.by_code]
    codes = check + [c for p in pairs for c in p]
    if not codes:
        raise UserError("checklist.none")
    values = Values(db, tree, cat, codes, period, period, scope.id)
    rows = []
    for u in tree.children(scope.id) or [scope]:
        row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "row_type": ROW_UNIT, "period": period,
                               "_label": u.name + (t("row.own_suffix") if tree.children(u.id) else "")}
        met_all = True
        reported = False
        for code in check:
            v = values.level(u.id, code, period)
            reported = reported or v is not None
            row[code] = _round(v, cat.by_code[code])
            row[f"{code}_met"] = bool(v and v >= 1)
            met_all = met_all and bool(v and v >= 1)
        row["all_met"] = met_all if reported else None
        for whole, part in pairs:
            w, p = values.level(u.id, whole, period), values.level(u.id, part, period)
            row[whole], row[part] = _round(w, cat.by_code[whole]), _round(p, cat.by_code[part])
            row[f"_{whole}_cert"] = f"{int(p or 0)}/{int(w or 0)}" if w is not None else ""
            row[f"{whole}_all_certified"] = (w is not None and p is not None and w > 0 and p >= w) if w is not None else None
        rows.append(row)
    met = sum(1 for r in rows if r["all_met"])
    cols = [Col("_label", t("col.unit"))]
    cols += [Col(code, cat.by_code[code].label(), "num") for code in check]
    cols.append(Col("all_met", t("col.three_met"), "flag"))
    cols += [Col(f"_{whole}_cert", t("col.certified", what=cat.by_code[whole].label())) for whole, _ in pairs]
    return Report(
        kind="checklist", title=t("checklist.title", unit=scope.name), period_line=period_line(period, ytd=False),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("checklist.measure")),
        sections=[Section(t("checklist.section"), cols, rows)], period=period, scope_code=scope.code,
        notes=[t("checklist.note", met=met, n=len(rows))],
    )


# -- trend ------------------------------------------------------------------------------------------------------


def trend_report(db, *, indicator: str, unit: str | None = None, first: str | None = None,
                 last: str | None = None) -> Report:
    """The monthly series and year-to-date of one indicator for one unit's whole subtree."""
    tree, cat = context(db)
    ind = resolve_indicators(cat, [indicator])[0]
    scope = resolve_scope(tree, unit)
    last = last or resolve_period(db, None)
    first = first or periods.year_start(last)
    if first > last:
        raise UserError("trend.bad_range", first=first, last=last, exit_code=2)
    values = Values(db, tree, cat, [ind.code], periods.year_start(first), last, scope.id)
    rows = []
    for p in periods.span(first, last):
        if ind.kind == "flow":
            m = values.totals(ind.code, p, "month").get(scope.id)
            y = values.totals(ind.code, p, "ytd").get(scope.id)
        else:
            m = None
            y = values.totals(ind.code, p, "ytd").get(scope.id)
        rows.append({"unit_code": scope.code, "unit_name": scope.name, "indicator": ind.code, "period": p,
                     "month": _round(m, ind), "ytd": _round(y, ind), "_label": p})
    biggest = max((r["month"] if ind.kind == "flow" else r["ytd"]) or 0 for r in rows) if rows else 0
    for r in rows:
        v = (r["month"] if ind.kind == "flow" else r["ytd"]) or 0
        r["_bar"] = "█" * round(30 * v / biggest) if biggest else ""
    d = ind.decimals
    if ind.kind == "flow":
        cols = [Col("_label", t("col.period")), Col("month", t("col.month"), "num", d), Col("_bar", ""),
                Col("ytd", t("col.ytd"), "num", d)]
    else:
        cols = [Col("_label", t("col.period")), Col("ytd", t("col.level_now"), "num", d), Col("_bar", "")]
    return Report(
        kind="trend", title=t("trend.title", unit=scope.name, indicator=ind.label()),
        period_line=t("trend.period_line", first=first, last=last),
        unit_line=t("report.unit_line", unit=scope.name, measure=ind.measure_label()),
        sections=[Section(section_title(ind), cols, rows, ind.measure_label(),
                          chart=("_label", "month" if ind.kind == "flow" else "ytd"))],
        period=last, scope_code=scope.code,
    )
