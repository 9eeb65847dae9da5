"""The rules on the figures as they will stand once a file is applied: its figures over what is
stored for the same units and months. A revision that lowers 职业介绍人次 below the 介绍上岗人次 stored
from the first version, or gives a 本年累计 below the 本月 it leaves standing, is refused, though the
file alone breaks no rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiwan.base.problems import Problem
from shiwan.check.model import Change
from shiwan.check.rules import month_above_ytd, rule_problems
from shiwan.ref.catalog import Catalog


@dataclass
class StandingFigure:
    """A figure as it will stand: incoming (its cells in this file) or stored (its cells elsewhere)."""

    indicator: str
    month: float | None
    ytd: float | None
    month_cell: str = ""
    ytd_cell: str = ""


def standing_problems(catalog: Catalog, plan: list[Change],
                      stored: dict[tuple[int, str, int], dict[str, StandingFigure]]) -> list[Problem]:
    """Problems of every (unit, month, channel) the plan touches, with the plan's figures laid over
    the stored ones. Stored figures are named by where they came from (`file › sheet › cell`)."""
    groups: dict[tuple[int, str, int], dict[str, StandingFigure]] = {}
    sheets: dict[tuple[int, str, int], str] = {}
    for c in plan:
        f = c.figure
        key = (f.unit_id, c.period, f.channel)
        figures = groups.setdefault(key, dict(stored.get(key, {})))
        figures[f.indicator] = StandingFigure(f.indicator, f.month, f.ytd, f.month_cell, f.ytd_cell)
        sheets[key] = c.sheet
    out: list[Problem] = []
    for key, figures in groups.items():
        sheet = sheets[key]
        for f in figures.values():
            p = month_above_ytd(catalog, f, sheet)
            if p is not None:
                out.append(p)
        out.extend(rule_problems(catalog, figures.values(), sheet))
    return out
