"""Shared fixtures: a real initialised SQLite database per test, and the CLI through CliRunner."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def initialised_db(tmp_path_factory) -> Path:
    """One database made by `shiwan init`; tests get their own copy."""
    path = tmp_path_factory.mktemp("base") / "base.db"
    result = CliRunner().invoke(app, ["--db", str(path), "init"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo's database (`shiwan demo`: half a year of returns, 佳木斯市 missing in June), made once;
    tests read it and must not change it."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "shiwan-demo.db"


@pytest.fixture
def db_path(initialised_db, tmp_path) -> Path:
    path = tmp_path / "shiwan.db"
    shutil.copy(initialised_db, path)
    return path


class Cli:
    """Runs `shiwan --db <db> ...` in-process and keeps the result."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, lang: str | None = None):
        argv = ["--db", str(self.db)]
        if lang:
            argv += ["--lang", lang]
        return self.runner.invoke(app, [*argv, *map(str, args)], catch_exceptions=False)

    def json(self, *args: str):
        result = self(*args)
        return result, json.loads(result.stdout)


@pytest.fixture
def cli(db_path) -> Cli:
    return Cli(db_path)


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
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
