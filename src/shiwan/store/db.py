"""Database access with plain, portable SQL.

One `Database` runs the same SQL text (named `:param` placeholders, standard SQL only) on either of
two executors:

- SQLite files go through the standard library's `sqlite3`, which loads in milliseconds: a report
  that has to answer in a fraction of a second cannot wait half a second for SQLAlchemy and pydantic
  to import;
- any other SQLAlchemy URL (`postgresql://...`) goes through SQLAlchemy Core's `text()`, which speaks
  the same named-parameter SQL. `SHIWAN_DB_BACKEND=sqlalchemy` forces this path for SQLite too, so the
  portable path is exercised by the tests.

The schema itself comes from `shiwan.models` (SQLModel), created by `shiwan init`.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Params = Mapping[str, Any] | None
UNIT_LOCK_SPACE = 0x5368  # 'Sh': the first key of the advisory locks of units on PostgreSQL
GROUP_SECONDS = 0.5  # the longest a group of an import's files holds SQLite's write lock


class DatabaseMissing(Exception):
    """The database file does not exist (run `shiwan init`)."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class SchemaMismatch(Exception):
    """The file is not a shiwan database (`found` None), or one of another schema version."""

    def __init__(self, location: str, found: str | None):
        super().__init__(location)
        self.location = location
        self.found = found

    @property
    def message_key(self) -> str:
        """Which message says what to do: `shiwan db upgrade` for an older database, a newer shiwan
        for a newer one."""
        from shiwan.ref.constants import SCHEMA_VERSION

        if self.found is None:
            return "db.not_shiwan"
        if self.found.isdigit() and int(self.found) < int(SCHEMA_VERSION):
            return "db.outdated"
        return "db.newer"


def sqlite_path(location: str) -> str | None:
    """The file path if `location` names an SQLite database, else None."""
    if "://" not in location:
        return location
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if location.startswith(prefix):
            return location[len(prefix) :]
    return None


def sqlalchemy_url(location: str) -> str:
    path = sqlite_path(location)
    if path is not None:
        return "sqlite:///" + str(Path(path).resolve())
    return location


class Database:
    """A connection to one shiwan database."""

    _group = False  # transactions are savepoints of a group (`group_commits`)
    _group_open = False
    _group_since = 0.0
    commits = 0

    @classmethod
    def on_connection(cls, conn: Any, location: str) -> Database:
        """Run on a SQLAlchemy connection someone else holds inside a transaction (`shiwan init`
        creates the schema and loads the defaults in one): statements join that transaction, and
        closing leaves the connection to its owner."""
        db = cls.__new__(cls)
        db.location, db.path = location, sqlite_path(location)
        db.is_sqlite = conn.dialect.name == "sqlite"
        db._conn, db._sa, db._engine, db._owned = None, conn, None, False
        db._in_tx = True
        db.read_only = False
        return db

    def __init__(self, location: str, *, create: bool = False):
        self.location = location
        self.path = sqlite_path(location)
        if self.path is not None and not create and not Path(self.path).is_file():
            raise DatabaseMissing(location)
        backend = os.environ.get("SHIWAN_DB_BACKEND", "")
        self.is_sqlite = self.path is not None
        self._in_tx = False
        self._owned = True
        self.read_only = False
        if self.path is not None and backend != "sqlalchemy":
            self._sa = None
            self._conn, self.read_only = _open_sqlite(self.path)
        else:
            from sqlalchemy import create_engine, event

            engine = create_engine(sqlalchemy_url(location))
            if self.is_sqlite:

                @event.listens_for(engine, "connect")
                def _fk_on(dbapi_conn, _record):  # pragma: no cover - exercised via env switch
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA foreign_keys = ON")
                    cur.close()

            self._engine = engine
            self._sa = engine.connect()
            self._conn = None

    # -- reading ---------------------------------------------------------------------------

    def all(self, sql: str, params: Params = None) -> list[tuple]:
        if self._conn is not None:
            return self._conn.execute(sql, params or {}).fetchall()
        return self._sa_exec(sql, params, lambda r: [tuple(x) for x in r.fetchall()])

    def iter(self, sql: str, params: Params = None) -> Iterator[tuple]:
        if self._conn is not None:
            yield from self._conn.execute(sql, params or {})
        else:
            yield from self.all(sql, params)

    def one(self, sql: str, params: Params = None) -> tuple | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    # -- writing ---------------------------------------------------------------------------

    def run(self, sql: str, params: Params = None) -> int:
        """Execute one statement; returns the number of rows it touched."""
        if self._conn is not None:
            return self._conn.execute(sql, params or {}).rowcount
        return self._sa_exec(sql, params, lambda r: r.rowcount)

    def many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self._conn is not None:
            self._conn.executemany(sql, rows)
        else:
            from sqlalchemy import text

            self._sa.execute(text(sql), list(rows))
            self._autocommit()

    def insert(self, table: str, row: Mapping[str, Any]) -> int:
        """Insert one row and return its new id."""
        cols = ", ".join(row)
        marks = ", ".join(":" + c for c in row)
        if self._conn is not None:
            cur = self._conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", row)
            return int(cur.lastrowid)
        return int(self._sa_exec(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id", row,
                                 lambda r: r.scalar_one()))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit when the block ends normally, roll back on any exception
        (KeyboardInterrupt included). Grouped (`group_commits`): a savepoint inside the open group,
        released or rolled back alone; the group commits every GROUP_SECONDS and on `commit_group`."""
        if self._in_tx:
            yield
            return
        self._in_tx = True
        try:
            if self._group and self._conn is not None:
                with self._savepoint():
                    yield
            elif self._conn is not None:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            else:
                if self._sa.in_transaction():
                    self._sa.commit()
                tx = self._sa.begin()
                try:
                    yield
                except BaseException:
                    tx.rollback()
                    raise
                tx.commit()
        finally:
            self._in_tx = False

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        if not self._group_open:
            self._conn.execute("BEGIN IMMEDIATE")
            self._group_open, self._group_since = True, time.monotonic()
        self._conn.execute("SAVEPOINT one_file")
        try:
            yield
        except BaseException:
            # after some errors (a full disk) SQLite has rolled the whole group back already: the
            # error that did it is the one to report, and the group's commit will fail
            with contextlib.suppress(Exception):
                self._conn.execute("ROLLBACK TO one_file")
                self._conn.execute("RELEASE one_file")
            raise
        self._conn.execute("RELEASE one_file")
        if time.monotonic() - self._group_since >= GROUP_SECONDS:
            self.commit_group()

    def group_commits(self, on: bool) -> None:
        """SQLite, a batch of many small transactions: each becomes a savepoint of a group committed
        at most GROUP_SECONDS after it began (other writers wait no longer than that), so that the
        write-ahead log takes the pages a batch dirties once per group, not once per file. Each block
        stays all or nothing; a group not committed (a kill, a full disk) loses its blocks whole.
        The caller commits (`commit_group`) whenever it would wait, and before it reports."""
        if self._conn is None or self.read_only:
            return
        if not on:
            self.commit_group()
        self._group = on

    @property
    def grouped(self) -> bool:
        """Transactions are savepoints of groups (`group_commits`)."""
        return self._group

    def commit_group(self) -> None:
        """Commit the open group, if any (`commits` counts the groups committed)."""
        if self._group_open:
            self._group_open = False
            try:
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    self._conn.execute("ROLLBACK")
                raise
            self.commits += 1

    def close(self) -> None:
        if not self._owned:
            return
        if self._conn is not None:
            self._conn.close()
        else:
            self._sa.close()
            self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------

    def _sa_exec(self, sql: str, params: Params, take):
        """Run on SQLAlchemy, take what is needed from the result, then commit unless inside
        `transaction()` (each statement outside one stands alone, as on sqlite3 in autocommit)."""
        from sqlalchemy import text

        try:
            result = self._sa.execute(text(sql), dict(params or {}))
            value = take(result)
        except BaseException:
            if not self._in_tx and self._sa.in_transaction():
                self._sa.rollback()  # PostgreSQL refuses every statement after a failed one until then
            raise
        self._autocommit()
        return value

    def _autocommit(self) -> None:
        if not self._in_tx and self._sa.in_transaction():
            self._sa.commit()

    def lock_units(self, unit_ids: Iterable[int]) -> None:
        """Inside a transaction: hold every unit's lock until it ends, so that two processes never
        plan and write the same units' figures at once (the second waits, then reads what the first
        wrote). PostgreSQL: one advisory lock per unit, taken in id order so that two transactions
        cannot deadlock on them. SQLite: the write transaction (BEGIN IMMEDIATE) already excludes
        every other writer."""
        if self.is_sqlite:
            return
        for uid in sorted(set(unit_ids)):
            self.scalar("SELECT pg_advisory_xact_lock(:ns, :u)", {"ns": UNIT_LOCK_SPACE, "u": uid})

    def batch_mode(self, on: bool) -> None:
        """Many small transactions in a row (an import batch): on SQLite, checkpoint the write-ahead
        log every 2,048 pages (8 MB) as the batch goes, not every thousand, and once more at the end.
        The log stays bounded (it once grew to 40 times the database, filling a small disk), and
        `journal_size_limit` shrinks it back after a checkpoint. Elsewhere nothing changes."""
        if self._conn is None or self.read_only:
            return
        if on:
            self._conn.execute("PRAGMA wal_autocheckpoint = 2048")
        else:
            self._conn.execute("PRAGMA wal_autocheckpoint = 1000")
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def has_table(self, name: str) -> bool:
        if self.is_sqlite:
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"
        else:
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = :n AND table_schema = current_schema()"
        return self.one(sql, {"n": name}) is not None

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = :k", {"k": key})

    def set_meta(self, key: str, value: str) -> None:
        if self.run("UPDATE meta SET value = :v WHERE key = :k", {"k": key, "v": value}) == 0:
            self.run("INSERT INTO meta (key, value) VALUES (:k, :v)", {"k": key, "v": value})


def _open_sqlite(path: str):
    """(connection, read only?). A database on a read-only disk or folder, where SQLite cannot make
    the write-ahead log's `-shm` file, is opened read-only, so that reports still work; a write then
    fails with its own clear message (`db.read_only`)."""
    import sqlite3
    from urllib.parse import quote

    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA journal_size_limit = 67108864")  # a checkpointed log shrinks back to 64 MB
        return conn, False
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise
    for mode in ("mode=ro", "immutable=1"):  # immutable: nobody can write here, so no -shm is needed
        conn = sqlite3.connect(f"file:{quote(path)}?{mode}", uri=True, isolation_level=None, timeout=30)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn, True
        except sqlite3.OperationalError:
            conn.close()
    raise sqlite3.OperationalError("unable to open database file")


def in_clause(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """`(:name_0, :name_1, ...)` and its parameters, for `x IN (...)` in portable SQL."""
    vals = list(values)
    if not vals:
        return "(NULL)", {}
    params = {f"{name}_{i}": v for i, v in enumerate(vals)}
    return "(" + ", ".join(":" + k for k in params) + ")", params


def open_db(location: str, *, any_version: bool = False) -> Database:
    """Open an existing shiwan database, checking that it is one of the schema version this program
    reads (`any_version`: of any version, for backups and checks)."""
    from shiwan.ref.constants import SCHEMA_VERSION

    db = Database(location)
    try:
        found = db.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
    except Exception:
        db.close()
        raise SchemaMismatch(location, None) from None
    if found is None or (found != SCHEMA_VERSION and not any_version):
        db.close()
        raise SchemaMismatch(location, found)
    return db
