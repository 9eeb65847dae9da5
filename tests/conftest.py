"""Shared fixtures: a real initialised database per test, and the CLI through CliRunner.

The whole suite runs on SQLite files by default, and on PostgreSQL when `SHIWAN_TEST_PG` holds the URL
of a server the tests may create and drop databases on, for example
`SHIWAN_TEST_PG=postgresql+psycopg://shiwan@127.0.0.1:55433/postgres` (`.ci/postgres start DIR PORT`
starts such a server and prints its URL). Each test then gets a database of its own, copied from one
made by `shiwan init`; `db_path` is its URL instead of a file. Tests about SQLite files themselves are
marked `sqlite_only`.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shiwan.cli import app

os.environ.pop("SHIWAN_LANG", None)
os.environ["SHIWAN_STRICT_MESSAGES"] = "1"  # a message missing a parameter fails the test instead of showing {braces}
os.environ.pop("SHIWAN_DB", None)


PG = os.environ.get("SHIWAN_TEST_PG")  # a server URL: the whole run is on PostgreSQL
ENGINE = "postgresql" if PG else "sqlite"
_names = itertools.count()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever `--lang` the one before passed."""
    from shiwan.base.i18n import set_lang

    set_lang(None)


def pytest_collection_modifyitems(config, items):
    if PG:
        skip = pytest.mark.skip(reason="about SQLite files; this run is on PostgreSQL")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


def pg_admin(sql: str) -> None:
    """Run one statement on the test server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(_libpq(PG), autocommit=True) as con:
        con.execute(sql)


def pg_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    from sqlalchemy.engine import make_url

    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def new_pg_database(template: str | None = None) -> str:
    """A new, empty (or copied) database on the test server; its URL."""
    name = f"t{os.getpid()}_{next(_names)}"
    pg_admin(f"DROP DATABASE IF EXISTS {name}")
    pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return pg_url(name)


def drop_pg_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    pg_admin(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")


@pytest.fixture
def new_db(tmp_path):
    """Locations of new, empty databases on the engine of this run: `new_db()` -> a file path or a URL."""
    made: list[str] = []

    def make(name: str = "new.db"):
        if not PG:
            return str(tmp_path / name)
        made.append(new_pg_database())
        return made[-1]

    yield make
    for url in made:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def initialised_db(tmp_path_factory):
    """One database made by `shiwan init`; tests get their own copy."""
    if PG:
        url = new_pg_database()
        result = CliRunner().invoke(app, ["--db", url, "init"])
        assert result.exit_code == 0, result.output
        yield url
        drop_pg_database(url)
        return
    path = tmp_path_factory.mktemp("base") / "base.db"
    result = CliRunner().invoke(app, ["--db", str(path), "init"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    yield path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo's database (`shiwan demo`: half a year of returns, 佳木斯市 missing in June), made once;
    tests read it and must not change it."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    (folder / "demo-output.txt").write_text(result.stdout, encoding="utf-8")  # what the demo printed
    return folder / "shiwan-demo.db"


@pytest.fixture
def db_path(initialised_db, tmp_path):
    """This test's own initialised database: a file, or on PostgreSQL a URL."""
    if PG:
        from sqlalchemy.engine import make_url

        url = new_pg_database(template=make_url(initialised_db).database)
        yield url
        drop_pg_database(url)
        return
    path = tmp_path / "shiwan.db"
    shutil.copy(initialised_db, path)
    yield path


class Cli:
    """Runs `shiwan --db <db> ...` in-process and keeps the result."""

    def __init__(self, db):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, lang: str | None = None, internal_error: bool = False):
        """The result of one command. An internal error fails the test (a clerk must never see one)
        unless the test is about them."""
        argv = ["--db", str(self.db)]
        if lang:
            argv += ["--lang", lang]
        result = self.runner.invoke(app, [*argv, *map(str, args)], catch_exceptions=False)
        if not internal_error:
            assert "程序内部错误" not in result.output and "internal error" not in result.output, result.output
        return result

    def json(self, *args: str):
        result = self(*args)
        return result, json.loads(result.stdout)


@pytest.fixture
def cli(db_path) -> Cli:
    return Cli(db_path)


def query(db, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query on a database file or URL (`?` placeholders)."""
    if str(db).startswith("postgresql"):
        import psycopg

        if params:
            sql = sql.replace("%", "%%").replace("?", "%s")
        with psycopg.connect(_libpq(str(db))) as con:
            return [tuple(r) for r in con.execute(sql, params or None).fetchall()]
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def snapshot(db: Path, *, log: bool = False) -> dict[str, list[tuple]]:
    """Every row of the tables that hold figures (and with `log`, the import log), for 'nothing
    changed' assertions. A refused file changes no figure but is logged; an unchanged one writes
    nothing at all."""
    tables = ["figure", "figure_history", "target", "period_lock"] + (["import_log"] if log else [])
    return {t: query(db, f"SELECT * FROM {t} ORDER BY id") for t in tables}
