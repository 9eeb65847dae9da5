"""Backups and restores of a whole database.

- SQLite: `VACUUM INTO` a temporary file beside the backup, checked, then renamed into place: a
  consistent copy taken while others keep reading and writing, and never a half-written backup. A
  restore checks the backup, keeps a copy of the database as it was, then copies the backup into
  the live database with SQLite's backup API (which takes the locks other processes respect).
- PostgreSQL: `pg_dump --format=custom`, likewise to a temporary file renamed when complete; a
  restore drops shiwan's tables and loads the dump with `psql --single-transaction`, so it lands
  whole or not at all. Both programs come with the PostgreSQL client (Debian: postgresql-client).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shiwan.base.errors import UserError
from shiwan.ref.constants import SCHEMA_VERSION
from shiwan.store.db import sqlite_path

PG_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format file
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class BackupReport:
    path: str
    size: int
    version: str


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def default_backup_path(location: str, reason: str) -> Path:
    """Beside an SQLite database (`shiwan.db` -> `shiwan.db.before-upgrade-20260101-120000.bak`); in the
    current folder for a server database."""
    path = sqlite_path(location)
    if path is not None:
        return Path(f"{path}.{reason}-{stamp()}.bak")
    return Path(f"shiwan-{reason}-{stamp()}.dump")


def backup_database(location: str, dest: Path) -> BackupReport:
    """A complete, consistent copy of the database at `dest` (refused if `dest` exists)."""
    if dest.exists():
        raise UserError("db.backup_exists", path=str(dest))
    if not dest.parent.is_dir():
        raise UserError("db.no_folder", path=str(dest.parent))
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        if sqlite_path(location) is not None:
            version = _sqlite_backup(sqlite_path(location) or "", tmp)
        else:
            version = _pg_backup(location, tmp)
        _fsync(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupReport(str(dest), dest.stat().st_size, version)


def _sqlite_backup(path: str, tmp: Path) -> str:
    if not Path(path).is_file():
        from shiwan.store.db import DatabaseMissing

        raise DatabaseMissing(path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        version = _sqlite_version(con, path)
        con.execute("VACUUM INTO ?", (str(tmp),))
    except sqlite3.Error as exc:
        raise UserError("db.backup_failed", path=str(tmp), reason=str(exc)) from None
    finally:
        con.close()
    check = sqlite3.connect(tmp)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if ok != "ok":
        raise UserError("db.backup_failed", path=str(tmp), reason=ok)
    return version


def _sqlite_version(con: sqlite3.Connection, where: str) -> str:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if not row:
        raise UserError("db.not_shiwan", location=where)
    return str(row[0])


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- PostgreSQL -------------------------------------------------------------------------------------


def pg_environment(location: str) -> dict[str, str]:
    """libpq's variables for the database a SQLAlchemy URL names (the password stays out of argv)."""
    from sqlalchemy.engine import make_url

    url = make_url(location)
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[var] = str(value)
    return env


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError("db.pg_tool_missing", tool=name)
    return found


def _pg_run(args: list[str], env: dict[str, str], *, stdin=None) -> None:
    proc = subprocess.run(args, env=env, stdin=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        reason = (proc.stderr or proc.stdout).strip().splitlines()
        raise UserError("db.pg_tool_failed", tool=Path(args[0]).name, reason=reason[-1] if reason else proc.returncode)


def _pg_backup(location: str, tmp: Path) -> str:
    from shiwan.store.db import open_db

    with open_db(location, any_version=True) as db:
        version = db.meta("schema_version") or "?"
    _pg_run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}"], pg_environment(location))
    return version


# -- restoring --------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    location: str
    source: str
    version: str
    kept: str = ""  # the copy of the database as it was before


def restore_database(location: str, source: Path, *, keep: Path | None) -> RestoreReport:
    """Replace the database's contents with a backup, keeping a copy of what it held at `keep`
    first (None: no copy). The backup is checked before anything changes."""
    if not source.is_file():
        raise UserError("import.missing_path", path=str(source))
    head = source.open("rb").read(16)
    is_sqlite = sqlite_path(location) is not None
    if is_sqlite and head != SQLITE_MAGIC or not is_sqlite and not head.startswith(PG_MAGIC):
        raise UserError("db.not_a_backup", path=str(source), engine="SQLite" if is_sqlite else "PostgreSQL")
    report = RestoreReport(location, str(source), "")
    if is_sqlite:
        report.version = _check_sqlite_backup(source)
    if keep is not None and (not is_sqlite or Path(sqlite_path(location) or "").is_file()):
        report.kept = backup_database(location, keep).path
    if is_sqlite:
        _sqlite_restore(source, sqlite_path(location) or "")
    else:
        report.version = _pg_restore(location, source)
    return report


def _check_sqlite_backup(source: Path) -> str:
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise UserError("db.backup_damaged", path=str(source), reason=ok)
        version = _sqlite_version(con, str(source))
    except sqlite3.DatabaseError as exc:
        raise UserError("db.backup_damaged", path=str(source), reason=str(exc)) from None
    finally:
        con.close()
    _refuse_newer(version, str(source))
    return version


def _refuse_newer(version: str, where: str) -> None:
    if not version.isdigit() or int(version) > int(SCHEMA_VERSION):
        raise UserError("db.newer", location=where, found=version, want=SCHEMA_VERSION)


def _sqlite_restore(source: Path, path: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(path, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise UserError("db.restore_failed", path=path, reason=str(exc)) from None
    finally:
        src.close()
        dst.close()


def _pg_restore(location: str, source: Path) -> str:
    """Drop shiwan's tables and load the dump in one transaction (psql --single-transaction)."""
    from sqlmodel import SQLModel

    import shiwan.models  # noqa: F401 - registers the tables

    env = pg_environment(location)
    script = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--file=-", str(source)], env=env,
                            capture_output=True)
    if script.returncode != 0:
        raise UserError("db.backup_damaged", path=str(source), reason=script.stderr.decode(errors="replace").strip())
    tables = [*SQLModel.metadata.tables, "alembic_version"]
    drops = "".join(f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in tables).encode()
    proc = subprocess.run([pg_tool("psql"), "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                           "--file=-"], input=drops + script.stdout, env=env, capture_output=True)
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        raise UserError("db.restore_failed", path=location, reason=reason[-1] if reason else proc.returncode)
    from shiwan.store.db import open_db

    with open_db(location, any_version=True) as db:
        return db.meta("schema_version") or "?"
