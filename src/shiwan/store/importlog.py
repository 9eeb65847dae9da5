"""The import log: listing imports, showing what one did, and reverting it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.problems import Problem
from shiwan.base.settings import os_user
from shiwan.base.table import Column, Table, num
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store.db import in_clause
from shiwan.store.initdb import now_iso
from shiwan.store.locks import lock_of

_IMPORT_COLS = ("id, kind, file_name, file_path, sha256, size, form, unit_id, period, submitted_on, imported_at, os_user, "
                "status, n_new, n_changed, n_unchanged, n_warnings, problems, reverts_id, reverted_by_id")


def _import_row(db, import_id: int) -> dict | None:
    row = db.one(f"SELECT {_IMPORT_COLS} FROM import_log WHERE id = :id", {"id": import_id})
    if row is None:
        return None
    keys = [k.strip() for k in _IMPORT_COLS.split(",")]
    return dict(zip(keys, row, strict=True))


def imports_table(db, *, period: str | None = None, unit: str | None = None, limit: int = 50) -> Table:
    tree = UnitTree.from_db(db)
    where, params = [], {"n": limit}
    if period:
        where.append("period = :p")
        params["p"] = period
    if unit:  # every unit that has had the code (or the one standing at the period)
        units = [tree.require(unit, period)] if period else tree.codes_of(unit)
        if not units:
            raise UserError("layout.unknown_unit_code", code=unit)
        clause, uparams = in_clause("u", [u.id for u in units])
        where.append(f"unit_id IN {clause}")
        params.update(uparams)
    sql = f"SELECT {_IMPORT_COLS} FROM import_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT :n"
    keys = [k.strip() for k in _IMPORT_COLS.split(",")]
    rows = []
    for r in db.all(sql, params):
        d = dict(zip(keys, r, strict=True))
        u = tree.by_id.get(d["unit_id"])
        problems = [Problem.from_record(p) for p in json.loads(d["problems"] or "[]")]
        rows.append({
            "import_id": d["id"], "imported_at": d["imported_at"], "user": d["os_user"], "status": d["status"],
            "_status_name": t(f"status.{d['status']}"), "form": d["form"],
            "unit_code": u.code if u else "", "unit_name": u.name if u else "", "period": d["period"],
            "file": d["file_name"], "sha256": d["sha256"], "new": d["n_new"], "changed": d["n_changed"],
            "unchanged": d["n_unchanged"], "errors": sum(1 for p in problems if p.is_error),
            "warnings": sum(1 for p in problems if not p.is_error),
            "reverts": d["reverts_id"], "reverted_by": d["reverted_by_id"],
        })
    cols = [
        Column("import_id", "#", align="right"),
        Column("imported_at", t("col.when"), fmt=lambda v: (v or "")[:16].replace("T", " ")),
        Column("_status_name", t("col.status")),
        Column("unit_name", t("col.unit")),
        Column("period", t("col.period")),
        Column("file", t("col.file")),
        Column("new", t("col.new"), align="right", fmt=num()),
        Column("changed", t("col.changed"), align="right", fmt=num()),
        Column("errors", t("col.errors"), align="right", fmt=lambda v: str(v) if v else ""),
        Column("user", t("col.user")),
    ]
    return Table(cols, rows, title=t("imports.title"))


def import_details(db, import_id: int) -> tuple[dict, list[dict]]:
    """The import's record, and every figure it set: still current, or replaced since."""
    rec = _import_row(db, import_id)
    if rec is None:
        raise UserError("imports.no_such", id=import_id)
    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    u = tree.by_id.get(rec["unit_id"])
    problems = [Problem.from_record(p) for p in json.loads(rec["problems"] or "[]")]
    info = {
        "import_id": rec["id"], "kind": rec["kind"], "file": rec["file_name"], "path": rec["file_path"], "sha256": rec["sha256"],
        "size": rec["size"], "form": rec["form"], "unit_code": u.code if u else "", "unit_name": u.name if u else "",
        "period": rec["period"], "submitted_on": rec["submitted_on"] or None, "imported_at": rec["imported_at"],
        "user": rec["os_user"], "status": rec["status"], "new": rec["n_new"], "changed": rec["n_changed"],
        "unchanged": rec["n_unchanged"], "reverts": rec["reverts_id"], "reverted_by": rec["reverted_by_id"],
        "problems": [p.to_json() for p in problems],
    }
    replaced = {}
    for r in db.all("SELECT unit_id, indicator_id, period, channel, month, ytd, import_id FROM figure_history "
                    "WHERE replaced_by_id = :id", {"id": import_id}):
        replaced[(r[0], r[1], r[2], r[3])] = (r[4], r[5], r[6])
    figures = []

    def add(uid, iid, period, channel, month, ytd, sheet, mcell, ycell, state, by=None):
        unit = tree.by_id[uid]
        ind = cat.by_id[iid]
        old = replaced.get((uid, iid, period, channel))
        figures.append({
            "unit_code": unit.code, "unit_name": unit.name, "indicator": ind.code, "indicator_name": ind.name,
            "period": period, "month": month, "ytd": ytd, "sheet": sheet, "month_cell": mcell, "ytd_cell": ycell,
            "old_month": old[0] if old else None, "old_ytd": old[1] if old else None,
            "action": ("changed" if old else "new") if rec["kind"] == "file" else state, "state": state,
            "replaced_by": by, "_order": (unit.sort_order, ind.sort_order),
        })

    for r in db.all("SELECT unit_id, indicator_id, period, channel, month, ytd, sheet, month_cell, ytd_cell FROM figure "
                    "WHERE import_id = :id", {"id": import_id}):
        add(*r, state="current")
    for r in db.all("SELECT unit_id, indicator_id, period, channel, month, ytd, sheet, month_cell, ytd_cell, replaced_by_id, "
                    "action FROM figure_history WHERE import_id = :id", {"id": import_id}):
        add(*r[:9], state="reverted" if r[10] == "reverted" else "replaced", by=r[9])
    if rec["kind"] == "revert":
        for (uid, iid, period, _channel), (month, ytd, _old_import) in replaced.items():
            unit, ind = tree.by_id[uid], cat.by_id[iid]
            figures.append({"unit_code": unit.code, "unit_name": unit.name, "indicator": ind.code,
                            "indicator_name": ind.name, "period": period, "month": None, "ytd": None, "sheet": "",
                            "month_cell": "", "ytd_cell": "", "old_month": month, "old_ytd": ytd, "action": "reverted",
                            "state": "reverted", "replaced_by": None, "_order": (unit.sort_order, ind.sort_order)})
    figures.sort(key=lambda f: f["_order"])
    for f in figures:
        del f["_order"]
    return info, figures


@dataclass
class RevertReport:
    revert_id: int
    restored: int
    removed: int
    kept: int


def revert_import(db, import_id: int) -> RevertReport:
    """Undo an import: every figure it set that is still current goes back to the value it replaced
    (or away, where it had none). Figures a later import has changed since are left as they are.
    The revert is itself an entry of the log; a locked period (or unit) refuses it. Like an import,
    it holds the locks of the units it changes, and reads what it restores inside its transaction."""
    restored = removed = 0
    with db.transaction():
        db.lock_units(u for (u,) in db.all("SELECT DISTINCT unit_id FROM figure WHERE import_id = :id", {"id": import_id}))
        rec = _import_row(db, import_id)
        if rec is None:
            raise UserError("imports.no_such", id=import_id)
        if rec["kind"] != "file" or rec["status"] not in ("imported", "revised"):
            raise UserError("imports.cannot_revert", id=import_id, status=t(f"status.{rec['status']}"))
        current = db.all("SELECT id, unit_id, indicator_id, period, channel, month, ytd, sheet, month_cell, ytd_cell "
                         "FROM figure WHERE import_id = :id", {"id": import_id})
        _refuse_if_closed(db, [(r[1], r[3]) for r in current])
        kept = db.scalar("SELECT COUNT(*) FROM figure_history WHERE import_id = :id AND action = 'revised'",
                         {"id": import_id}) or 0
        rid = db.insert("import_log", {
            "kind": "revert", "file_name": rec["file_name"], "file_path": rec["file_path"], "sha256": rec["sha256"],
            "size": rec["size"], "form": rec["form"], "unit_id": rec["unit_id"], "period": rec["period"],
            "submitted_on": "", "imported_at": now_iso(), "os_user": os_user(), "status": "revert", "n_new": 0,
            "n_changed": 0, "n_unchanged": 0, "n_warnings": 0, "problems": "[]", "reverts_id": import_id,
        })
        for fid, uid, iid, period, channel, month, ytd, sheet, mcell, ycell in current:
            key = {"u": uid, "i": iid, "p": period, "c": channel}
            db.run("INSERT INTO figure_history (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, "
                   "month_cell, ytd_cell, replaced_by_id, action) VALUES (:u, :i, :p, :c, :m, :y, :imp, :s, :mc, :yc, "
                   ":rid, 'reverted')", {**key, "m": month, "y": ytd, "imp": import_id, "s": sheet, "mc": mcell,
                                          "yc": ycell, "rid": rid})
            prev = _value_before(db, import_id, key)
            if prev is None:
                db.run("DELETE FROM figure WHERE id = :id", {"id": fid})
                removed += 1
            else:
                db.run("UPDATE figure SET month = :m, ytd = :y, import_id = :imp, sheet = :s, month_cell = :mc, "
                       "ytd_cell = :yc, warnings = '' WHERE id = :id",
                       {"m": prev[0], "y": prev[1], "imp": prev[2], "s": prev[3], "mc": prev[4], "yc": prev[5], "id": fid})
                restored += 1
        db.run("UPDATE import_log SET status = 'reverted', reverted_by_id = :rid WHERE id = :id",
               {"rid": rid, "id": import_id})
        db.run("UPDATE import_log SET n_changed = :n WHERE id = :rid", {"n": restored + removed, "rid": rid})
    return RevertReport(rid, restored, removed, int(kept))


def _refuse_if_closed(db, figures: list[tuple[int, str]]) -> None:
    """A revert changes (unit, period) figures: refused where the month is locked, the unit's month
    (or its parent's) is locked, or the unit's return for the month is approved."""
    from shiwan.store.locks import covering_lock, unit_locks
    from shiwan.store.review import approved_units

    tree = UnitTree.from_db(db)
    for p in sorted({p for _, p in figures}):
        lock = lock_of(db, p)
        if lock:
            raise UserError("import.locked", period=p, by=lock[0], at=lock[1][:16].replace("T", " "))
        locks, approved, view = unit_locks(db, p), approved_units(db, p), tree.at(p)
        for uid in sorted({u for u, q in figures if q == p}):
            u = view.by_id.get(uid)
            if u is None:
                continue
            held = covering_lock(view, u, locks)
            if held:
                raise UserError("import.unit_locked", unit=u.name, locked=held[0].name, code=held[0].code, period=p,
                                by=held[1], at=held[2][:16].replace("T", " "))
            if uid in approved:
                raise UserError("import.approved", unit=u.name, code=u.code, period=p, by=approved[uid].user,
                                at=approved[uid].at[:16].replace("T", " "))


def _value_before(db, import_id: int, key: dict) -> tuple | None:
    """The value `import_id` replaced for a key, skipping values of imports reverted since."""
    seen = set()
    current = import_id
    while current not in seen:
        seen.add(current)
        row = db.one("SELECT h.month, h.ytd, h.import_id, h.sheet, h.month_cell, h.ytd_cell, i.status FROM figure_history h "
                     "JOIN import_log i ON i.id = h.import_id WHERE h.replaced_by_id = :r AND h.unit_id = :u "
                     "AND h.indicator_id = :i AND h.period = :p AND h.channel = :c AND h.action = 'revised' "
                     "ORDER BY h.id DESC", {**key, "r": current})
        if row is None:
            return None
        if row[6] != "reverted":
            return row[:6]
        current = row[2]
    return None
