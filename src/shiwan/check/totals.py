"""A 合计 row equals the sum of the unit rows of its table (本级 included), column by column."""

from __future__ import annotations

from shiwan.base.problems import Problem, error
from shiwan.check.rules import fmt
from shiwan.recognize.model import ReturnIn
from shiwan.ref.catalog import Catalog


def total_problems(catalog: Catalog, ret: ReturnIn) -> list[Problem]:
    """Every 合计 cell that is not the sum of its units' figures. A slot where some unit has no figure
    (its cell could not be read) is not checked: its sum is not known."""
    by = {(f.unit_id, f.indicator): f for f in ret.figures}
    out = []
    for total in ret.totals:
        for (code, slot), (cell, stated) in total.cells.items():
            values = [getattr(by[(u, code)], slot) if (u, code) in by else None for u in total.members]
            if not values or any(v is None for v in values):
                continue
            ind = catalog.by_code[code]
            s = sum(values)
            if abs(s - stated) > 0.5 * 10 ** (-ind.decimals):
                out.append(error("check.total_mismatch", sheet=ret.sheet, cell=cell, indicator=ind.name,
                                 total=fmt(stated, ind), sum=fmt(s, ind)))
    return out
