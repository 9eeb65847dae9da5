"""Realistic returns for the demo, the benchmarks and the tests.

`simulate` makes a consistent set of monthly figures for every unit (本月 adding up to 本年累计, sub-
items and 其中 breakdowns never above their totals, stocks that change slowly), seeded so the same seed gives the same
data. The writers lay figures out the way county and city clerks do by hand in Excel (DESIGN §4):
title rows, a 填报单位 line, one- or two-row headers, 合计 at the top or the bottom, blank rows,
numbers typed as text, a footer with signatures and the 报出日期.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from shiwan.ref import periods
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.units import UnitRec, UnitTree

Figures = dict[str, tuple[float | None, float | None]]  # indicator code -> (month, ytd); stocks: (None, level)

# How the other flows relate to people re-employed (ratios drawn around these).
_FLOW_RATIOS = {
    "referrals": 1.3, "referral_placed": 0.9, "trained": 0.95, "training_classes": 0.025, "trained_reemployed": 0.5,
    "entity_placed": 0.12, "base_placed": 0.15, "funded_people": 0.06, "fund_amount": 0.018, "microloans": 0.03,
    "info_items": 2.5,
}


# What share of the whole each common breakdown is (drawn around these).
_PART_SHARES = {"female": 0.45, "age4050": 0.3, "zero_job_family": 0.05}


@dataclass
class Simulation:
    """Figures per (unit code, period), and when each city's return for a period was sent."""

    figures: dict[tuple[str, str], Figures]
    submitted: dict[tuple[str, str], date]
    missing: set[tuple[str, str]]


def simulate(tree: UnitTree, catalog: Catalog, province: UnitRec, annual: dict[str, float], year: int, months: int,
             seed: int = 2003) -> Simulation:
    """Consistent monthly figures for every unit under `province`, for months 1..`months` of `year`.
    `annual` gives each city's annual target of people re-employed (by unit code). The units are those
    standing in `year`."""
    tree = tree.at(year)
    rng = random.Random(seed)
    part_rng = random.Random(seed + 1)  # breakdowns drawn apart, so that the other figures stay as they were
    sim = Simulation({}, {}, set())
    cities = tree.children(province.id)
    for ci, city in enumerate(cities):
        _simulate_city(sim, tree, catalog, city, ci, annual.get(city.code, 1000.0), year, months, rng, part_rng)
    if cities and months >= 2:  # one city has not sent its latest summary yet (催报)
        sim.missing.add((cities[len(cities) // 2 + 1].code, periods.make(year, months)))
    return sim


_SEASONAL = [0.55, 0.6, 0.95, 1.05, 1.15, 1.2, 1.15, 1.1, 1.1, 1.05, 1.0, 1.1]


def _simulate_city(sim: Simulation, tree: UnitTree, catalog: Catalog, city: UnitRec, ci: int, target: float,
                   year: int, months: int, rng: random.Random, part_rng: random.Random) -> None:
    pace = 0.78 + 0.45 * rng.random()  # how well the city does against its target
    members = [city, *tree.children(city.id)]
    weights = [1.5 + rng.random()] + [0.5 + rng.random() for _ in members[1:]]
    share = [w / sum(weights) for w in weights]
    ratios = {code: r * (0.8 + 0.4 * rng.random()) for code, r in _FLOW_RATIOS.items()}
    levels = {u.code: _levels(rng, u.id == city.id, ci) for u in members}
    running: dict[str, dict[str, float]] = {u.code: {i.code: 0.0 for i in catalog.with_parts()} for u in members}
    for m in range(1, months + 1):
        period = periods.make(year, m)
        for u, sh in zip(members, share, strict=True):
            base = target / 12 * _SEASONAL[m - 1] * pace * sh * (0.85 + 0.3 * rng.random())
            figs = _flows(catalog, _month_values(catalog, base, ratios, rng), running[u.code], part_rng)
            lv = levels[u.code]
            if m > 1 and rng.random() < 0.08:  # now and then a new agency or base opens
                lv[rng.choice(["bases", "agencies", "training_orgs", "entities"])] += 1
            for ind in catalog.indicators:
                if ind.kind == "stock":
                    figs[ind.code] = (None, float(lv.get(ind.code, 0)))
            sim.figures[(u.code, period)] = figs
        # when the city's summary for this month was sent: mostly by the 5th, a few late
        due = periods.deadline(period)
        late = ci % 6 == 2 and m % 3 == 0
        day = min(due.day + (3 + rng.randint(0, 4) if late else -rng.randint(0, 3)), 28)
        sim.submitted[(city.code, period)] = date(due.year, due.month, max(1, day))


def _levels(rng: random.Random, own: bool, ci: int) -> dict[str, int]:
    """A unit's stocks at the start: the city's own office has its bases, markets and entities."""
    lv = {"bases": (1 if own else 0) + rng.randint(0, 2), "markets": (1 if own else 0) + rng.randint(0, 1),
          "entities": (1 if own else 0) + rng.randint(0, 2), "agencies": 1 + rng.randint(0, 1),
          "training_orgs": 1 + rng.randint(0, 1)}
    if own and ci % 5 == 3:  # a city still short of one of its 三个扶持建立
        lv["markets"] = 0
    lv["agencies_certified"] = rng.randint(0, lv["agencies"])
    lv["training_orgs_certified"] = rng.randint(0, lv["training_orgs"])
    return lv


def _month_values(catalog: Catalog, base: float, ratios: dict[str, float], rng: random.Random) -> dict[str, float]:
    """One unit's flows of one month, drawn around people re-employed; parts never above their wholes."""
    vals: dict[str, float] = {"reemployed": float(max(0, round(base)))}
    re = vals["reemployed"]
    for ind in catalog.indicators:
        if ind.kind != "flow" or ind.code == "reemployed":
            continue
        r = ratios.get(ind.code, 0.5) * (0.85 + 0.3 * rng.random())
        if ind.code == "referral_placed":
            v = min(vals.get("referrals", re * 1.6), round(re * r))
        elif ind.code == "trained_reemployed":
            v = min(vals.get("trained", re), round(vals.get("trained", re) * r))
        elif ind.code in ("entity_placed", "base_placed"):
            v = min(re, round(re * r))
        elif ind.decimals:
            v = round(re * r, ind.decimals)
        else:
            v = round(re * r)
        vals[ind.code] = float(max(0, v))
    return vals


def _flows(catalog: Catalog, vals: dict[str, float], running: dict[str, float], part_rng: random.Random) -> Figures:
    """(本月, 本年累计) of each flow and its breakdowns (其中: a share of the whole, never above it)."""
    figs: Figures = {}
    for ind in catalog.indicators:
        if ind.kind != "flow":
            continue
        v = vals.get(ind.code, 0.0)
        running[ind.code] = round(running[ind.code] + v, ind.decimals)
        figs[ind.code] = (v, running[ind.code])
        for part in catalog.parts_of(ind.code):
            ratio = _PART_SHARES.get(part.code.rsplit(".", 1)[-1], 0.3) * (0.8 + 0.4 * part_rng.random())
            pv = float(min(v, round(v * ratio, part.decimals)))
            running[part.code] = round(running[part.code] + pv, part.decimals)
            figs[part.code] = (pv, running[part.code])
    return figs


def _num_text(v: float, ind: IndicatorDef, style: int) -> object:
    """How a clerk typed the number: as a number, or as text with a thousands separator."""
    if style == 2 and v >= 1000 and not ind.decimals:
        return f"{int(v):,}"
    if v == 0 and style == 2:
        return "-"
    return int(v) if not ind.decimals else v


def write_city_summary(path: Path, city: UnitRec, members: list[UnitRec], period: str, figures: dict[str, Figures],
                       inds: list[IndicatorDef], *, variant: int = 0, submitted: date | None = None,
                       campaign: str = "十万行动") -> None:
    """A hand-made city summary. variant 0: two-row header (本月/本年累计 under merged names), 序号,
    合计 on top; 1: one-row header of year-to-date figures (“1-N月” in the title), 合计 at the bottom;
    2: two-row header with 本月数/累计数, names with 总工会, blank row before the counties, numbers as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    y, m = periods.year_of(period), periods.month_of(period)
    ws.append([f"{city.name}总工会“{campaign}”进展情况统计表"])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append([f"({y}年1-{m}月)" if variant == 1 else f"{y}年{m}月"])
    ws.append([f"填报单位:{city.name}总工会(盖章)", None, None, None, "计量单位:人、人次、万元、处、个"])
    _summary_header(ws, inds, variant)
    serial = variant == 0
    total: Figures = {}
    for ind in inds:
        mo = sum((figures[u.code].get(ind.code, (0.0, 0.0))[0] or 0.0) for u in members)
        yt = sum((figures[u.code].get(ind.code, (0.0, 0.0))[1] or 0.0) for u in members)
        total[ind.code] = (round(mo, ind.decimals), round(yt, ind.decimals))
    body: list[list[object]] = []
    for n, u in enumerate(members, 1):
        if u.id == city.id:
            label = "市本级" if variant != 2 else "本级"
        else:
            label = u.name + ("总工会" if variant == 2 else "")
        if variant == 2 and n == 2:
            body.append([])
        body.append(([n] if serial else []) + [label] + _summary_values(figures[u.code], inds, variant))
    total_row = ([None] if serial else []) + (["合计"] if variant != 2 else ["全市"]) + _summary_values(total, inds, variant)
    for r in ([total_row] if variant == 0 else []) + body + ([total_row] if variant != 0 else []):
        ws.append(r)
    ws.append([])
    sent = f"{submitted.year}年{submitted.month}月{submitted.day}日" if submitted else "    年  月  日"
    ws.append([f"单位负责人:王某某   统计负责人:李某某   填表人:张某某   联系电话:0451-8xxxxxxx   报出日期:{sent}"])
    if variant == 1:
        ws.append([f"说明:本表为1-{m}月累计数,存量指标为期末实有数。"])
    ws.column_dimensions["A"].width = 14
    wb.save(path)


def _summary_header(ws, inds: list[IndicatorDef], variant: int) -> None:
    """The header rows of a hand-made summary: names (merged over 本月 / 本年累计 in two-row variants)."""
    from openpyxl.styles import Alignment

    lead = ["序号", "单位名称"] if variant == 0 else ["单位"]
    two_rows = variant in (0, 2)
    h1, h2 = list(lead), [None] * len(lead)
    for ind in inds:
        label = ind.name if variant != 2 else f"{ind.name}({ind.measure})"
        if ind.parent is not None:  # a breakdown, beside its indicator: `其中:女性`
            label = f"其中:{ind.part_name}"
        if ind.kind == "flow" and two_rows:
            h1 += [label, None]
            h2 += ["本月", "本年累计"] if variant == 0 else ["本月数", "累计数"]
        elif ind.kind == "flow":
            h1.append(label)
        else:
            h1.append(label)
            h2.append("期末数" if two_rows else None)
    ws.append(h1)
    header_row = ws.max_row
    if two_rows:
        ws.append(h2)
        col = len(lead) + 1
        for ind in inds:
            if ind.kind == "flow":
                ws.merge_cells(start_row=header_row, start_column=col, end_row=header_row, end_column=col + 1)
            col += 2 if ind.kind == "flow" else 1
        for c in range(1, len(lead) + 1):
            ws.merge_cells(start_row=header_row, start_column=c, end_row=header_row + 1, end_column=c)
    for row in ws.iter_rows(min_row=header_row, max_row=ws.max_row):
        for cell in row:
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _summary_values(figs: Figures, inds: list[IndicatorDef], variant: int) -> list[object]:
    out: list[object] = []
    for ind in inds:
        mo, ytd = figs.get(ind.code, (0.0, 0.0))
        if ind.kind == "flow" and variant in (0, 2):
            out += [_num_text(mo or 0.0, ind, variant), _num_text(ytd or 0.0, ind, variant)]
        else:
            out.append(_num_text(ytd or 0.0, ind, variant))
    return out


def write_county_return(path: Path, unit: UnitRec, period: str, figs: Figures, inds: list[IndicatorDef], *,
                        submitted: date | None = None, campaign: str = "十万行动") -> None:
    """A hand-made county return: indicators down the rows, 本月 and 本年累计 across."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    y, m = periods.year_of(period), periods.month_of(period)
    ws.append([f"“{campaign}”工作进展情况月报表"])
    ws.append([f"({y}年{m}月)"])
    ws.append([f"填报单位:{unit.name}总工会", None, None, "单位:人、万元"])
    ws.append(["序号", "指标名称", "计量单位", "本月", "本年累计"])
    for n, ind in enumerate(inds, 1):
        mo, ytd = figs.get(ind.code, (0.0, 0.0))
        if ind.kind == "flow":
            ws.append([n, ind.name, ind.measure, mo, ytd])
        else:
            ws.append([n, ind.name, ind.measure, None, ytd])
    ws.append([])
    sent = f"{submitted.year}年{submitted.month}月{submitted.day}日" if submitted else ""
    ws.append([f"填表人:赵某   审核人:钱某   报出日期:{sent}"])
    ws.column_dimensions["B"].width = 24
    wb.save(path)
