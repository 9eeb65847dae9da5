"""The catalog's rules on one unit's figures of one period: a part is never more than its whole
(介绍上岗人次 ≤ 职业介绍人次, 其中:女性 ≤ 实现再就业人数), and a flow's 本月 never more than its 本年累计.

Used alike on a file's figures as it arrives (`check.returns`) and on stored figures (`check --period`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from shiwan.base.problems import Problem, error, warning
from shiwan.ref.catalog import Catalog, IndicatorDef, RuleDef

EPS = 1e-9


class Figure(Protocol):
    indicator: str
    month: float | None
    ytd: float | None
    month_cell: str
    ytd_cell: str


def fmt(v: float, ind: IndicatorDef) -> str:
    return f"{v:,.{ind.decimals}f}"


def rule_text(rule: RuleDef, part: float, whole: float, ind: IndicatorDef, lang: str) -> str:
    tpl = (rule.message_en if lang == "en" else rule.message) or rule.message or f"{rule.part} > {rule.whole}"
    try:
        return tpl.format(part=fmt(part, ind), whole=fmt(whole, ind))
    except (KeyError, IndexError, ValueError):
        return tpl


def broken_rules(catalog: Catalog, figures: Iterable[Figure]) -> list[tuple[RuleDef, str, float, float, Figure, Figure]]:
    """(rule, 'month'|'ytd', part value, whole value, part figure, whole figure) for every rule one
    unit's figures break (the first measure that breaks it)."""
    by = {f.indicator: f for f in figures}
    out = []
    for rule in catalog.rules:
        a, b = by.get(rule.part), by.get(rule.whole)
        if a is None or b is None:
            continue
        for attr in ("month", "ytd"):
            x, y = getattr(a, attr), getattr(b, attr)
            if x is not None and y is not None and x > y + EPS:
                out.append((rule, attr, x, y, a, b))
                break
    return out


def rule_problems(catalog: Catalog, figures: Iterable[Figure], sheet: str) -> list[Problem]:
    """One problem per broken rule, on the part's cell, in both languages."""
    out = []
    for rule, attr, x, y, a, b in broken_rules(catalog, figures):
        ind = catalog.by_code[rule.part]
        text = {"zh": rule_text(rule, x, y, ind, "zh"), "en": rule_text(rule, x, y, ind, "en")}
        maker = error if rule.severity == "error" else warning
        out.append(maker("rule." + rule.severity, sheet=sheet, cell=getattr(a, attr + "_cell"), text=text, rule=rule.code,
                         whole_cell=getattr(b, attr + "_cell")))
    return out


def january_differs(catalog: Catalog, f: Figure, sheet: str) -> Problem | None:
    """In January 本月 and 本年累计 are one figure: a return that gives both must give the same."""
    ind = catalog.by_code[f.indicator]
    if ind.kind == "flow" and f.month is not None and f.ytd is not None and abs(f.month - f.ytd) > EPS:
        return error("check.january_differs", sheet=sheet, cell=f.ytd_cell, indicator=ind.name,
                     month=fmt(f.month, ind), ytd=fmt(f.ytd, ind), month_cell=f.month_cell)
    return None


def month_above_ytd(catalog: Catalog, f: Figure, sheet: str) -> Problem | None:
    """A flow's 本月 above its 本年累计."""
    ind = catalog.by_code[f.indicator]
    if ind.kind == "flow" and f.month is not None and f.ytd is not None and f.month > f.ytd + EPS:
        return error("check.month_gt_ytd", sheet=sheet, cell=f.month_cell, indicator=ind.name,
                     month=fmt(f.month, ind), ytd=fmt(f.ytd, ind), ytd_cell=f.ytd_cell)
    return None
