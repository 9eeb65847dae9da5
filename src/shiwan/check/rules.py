"""The catalog's part ≤ whole rules (a breakdown never above its indicator, 介绍上岗 ≤ 职业介绍, ...)
on incoming figures against each other and against what is stored: a breakdown arriving in one
file is checked against its whole stored from another, and the other way round.

Each problem names the cell of the incoming figure (the part's where it is incoming, else the
whole's) and, where the other figure is stored, where that one came from.
"""

from __future__ import annotations

from collections.abc import Callable

from shiwan.base.messages import MESSAGES
from shiwan.base.problems import Problem, error, warning
from shiwan.check.model import Change, MonthValue
from shiwan.recognize.layout import rule_text
from shiwan.ref.catalog import Catalog

# (unit id, indicator code, period, channel) -> (month, ytd, where it came from) of a stored figure, or None
StoredLookup = Callable[[int, str, str, int], tuple[float | None, float | None, MonthValue | None] | None]


def check_parts(catalog: Catalog, plan: list[Change], stored: StoredLookup) -> list[Problem]:
    """Every rule broken by the incoming figures, each once."""
    incoming: dict[tuple[int, str, int], dict[str, Change]] = {}
    for c in plan:
        f = c.figure
        incoming.setdefault((f.unit_id, c.period, f.channel), {})[f.indicator] = c
    out: list[Problem] = []
    for (uid, period, channel), figs in incoming.items():
        for rule in catalog.rules:
            a, b = figs.get(rule.part), figs.get(rule.whole)
            if a is None and b is None:
                continue
            part = _values(a) if a is not None else stored(uid, rule.part, period, channel)
            whole = _values(b) if b is not None else stored(uid, rule.whole, period, channel)
            if part is None or whole is None:
                continue
            for k, slot in ((0, "month_cell"), (1, "ytd_cell")):
                x, y = part[k], whole[k]
                if x is None or y is None or x <= y + 1e-9:
                    continue
                here = a if a is not None else b
                assert here is not None
                cell = getattr(here.figure, slot) or here.figure.ytd_cell or here.figure.month_cell
                where = whole[2] if b is None else part[2] if a is None else None
                other = where.source if where is not None else ""
                out.append(_problem(catalog, rule, x, y, here.sheet, cell, other,
                                    getattr(b.figure, slot) if b is not None else ""))
                break
    return out


def _values(c: Change) -> tuple[float | None, float | None, MonthValue | None]:
    return c.figure.month, c.figure.ytd, None


def _problem(catalog: Catalog, rule, part: float, whole: float, sheet: str, cell: str, other: str,
             whole_cell: str) -> Problem:
    ind = catalog.by_code[rule.part]
    text = {"zh": rule_text(rule, part, whole, ind, "zh"), "en": rule_text(rule, part, whole, ind, "en")}
    if other:
        zh, en = MESSAGES["rule.stored_other"]
        text = {"zh": text["zh"] + zh.format(source=other), "en": text["en"] + en.format(source=other)}
    maker = error if rule.severity == "error" else warning
    return maker("rule." + rule.severity, sheet=sheet, cell=cell, text=text, rule=rule.code, whole_cell=whole_cell)
