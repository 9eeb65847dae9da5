"""Period locks: a locked month refuses imports and reverts."""

from __future__ import annotations

from shiwan.store.db import Database


def lock_of(db: Database, period: str) -> tuple[str, str] | None:
    """(who, when) if `period` is locked now."""
    row = db.one("SELECT action, user_name, done_at FROM period_lock WHERE period = :p ORDER BY id DESC", {"p": period})
    if row and row[0] == "lock":
        return row[1], row[2]
    return None


