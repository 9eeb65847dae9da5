"""`shiwan export`: the figures of one period as reported (本级, not aggregated), with their sources."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.table import Column, Table
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.units import UnitTree
from shiwan.store.db import in_clause

EXPORT_COLUMNS = ("unit_code", "unit_name", "indicator", "period", "month", "ytd", "file", "sheet", "cell", "import_id")


def export_rows(db, period: str, unit: str | None = None) -> list[dict]:
    """One row per unit × indicator actually reported for `period`. Where a county's figure came both
    from its own return and from its city's summary, its own return is the one shown. `ytd` holds the
    level for stocks; `cell` is the 本年累计 (or level) cell, else the 本月 cell."""
    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    if unit is not None:
        scope = tree.by_code.get(unit)
        if scope is None:
            raise UserError("layout.unknown_unit_code", code=unit)
        order = {u.id: i for i, u in enumerate(tree.subtree(scope.id))}
    else:
        order = {}
        for root in tree.roots():
            for u in tree.subtree(root.id):
                order[u.id] = len(order)
    best: dict[tuple[int, int], tuple] = {}
    clause, params = in_clause("i", [i.id for i in cat.indicators])
    for r in db.all(
        "SELECT f.unit_id, f.indicator_id, f.channel, f.month, f.ytd, f.sheet, f.month_cell, f.ytd_cell, f.import_id, "
        f"i.file_name FROM figure f JOIN import_log i ON i.id = f.import_id WHERE f.indicator_id IN {clause} "
        "AND f.period = :p",
        {**params, "p": period},
    ):
        if r[0] not in order:
            continue
        key = (r[0], r[1])
        if key not in best or r[2] == CHANNEL_OWN:
            best[key] = r
    rows = []
    for (uid, iid), r in sorted(best.items(), key=lambda kv: (order[kv[0][0]], cat.by_id[kv[0][1]].sort_order)):
        u = tree.by_id[uid]
        ind = cat.by_id[iid]
        rows.append({
            "unit_code": u.code, "unit_name": u.name, "indicator": ind.code, "period": period,
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
