"""`shiwan export`: the figures of one period as reported (本级, not aggregated), with their sources."""

from __future__ import annotations

from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.units import UnitTree
from shiwan.store.db import in_clause

EXPORT_COLUMNS = ("unit_code", "unit_name", "indicator", "period", "month", "ytd", "file", "sheet", "cell", "import_id")


def export_rows(db, period: str, unit: str | None = None) -> list[dict]:
    """One row per unit × indicator (breakdowns included) actually reported for `period` (a month, or
    every month of a quarter, half year or year). Where a county's figure came both from its own
    return and from its city's summary, its own return is the one shown. `ytd` holds the level for
    stocks; `cell` is the 本年累计 (or level) cell, else the 本月 cell."""
    from shiwan.tally.report import resolve_scope, resolve_span

    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    span = resolve_span(db, period)
    view = tree.at(span.last)
    scopes = [resolve_scope(tree, unit, span.last)] if unit is not None else view.roots()
    order = {u.id: n for n, u in enumerate(u for s in scopes for u in view.subtree(s.id))}
    ind_order = {i.id: n for n, i in enumerate(cat.with_parts())}
    best: dict[tuple[str, int, int], tuple] = {}
    clause, params = in_clause("i", list(ind_order))
    pclause, pparams = in_clause("p", span.months())
    for r in db.all(
        "SELECT f.unit_id, f.indicator_id, f.channel, f.month, f.ytd, f.sheet, f.month_cell, f.ytd_cell, f.import_id, "
        f"i.file_name, f.period FROM figure f JOIN import_log i ON i.id = f.import_id WHERE f.indicator_id IN {clause} "
        f"AND f.period IN {pclause}",
        {**params, **pparams},
    ):
        if r[0] not in order:
            continue
        key = (r[10], r[0], r[1])
        if key not in best or r[2] == CHANNEL_OWN:
            best[key] = r
    rows = []
    for (p, uid, iid), r in sorted(best.items(), key=lambda kv: (kv[0][0], order[kv[0][1]], ind_order[kv[0][2]])):
        u = view.by_id[uid]
        ind = cat.by_id[iid]
        rows.append({
            "unit_code": u.code, "unit_name": u.name, "indicator": ind.code, "period": p,
            "month": _num(r[3], ind.decimals), "ytd": _num(r[4], ind.decimals), "file": r[9],
            "sheet": r[5], "cell": r[7] or r[6], "import_id": r[8],
        })
    return rows


def _num(v: float | None, decimals: int) -> float | int | None:
    if v is None:
        return None
    return round(v, decimals) if decimals else int(round(v))


def export_table(db, period: str, unit: str | None = None) -> Table:
    rows = export_rows(db, period, unit)
    cols = [Column(k, t(f"export.{k}"), align="right" if k in ("month", "ytd", "import_id") else "left")
            for k in EXPORT_COLUMNS]
    return Table(cols, rows)
