"""Period locks: a locked month refuses imports and reverts.

A lock covers a whole month (every unit), or one unit's month (`period lock P --unit CODE`): that
unit and every unit below it, so that a city's June can be closed while another city's late return
still goes in. The latest lock or unlock of a (period, unit) is its state.
"""

from __future__ import annotations

from shiwan.ref.units import UnitRec, UnitTree
from shiwan.store.db import Database


def lock_of(db: Database, period: str, unit_id: int | None = None) -> tuple[str, str] | None:
    """(who, when) if `period` is locked now for every unit (`unit_id` None), or for that unit itself."""
    if unit_id is None:
        row = db.one("SELECT action, user_name, done_at FROM period_lock WHERE period = :p AND unit_id IS NULL "
                     "ORDER BY id DESC", {"p": period})
    else:
        row = db.one("SELECT action, user_name, done_at FROM period_lock WHERE period = :p AND unit_id = :u "
                     "ORDER BY id DESC", {"p": period, "u": unit_id})
    if row and row[0] == "lock":
        return row[1], row[2]
    return None


def unit_locks(db: Database, period: str) -> dict[int, tuple[str, str]]:
    """unit id -> (who, when) for every unit whose month `period` is locked now (not the whole month)."""
    latest: dict[int, tuple[str, str, str]] = {}
    for uid, action, by, at in db.all("SELECT unit_id, action, user_name, done_at FROM period_lock WHERE period = :p "
                                      "AND unit_id IS NOT NULL ORDER BY id", {"p": period}):
        latest[uid] = (action, by, at)
    return {uid: (by, at) for uid, (action, by, at) in latest.items() if action == "lock"}


def covering_lock(tree: UnitTree, unit: UnitRec, locks: dict[int, tuple[str, str]]) -> tuple[UnitRec, str, str] | None:
    """The lock on `unit` or on a unit above it (`tree`: the units standing at the period), if any."""
    for u in [unit, *tree.ancestors(unit)]:
        if u.id in locks:
            by, at = locks[u.id]
            return u, by, at
    return None
