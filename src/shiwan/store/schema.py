"""Schema versions: a new database is created at the newest version and stamped; an older one is
brought up to it by the Alembic chain in `migrations/`, all in one transaction.

Every command reads `meta.schema_version` with plain SQL (no Alembic, no SQLAlchemy on SQLite) and
refuses a database of another version with a message that says what to do (`shiwan db upgrade`, or a
newer shiwan); only `init` and `db upgrade` load Alembic.

Both run under a lock that lets one shiwan process at a time change the schema: on SQLite the
transaction starts with BEGIN IMMEDIATE (SQLite's DDL is transactional), on PostgreSQL it takes an
advisory lock. A second `init` or `upgrade` waits, then finds the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiwan.base.errors import UserError
from shiwan.ref.constants import SCHEMA_VERSION
from shiwan.store.db import sqlalchemy_url, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_LOCK_KEY = 0x5368_6977  # 'Shiw': the advisory lock of schema changes on PostgreSQL


class SchemaError(UserError):
    """A database that cannot be created or upgraded here (another application's, another version)."""


@dataclass
class UpgradeReport:
    location: str
    found: str
    now: str
    backup: str = ""

    @property
    def changed(self) -> bool:
        return self.found != self.now


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision of the chain (a test holds it equal to SCHEMA_VERSION)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migration chain has {len(heads)} heads: {heads}")
    return heads[0]


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    return [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()][::-1]


@contextmanager
def schema_transaction(location: str) -> Iterator[Any]:
    """A SQLAlchemy connection inside a transaction that no other shiwan process can hold at the same
    time; committed when the block ends, rolled back on any exception."""
    from sqlalchemy import create_engine, event, text

    engine = create_engine(sqlalchemy_url(location))
    if sqlite_path(location) is not None:

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below cover the DDL too
            dbapi_conn.execute("PRAGMA busy_timeout = 30000")
            dbapi_conn.execute("PRAGMA foreign_keys = OFF")  # tables are rebuilt; checked at the end

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
            yield conn
    finally:
        engine.dispose()


def stored_version(conn) -> tuple[str | None, bool]:
    """(meta.schema_version or None when the database has no shiwan tables, whether the database
    has tables at all)."""
    from sqlalchemy import inspect, text

    tables = set(inspect(conn).get_table_names())
    if "meta" not in tables:
        return None, bool(tables)
    found = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    return found, True


def create_at_head(conn, location: str) -> bool:
    """Create every table of the current models and stamp the database at the newest revision, when
    it has no shiwan tables yet; True if it did. Refuses another application's database, and one of
    another version (which `shiwan db upgrade` is for)."""
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import shiwan.models  # noqa: F401 - registers the tables

    found, has_tables = stored_version(conn)
    if found is None and has_tables:
        raise SchemaError("db.foreign_tables", location=location)
    if found is not None:
        check_current(found, location)
        return False
    SQLModel.metadata.create_all(conn)
    command.stamp(alembic_config(conn), head_revision())
    conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"), {"v": SCHEMA_VERSION})
    return True


def check_current(found: str, location: str) -> None:
    """Raise the error that says what to do with a database of another schema version."""
    if found == SCHEMA_VERSION:
        return
    if found in known_revisions():
        raise SchemaError("db.outdated", location=location, found=found, want=SCHEMA_VERSION)
    raise SchemaError("db.newer", location=location, found=found, want=SCHEMA_VERSION)


def upgrade_schema(location: str, *, before_change=None) -> UpgradeReport:
    """Bring the database to the newest schema version, in one transaction. `before_change(found)`
    runs first when there is something to do (the backup); nothing is written if it raises."""

    with schema_transaction(location) as conn:
        found, has_tables = stored_version(conn)
        if found is None:
            raise SchemaError("db.foreign_tables" if has_tables else "db.not_shiwan", location=location)
        report = UpgradeReport(location, found, found)
        if found == SCHEMA_VERSION:
            return report
        if found not in known_revisions():
            raise SchemaError("db.newer", location=location, found=found, want=SCHEMA_VERSION)
        if before_change is not None:
            report.backup = before_change(found) or ""
        _migrate(conn, found, location)
        report.now = stored_version(conn)[0] or ""
    return report


def _migrate(conn, found: str, location: str) -> None:
    """Run the chain from `found` to the head on a connection inside the schema transaction; any
    failure becomes one clear message (the transaction then rolls back: nothing changed)."""
    from alembic import command
    from sqlalchemy.exc import SQLAlchemyError

    cfg = alembic_config(conn)
    try:
        if _alembic_revision(conn) != found:  # made before the chain existed: it stands where meta says
            command.stamp(cfg, found, purge=True)
        command.upgrade(cfg, "head")
    except (SQLAlchemyError, ValueError, KeyError) as exc:
        raise SchemaError("db.upgrade_failed", location=location, found=found,
                          reason=str(getattr(exc, "orig", None) or exc).splitlines()[0]) from exc
    if conn.dialect.name == "sqlite":
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise SchemaError("db.upgrade_broken_keys", location=location, n=len(bad), table=bad[0][0])


def build_at(location: str, revision: str) -> None:
    """A new database built by the chain alone up to `revision`, with no `alembic_version`: what a
    build of that version made (the tests make version-1 and version-2 databases on any engine)."""
    from alembic import command
    from sqlalchemy import text

    with schema_transaction(location) as conn:
        command.upgrade(alembic_config(conn), revision)
        conn.execute(text("DROP TABLE alembic_version"))


def _alembic_revision(conn) -> str | None:
    from sqlalchemy import inspect, text

    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def new_revision(message: str) -> str:
    """Write the next migration, `versions/N_<message>.py`, from the differences between the models
    and a database built by the chain so far (Alembic's autogenerate); a developer reviews it, and
    the test of the chain holds it to the models. `python -m shiwan.store.schema "what changed"`."""
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as folder, schema_transaction(str(Path(folder) / "head.db")) as conn:
        cfg = alembic_config(conn)
        command.upgrade(cfg, "head")
        script = command.revision(cfg, message, autogenerate=True, rev_id=str(int(head_revision()) + 1))
    return str(getattr(script, "path", script))


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    import sys

    print(new_revision(" ".join(sys.argv[1:]) or "schema change"))
