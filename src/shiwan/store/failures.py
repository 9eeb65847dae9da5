"""What a database or disk failure means for the person at the keyboard: one clear message that says
what to do, instead of "internal error". The driver's own words stay in `detail`."""

from __future__ import annotations

import errno

from shiwan.base.errors import UserError

# (words in the driver's message or the exception's class name, message key)
_KNOWN = (
    (("database or disk is full", "No space left", "DiskFull", "could not extend file"), "db.disk_full"),
    (("readonly database", "ReadOnlySqlTransaction", "Read-only file system"), "db.read_only"),
    (("file is not a database",), "db.not_a_database"),
    (("database disk image is malformed", "DataCorrupted", "IndexCorrupted"), "db.damaged"),
    (("database is locked", "LockNotAvailable"), "db.busy"),
    (("unable to open database file",), "db.cannot_open"),
    (("no such table", "no such column", "UndefinedTable", "UndefinedColumn"), "db.schema_broken"),
    (("Connection refused", "could not connect", "connection failed", "server closed the connection",
      "password authentication failed", "does not exist\n", "ConnectionTimeout"), "db.no_server"),
)


def environment_error(exc: BaseException, location: str) -> UserError | None:
    """The message for a failure of the database or the disk under it, or None if `exc` is not one."""
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's exception
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, errno.EDQUOT):
        return UserError("db.disk_full", location=location, detail=str(orig))
    if isinstance(orig, OSError) and orig.errno == errno.EROFS:
        return UserError("db.read_only", location=location, detail=str(orig))
    module = type(orig).__module__ or ""
    if not module.startswith(("sqlite3", "psycopg", "sqlalchemy")) and not isinstance(orig, OSError):
        return None
    text = f"{type(orig).__name__}: {orig}\n"
    for words, key in _KNOWN:
        if any(w in text for w in words):
            return UserError(key, location=location, detail=str(orig).strip().splitlines()[0] if str(orig).strip() else "")
    return None
