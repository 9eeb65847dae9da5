"""Schema migrations: the chain builds exactly the models, and version-1 and version-2 databases made
by those builds themselves upgrade to the newest with every row intact, on the engine of this run."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Boolean, MetaData, create_engine, text

from shiwan.ref.constants import SCHEMA_VERSION
from shiwan.store.db import sqlalchemy_url
from shiwan.store.dbcheck import schema_differences
from shiwan.store.schema import build_at, head_revision, known_revisions

from conftest import PG, Cli, query

OLD = Path(__file__).parent / "fixtures" / "db"
RETURNS = Path(__file__).parent / "fixtures" / "returns"
# what each table held in version 1, in column order; period_lock's by/at are user_name/done_at since 2
TABLES = ("meta", "unit", "indicator", "rule", "campaign", "import_log", "figure", "figure_history", "target",
          "period_lock")


def old_sqlite(version: str, path: Path) -> Path:
    """The version-N database of the fixtures as an SQLite file."""
    con = sqlite3.connect(path)
    con.executescript((OLD / f"v{version}.sql").read_text(encoding="utf-8"))
    con.close()
    return path


def old_database(version: str, new_db, tmp_path: Path):
    """The version-N database on the engine of this run: on PostgreSQL, the chain builds that
    version's tables and the rows of the fixture are copied in."""
    src = old_sqlite(version, tmp_path / f"v{version}.db")
    if not PG:
        return src
    url = new_db()
    build_at(url, version)
    engine = create_engine(url)
    con = sqlite3.connect(src)
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as pg:
        pg.execute(text("SET LOCAL session_replication_role = replica"))  # keys point forward: check at the end
        pg.execute(text("DELETE FROM meta"))
        for name in TABLES:
            cur = con.execute(f"SELECT * FROM {name}")
            cols = [d[0] for d in cur.description]
            flags = {c.name for c in tables.tables[name].columns if isinstance(c.type, Boolean)}
            rows = [{c: bool(v) if c in flags else v for c, v in zip(cols, r, strict=True)} for r in cur]
            if rows:
                pg.execute(tables.tables[name].insert(), rows)
            if "id" in cols:  # the next id continues after the copied rows
                pg.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    engine.dispose()
    con.close()
    return url


def rows_of(db, version: str) -> dict[str, list[tuple]]:
    """Every row of every table as version 1 had it, by id, in version 1's columns (`by` and `at`
    under their names of version 2 on, `user_name` and `done_at`)."""
    out = {}
    for table, cols in V1_COLUMNS.items():
        if version != "1":
            cols = [{"by": "user_name", "at": "done_at"}.get(c, c) for c in cols]
        order = "key" if table == "meta" else "id"
        out[table] = [tuple(r) for r in query(db, f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)} "
                                                  f"FROM {table} ORDER BY {order}")]
    out["meta"] = [r for r in out["meta"] if r[0] != "schema_version"]
    return out


def _v1_columns() -> dict[str, list[str]]:
    con = sqlite3.connect(":memory:")
    con.executescript((OLD / "v1.sql").read_text(encoding="utf-8"))
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    con.close()
    return cols


V1_COLUMNS = _v1_columns()


def test_the_chain_has_one_head_the_schema_version():
    assert head_revision() == SCHEMA_VERSION
    assert known_revisions() == [str(n) for n in range(1, int(SCHEMA_VERSION) + 1)]


def test_the_chain_builds_exactly_the_models(new_db):
    """What makes CI fail when models.py changes without a migration."""
    location = new_db("chain.db")
    build_at(location, "head")
    engine = create_engine(sqlalchemy_url(str(location)))
    try:
        assert schema_differences(engine) == []
        # and the comparison is not blind: a column the models lack shows up
        with engine.begin() as con:
            con.execute(text("ALTER TABLE figure ADD COLUMN stray INTEGER"))
        assert any("stray" in str(d) for d in schema_differences(engine))
    finally:
        engine.dispose()


@pytest.mark.sqlite_only
def test_revision_1_builds_what_version_1_builds_made(tmp_path):
    """The baseline of the chain is faithful: the tables of a real version-1 database and those the
    chain's first step builds are the same to Alembic's eye."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    real = create_engine(f"sqlite:///{old_sqlite('1', tmp_path / 'real.db')}")
    built = tmp_path / "built.db"
    build_at(str(built), "1")
    reflected = MetaData()
    reflected.reflect(real)
    engine = create_engine(f"sqlite:///{built}")
    with engine.connect() as con:
        assert compare_metadata(MigrationContext.configure(con), reflected) == []
    real.dispose()
    engine.dispose()


@pytest.mark.parametrize("version", ["1", "2"])
def test_an_old_database_upgrades_with_every_row_intact(version, new_db, tmp_path):
    db = old_database(version, new_db, tmp_path)
    before = rows_of(db, version)
    assert len(before["figure"]) == 45 and len(before["figure_history"]) == 6 and len(before["period_lock"]) == 3
    cli = Cli(db)
    refused = cli("report", "progress")
    assert refused.exit_code == 1 and "shiwan db upgrade" in refused.output and "内部错误" not in refused.output
    result = cli("--lang", "en", "db", "upgrade", "--backup", str(tmp_path / "before.bak"))
    assert result.exit_code == 0, result.output
    assert f"from schema version {version} to {SCHEMA_VERSION}" in result.output
    assert rows_of(db, "up") == before
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert query(db, "SELECT version_num FROM alembic_version") == [(SCHEMA_VERSION,)]
    assert set(query(db, "SELECT first_year, last_year, successors FROM unit")) == {(0, 9999, "")}
    assert query(db, "SELECT COUNT(*) FROM period_lock WHERE unit_id IS NOT NULL") == [(0,)]
    assert cli("db", "check").exit_code == 0
    # the upgraded database does the month's work
    assert cli("report", "progress", "--period", "2003-06", "-f", "json").exit_code == 0
    history = cli.json("history", "--unit", "230102", "-i", "reemployed", "--format", "json")[1]
    assert [h["state"] for h in history] == ["revised", "current", "current"]
    assert cli("period", "unlock", "2003-04").exit_code == 0
    # version 3: a code may stand for two units in different years
    query_run(db, "INSERT INTO unit (code, name, level, parent_id, aliases, sort_order, is_division, note, first_year, "
                  "last_year, successors) SELECT code, name || '(新)', level, parent_id, '', 0, is_division, '', 2004, 9999, '' "
                  "FROM unit WHERE code = '230104'")


def query_run(db, sql: str) -> None:
    """One write statement on a database file or URL."""
    engine = create_engine(sqlalchemy_url(str(db)))
    with engine.begin() as con:
        con.execute(text(sql))
    engine.dispose()


def test_upgrade_backs_up_first(new_db, tmp_path):
    db = old_database("1", new_db, tmp_path)
    backup = tmp_path / "before.bak"
    result = Cli(db)("--lang", "en", "db", "upgrade", "--backup", str(backup))
    assert result.exit_code == 0, result.output
    assert str(backup) in result.output
    head = backup.read_bytes()[:16]
    assert head.startswith(b"PGDMP") if PG else head == b"SQLite format 3\x00"
    if not PG:
        assert query(backup, "SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]
        assert query(backup, "SELECT COUNT(*) FROM figure") == [(45,)]


def test_a_failed_upgrade_changes_nothing(new_db, tmp_path):
    """Every step runs in one transaction (on SQLite too, where DDL would otherwise commit as it
    goes): a step that fails leaves the database as it was."""
    db = old_database("2", new_db, tmp_path)
    query_run(db, "CREATE TABLE review (id INTEGER PRIMARY KEY)")  # the last step cannot create it
    before = rows_of(db, "2")
    result = Cli(db)("--lang", "en", "db", "upgrade", "--no-backup")
    assert result.exit_code == 1
    assert "Rolled back; nothing was changed" in result.output and "internal" not in result.output
    assert rows_of(db, "2") == before
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    engine = create_engine(sqlalchemy_url(str(db)))
    from sqlalchemy import inspect

    assert "first_year" not in {c["name"] for c in inspect(engine).get_columns("unit")}
    engine.dispose()


def test_every_command_on_an_old_database_says_to_upgrade(new_db, tmp_path):
    db = old_database("1", new_db, tmp_path)
    cli = Cli(db)
    for args in (["init"], ["import", str(RETURNS / "道里区_2003-06.csv")], ["report", "progress"],
                 ["units", "list"], ["period", "lock", "2003-07"], ["export", "--period", "2003-06"]):
        result = cli("--lang", "en", *args)
        assert result.exit_code == 1, args
        assert "run shiwan db upgrade first" in result.output, (args, result.output)
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]


def test_a_newer_database_is_refused_and_left_alone(cli, db_path):
    query_run(db_path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for args in (["report", "progress"], ["init"], ["db", "upgrade"]):
        result = cli("--lang", "en", *args)
        assert result.exit_code == 1
        assert "newer than this program's" in result.output, (args, result.output)
    assert query(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [("99",)]


def test_two_upgrades_at_once_upgrade_once(new_db, tmp_path):
    db = old_database("1", new_db, tmp_path)
    procs = [subprocess.Popen([sys.executable, "-m", "shiwan", "--lang", "en", "--db", str(db), "db", "upgrade",
                               "--no-backup"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum("from schema version 1" in o for o in outs) == 1, outs
    assert sum("nothing to do" in o for o in outs) == 1, outs
    assert len(query(db, "SELECT * FROM figure")) == 45
