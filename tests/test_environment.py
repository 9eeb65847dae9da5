"""Broken environments and the administrator's tools: backups and restores, integrity checks, a full
disk, a read-only disk, files that are not databases, two `init` at once.

The disk tests mount a small tmpfs, so they run as root (as CI does) and are skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from test_concurrency import assert_every_file_wholly_in_or_out, counties, figures

from conftest import PG, Cli, query

RETURNS = Path(__file__).parent / "fixtures" / "returns"


def shiwan(db, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SHIWAN_LANG="en")
    return subprocess.run([sys.executable, "-m", "shiwan", "--db", str(db), *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


def clean(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """No traceback, no internal error, no Python warning about an unclosed zip: one clear message."""
    for bad in ("Traceback", "internal error", "Exception ignored"):
        assert bad not in proc.stderr, proc.stderr
    return proc


def year_of_returns(folder: Path, units: list[tuple[str, str]], months: int = 12) -> Path:
    """Every county's return for each month of 2003, the figures adding up month to month."""
    for m in range(1, months + 1):
        month = folder / f"2003-{m:02d}"
        month.mkdir(parents=True, exist_ok=True)
        for code, name in units:
            lines = ["“十万行动”月报表,,,,", f"2003年{m}月,,,,", f"填报单位:{name}总工会,,,,",
                     "序号,指标名称,计量单位,本月,本年累计", f"1,实现再就业人数,人,10,{10 * m}",
                     f"2,职业介绍人次,人次,20,{20 * m}", f"填表人:赵某  报出日期:2003年{m % 12 + 1}月3日,,,,"]
            (month / f"{code}_{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return folder


# -- backups, restores, checks --------------------------------------------------------------------


def test_backup_and_restore_bring_back_exactly_what_was_there(cli, db_path, tmp_path):
    assert cli("import", RETURNS / "哈尔滨市2003年6月.xls").exit_code == 0
    backup = tmp_path / "office.bak"
    result = cli("--lang", "en", "db", "backup", backup)
    assert result.exit_code == 0 and "backed up to" in result.output, result.output
    saved = figures(db_path), query(db_path, "SELECT COUNT(*) FROM import_log")
    # a backup never overwrites a file
    again = cli("--lang", "en", "db", "backup", backup)
    assert again.exit_code == 1 and "never overwrites" in again.output
    # the month goes on after the backup ...
    assert cli("import", RETURNS / "鹤岗市_2003-05.ods").exit_code == 0
    assert cli("imports", "revert", "1").exit_code == 0
    assert figures(db_path) != saved[0]
    # ... and the restore brings back the moment of the backup, keeping what was there in a copy
    result = cli("--lang", "en", "db", "restore", backup)
    assert result.exit_code == 0, result.output
    assert (figures(db_path), query(db_path, "SELECT COUNT(*) FROM import_log")) == saved
    assert cli("db", "check").exit_code == 0
    assert cli("import", RETURNS / "鹤岗市_2003-05.ods").exit_code == 0  # and it takes imports again
    if not PG:
        kept = [p for p in db_path.parent.iterdir() if ".before-restore-" in p.name]
        assert len(kept) == 1 and query(kept[0], "SELECT COUNT(*) FROM import_log") == [(3,)]


def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(cli, db_path, tmp_path):
    assert cli("import", RETURNS / "哈尔滨市2003年6月.xls").exit_code == 0
    backup = tmp_path / "good.bak"
    assert cli("db", "backup", backup).exit_code == 0
    before = figures(db_path)
    damaged = tmp_path / "damaged.bak"
    damaged.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) // 3])
    stranger = tmp_path / "notes.txt"
    stranger.write_text("not a backup\n")
    for bad in (damaged, stranger):
        result = cli("--lang", "en", "db", "restore", bad)
        assert result.exit_code == 1, result.output
        assert "damaged" in result.output or "not a backup" in result.output, result.output
    assert figures(db_path) == before


@pytest.mark.sqlite_only
def test_db_check_finds_broken_keys_and_a_schema_changed_by_hand(cli, db_path):
    assert cli("db", "check").exit_code == 0
    con = sqlite3.connect(db_path)
    con.execute("INSERT INTO figure (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, month_cell, "
                "ytd_cell, warnings) VALUES (9999, 1, '2003-06', 0, 1, 1, 4242, '', '', '', '')")
    con.execute("DROP INDEX ix_figure_indicator_period")
    con.commit()
    con.close()
    result = cli.json("db", "check", "--json")[1]
    assert {r["check"]: r["ok"] for r in result} == {"integrity": True, "foreign_keys": False, "version": True,
                                                      "schema": False}
    details = {r["check"]: r["details"] for r in result}
    assert any("figure.unit_id -> unit.id: 1" in d for d in details["foreign_keys"])
    assert any("ix_figure_indicator_period" in d for d in details["schema"])
    assert cli("db", "check").exit_code == 1


# -- broken environments ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_files_that_are_not_shiwan_databases_get_clear_messages(tmp_path, initialised_db):
    text = tmp_path / "notes.db"
    text.write_text("hello\n" * 200)
    truncated = tmp_path / "cut.db"
    truncated.write_bytes(Path(initialised_db).read_bytes()[:30000])
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    expect = {text: "is not a database file", truncated: "is damaged", other: "not a shiwan database"}
    for path, words in expect.items():
        for args in (["report", "progress"], ["import", str(RETURNS / "道里区_2003-06.csv")]):
            result = Cli(path)("--lang", "en", *args)
            assert result.exit_code == 1 and words in result.output, (path, args, result.output)
    # init leaves another application's file as it was
    result = Cli(other)("--lang", "en", "init")
    assert result.exit_code == 1 and "another application's tables" in result.output
    assert query(other, "SELECT name FROM sqlite_master") == [("customers",)]


def test_a_server_that_cannot_be_reached_is_one_clear_line():
    result = Cli("postgresql+psycopg://shiwan:secret@127.0.0.1:1/nowhere")("--lang", "en", "units", "list")
    assert result.exit_code == 1
    assert "cannot reach the database server" in result.output and "secret" not in result.output


def test_two_inits_at_once_make_one_database(new_db, initialised_db):
    location = new_db("twice.db")
    env = dict(os.environ, SHIWAN_LANG="en")
    procs = [subprocess.Popen([sys.executable, "-m", "shiwan", "--db", str(location), "init"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert sum("created database" in o for o in outs) == 1, outs
    assert query(location, "SELECT COUNT(*) FROM unit") == query(initialised_db, "SELECT COUNT(*) FROM unit")
    assert query(location, "SELECT COUNT(*) FROM target") == query(initialised_db, "SELECT COUNT(*) FROM target")


def test_a_sheet_too_big_names_the_sheet(cli, tmp_path):
    big = tmp_path / "大表.csv"
    big.write_text("单位,实现再就业人数\n" + "道里区,1\n" * 20_001, encoding="utf-8")
    result = cli("--lang", "en", "import", big)
    assert result.exit_code == 1
    assert "{sheet}" not in result.output and "大表" in result.output, result.output


# -- a full or read-only disk ---------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """`tmpfs(size)` mounts a tmpfs of that size and returns its folder (root only)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("needs root to mount a small tmpfs")
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


def resize(where: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)


def fill(where: Path) -> None:
    """Fill the disk to the last byte."""
    with open(where / "filler", "wb", buffering=0) as fh:
        for chunk in (65536, 1):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError:
                pass


@pytest.mark.sqlite_only
def test_a_year_of_returns_fits_a_small_disk(tmpfs, initialised_db, tmp_path):
    """The write-ahead log is checkpointed as the batch goes: the year's 1,400 returns go into a
    16 MB disk (with checkpoints left to the end of the batch, the log alone grew to 30 MB)."""
    disk = tmpfs("16m")
    db = disk / "shiwan.db"
    shutil.copy(initialised_db, db)
    mail = year_of_returns(tmp_path / "mail", counties(db))
    proc = clean(shiwan(db, "import", str(mail)))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert query(db, "SELECT COUNT(*) FROM import_log WHERE status = 'imported'")[0][0] == 12 * len(counties(db))


@pytest.mark.sqlite_only
def test_a_full_disk_stops_the_batch_with_its_summary(tmpfs, initialised_db, new_db, tmp_path):
    # 1 MB: a year of returns, committed in groups, writes the log's pages once a group and fits 2 MB
    disk = tmpfs("1m")
    db = disk / "shiwan.db"
    shutil.copy(initialised_db, db)
    mail = year_of_returns(tmp_path / "mail", counties(db))
    proc = clean(shiwan(db, "import", str(mail), "--json"))
    assert proc.returncode == 1
    assert "the disk under" in proc.stderr and "is full" in proc.stderr, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == 12 * len(counties(db))
    statuses = {r["status"] for r in results}
    assert statuses == {"imported", "not_imported"}, statuses
    assert_every_file_wholly_in_or_out(db)
    human = clean(shiwan(db, "import", str(mail)))
    assert human.returncode == 1 and "were not imported: the import stopped" in human.stdout
    # room again: the same command finishes the job, as a clean import would have done it
    resize(disk, "64m")
    assert clean(shiwan(db, "import", str(mail))).returncode == 0
    other = new_db("clean.db")
    assert Cli(other)("init").exit_code == 0
    assert clean(shiwan(other, "import", str(mail))).returncode == 0
    assert figures(db) == figures(other)


def test_output_files_are_whole_or_untouched_on_a_full_disk(cli, tmpfs):
    assert cli("import", RETURNS / "哈尔滨市2003年6月.xls").exit_code == 0
    disk = tmpfs("1m")
    csv_out, xlsx_out = disk / "export.csv", disk / "progress.xlsx"
    assert cli("export", "--period", "2003-06", "-o", csv_out).exit_code == 0
    assert cli("report", "progress", "--period", "2003-06", "-o", xlsx_out).exit_code == 0
    before = csv_out.read_bytes(), xlsx_out.read_bytes()
    fill(disk)
    for args in (("export", "--period", "2003-06", "-o", csv_out),
                 ("report", "progress", "--period", "2003-06", "-o", xlsx_out),
                 ("template", "city", "--unit", "230100", "--period", "2003-06", "-o", disk / "new.xlsx")):
        proc = clean(shiwan(cli.db, *map(str, args)))
        assert proc.returncode == 1 and "the disk is full" in proc.stderr, proc.stderr
    assert (csv_out.read_bytes(), xlsx_out.read_bytes()) == before
    assert sorted(p.name for p in disk.iterdir()) == ["export.csv", "filler", "progress.xlsx"]


@pytest.mark.sqlite_only
def test_a_read_only_disk_still_shows_reports(tmpfs, initialised_db):
    disk = tmpfs("8m")
    db = disk / "shiwan.db"
    shutil.copy(initialised_db, db)
    assert Cli(db)("import", RETURNS / "哈尔滨市2003年6月.xls").exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    report = clean(shiwan(db, "report", "progress", "--period", "2003-06", "-f", "json"))
    assert report.returncode == 0, report.stderr
    assert any(r["unit_code"] == "230100" for r in json.loads(report.stdout))
    assert clean(shiwan(db, "units", "list")).returncode == 0
    refused = clean(shiwan(db, "import", str(RETURNS / "鹤岗市_2003-05.ods")))
    assert refused.returncode == 1 and "can only be read here" in refused.stderr, refused.stderr
