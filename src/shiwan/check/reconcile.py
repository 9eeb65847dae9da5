"""A unit's own figure against another source for the same unit and month: a county's own return
against its row in its city's summary, or a city's row in the province summary against what its own
office and its counties reported. Used when a file arrives (a warning that names both sources) and
by `check --period` on stored figures (an error to settle before signing).
"""

from __future__ import annotations

from typing import Protocol

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, warning
from shiwan.check.model import Change
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.units import UnitTree

EPS = 1e-6


class Pair(Protocol):
    month: float | None
    ytd: float | None


def disagreements(own: Pair, other: Pair) -> list[tuple[str, float, float]]:
    """('month' | 'ytd', own value, other value) for each figure both give and that differs."""
    out = []
    for attr in ("month", "ytd"):
        x, y = getattr(own, attr), getattr(other, attr)
        if x is not None and y is not None and abs(x - y) > EPS:
            out.append((attr, x, y))
    return out


def reconcile_warnings(catalog: Catalog, units: UnitTree, plan: list[Change], stored: dict) -> list[Problem]:
    """A county's own return against its row in its city's summary, as one of them arrives and the
    other is stored: a warning naming both sources (`stored` is keyed (unit, month, channel), each
    figure with `month_cell` / `ytd_cell` naming file › sheet › cell)."""
    out = []
    for c in plan:
        f = c.figure
        other_channel = CHANNEL_SUMMARY if f.channel == CHANNEL_OWN else CHANNEL_OWN
        other = stored.get((f.unit_id, c.period, other_channel), {}).get(f.indicator)
        if other is None:
            continue
        ind = catalog.by_code[f.indicator]
        for attr, x, y in disagreements(f, other):
            what = t("col.month") if attr == "month" else t("col.ytd") if ind.kind == "flow" else t("col.level_now")
            this_cell = getattr(f, attr + "_cell")
            out.append(warning("import.reconcile", c.sheet, this_cell, unit=units.by_id[f.unit_id].name,
                               indicator=ind.name, what=what, this=_n(x, ind.decimals), other=_n(y, ind.decimals),
                               other_source=getattr(other, attr + "_cell") or "—",
                               this_form=t("form.county" if f.channel == CHANNEL_OWN else "form.city"),
                               other_form=t("form.city" if f.channel == CHANNEL_OWN else "form.county")))
    return out


def _n(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}"
