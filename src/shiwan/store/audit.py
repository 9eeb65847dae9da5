"""Keeping a closed month closed, and every value a figure has had.

`shiwan period lock|unlock|list`: a locked period refuses imports and reverts that would change it;
each lock and unlock is recorded with who and when. `shiwan history`: every value a figure has had,
when, from which import and file cell, and who imported it.
"""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.settings import os_user
from shiwan.base.table import Column, Table
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.units import UnitTree
from shiwan.store.db import in_clause
from shiwan.store.initdb import now_iso
from shiwan.store.locks import lock_of


def lock_period(db, period: str, note: str = "", unit: str | None = None) -> tuple[str, str]:
    """Lock a month for every unit, or (`unit`, a code) for that unit and every unit below it."""
    uid, label = _lock_target(db, period, unit)
    current = lock_of(db, period, uid)
    if current:
        raise UserError("lock.already", period=label, by=current[0], at=current[1][:16].replace("T", " "))
    by, at = os_user(), now_iso()
    with db.transaction():
        db.insert("period_lock", {"period": period, "unit_id": uid, "action": "lock", "user_name": by, "done_at": at,
                                  "note": note})
    return by, at[:16].replace("T", " ")


def unlock_period(db, period: str, note: str = "", unit: str | None = None) -> tuple[str, str]:
    uid, label = _lock_target(db, period, unit)
    if not lock_of(db, period, uid):
        raise UserError("lock.not_locked", period=label)
    by, at = os_user(), now_iso()
    with db.transaction():
        db.insert("period_lock", {"period": period, "unit_id": uid, "action": "unlock", "user_name": by, "done_at": at,
                                  "note": note})
    return by, at[:16].replace("T", " ")


def _lock_target(db, period: str, unit: str | None) -> tuple[int | None, str]:
    """(unit id or None for the whole month, how the messages name it: `2003-06` or `2003-06 哈尔滨市`)."""
    if unit is None:
        return None, period
    u = UnitTree.from_db(db).require(unit, period)
    return u.id, f"{period} {u.name}"


def locks_table(db) -> Table:
    tree = UnitTree.from_db(db)
    rows = []
    for period, uid, action, by, at, note in db.all(
            "SELECT period, unit_id, action, user_name, done_at, note FROM period_lock ORDER BY period, id"):
        u = tree.unit(uid) if uid is not None else None
        rows.append({"period": period, "unit_code": u.code if u else None, "unit_name": u.name if u else None,
                     "action": action, "user": by, "done_at": at, "note": note, "_action": t(f"lock.action.{action}"),
                     "_unit": u.name if u else t("lock.whole_month")})
    latest = {(r["period"], r["unit_code"]): r for r in rows}
    for r in rows:
        r["locked_now"] = r["action"] == "lock" and r is latest[(r["period"], r["unit_code"])]
    cols = [Column("period", t("col.period")), Column("_unit", t("col.unit")), Column("_action", t("col.action")),
            Column("user", t("col.user")),
            Column("done_at", t("col.when"), fmt=lambda v: (v or "")[:16].replace("T", " ")), Column("note", t("col.note"))]
    return Table(cols, rows, title=t("lock.title"))


def history_rows(db, unit: str, indicator: str | None = None, period: str | None = None) -> list[dict]:
    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    if period:
        u = tree.require(unit, period)
        ids = [u.id]
    else:  # every unit that has had the code
        ids = [x.id for x in tree.codes_of(unit)]
        if not ids:
            raise UserError("layout.unknown_unit_code", code=unit)
        u = tree.by_code[unit]
    clause, params = in_clause("u", ids)
    where = [f"x.unit_id IN {clause}"]
    if indicator:
        ind = cat.by_code.get(indicator) or cat.by_code.get(cat.match(indicator) or "")
        if ind is None:
            raise UserError("report.unknown_indicator", code=indicator, known=", ".join(cat.by_code), exit_code=2)
        where.append("x.indicator_id = :i")
        params["i"] = ind.id
    if period:
        where.append("x.period = :p")
        params["p"] = period
    cond = " AND ".join(where)
    sql = (
        "SELECT x.indicator_id, x.period, x.channel, x.month, x.ytd, x.sheet, x.month_cell, x.ytd_cell, x.import_id, "
        "s.file_name, s.imported_at, s.os_user, s.submitted_on, x.replaced_by_id, r.imported_at, x.action "
        "FROM (SELECT indicator_id, unit_id, period, channel, month, ytd, sheet, month_cell, ytd_cell, import_id, "
        "replaced_by_id, action, id AS ord FROM figure_history UNION ALL "
        "SELECT indicator_id, unit_id, period, channel, month, ytd, sheet, month_cell, ytd_cell, import_id, "
        "NULL, 'current', 1000000000 + id FROM figure) x "
        "JOIN import_log s ON s.id = x.import_id LEFT JOIN import_log r ON r.id = x.replaced_by_id "
        f"WHERE {cond} ORDER BY x.period, x.indicator_id, x.channel, x.ord"
    )
    rows = []
    for (iid, p, channel, month, ytd, sheet, mcell, ycell, imp, fname, at, user, submitted, rep, rep_at,
         action) in db.all(sql, params):
        ind = cat.by_id[iid]
        rows.append({
            "unit_code": u.code, "unit_name": tree.find(u.code, p).name if tree.find(u.code, p) else u.name,
            "indicator": ind.code, "period": p,
            "channel": "own" if channel == CHANNEL_OWN else "summary", "month": month, "ytd": ytd,
            "import_id": imp, "file": fname, "sheet": sheet, "month_cell": mcell, "ytd_cell": ycell,
            "imported_at": at, "user": user, "submitted_on": submitted or None,
            "state": "current" if action == "current" else action, "replaced_by": rep, "replaced_at": rep_at,
            "_indicator": ind.label(), "_set": f"#{imp} {(at or '')[:16].replace('T', ' ')} {user}",
            "_source": " › ".join(x for x in (fname, sheet, ycell or mcell) if x),
            "_state": t(f"history.state.{'current' if action == 'current' else action}", by=rep or ""),
            "_channel": t(f"history.channel.{'own' if channel == CHANNEL_OWN else 'summary'}"),
        })
    return rows


def history_table(db, unit: str, indicator: str | None = None, period: str | None = None) -> Table:
    rows = history_rows(db, unit, indicator, period)

    def num(v):
        if v is None:
            return ""
        return f"{v:,.2f}" if float(v) != int(v) else f"{int(v):,}"

    cols = [Column("period", t("col.period")), Column("_indicator", t("col.indicator")), Column("_channel", t("col.channel")),
            Column("month", t("col.month"), align="right", fmt=num), Column("ytd", t("col.ytd_or_level"), align="right", fmt=num),
            Column("_source", t("col.source")), Column("_set", t("col.set_by")), Column("_state", t("col.state"))]
    title = t("history.title", unit=rows[0]["unit_name"] if rows else unit)
    return Table(cols, rows, title=title)
