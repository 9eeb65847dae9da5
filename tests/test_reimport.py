"""Issue 14: an identical re-import is answered without reading the file again, and only when the
answer is certain (`store/known.py`): the same result a full reading gives, and a full reading
whenever a revert, a revision, other options or other units could change it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import shiwan.imports
import shiwan.store.known
from shiwan.store.db import open_db

from conftest import snapshot
from helpers import city_summary

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
SAMPLES = ("哈尔滨市2003年6月.xls", "南岗区2003年6月.xls", "道里区_2003-06.csv", "佳木斯市2003年5月.csv", "双鸭山市2003年6月.xls")


@pytest.fixture
def reads(monkeypatch):
    """The paths the import read (parsed in a worker) during the test."""
    seen: list[str] = []
    real = shiwan.imports.ParsePool

    class Counting(real):
        def run(self, jobs, **kw):
            jobs = list(jobs)
            seen.extend(Path(p).name for p, _ in jobs)
            return super().run(jobs, **kw)

    monkeypatch.setattr(shiwan.imports, "ParsePool", Counting)
    return seen


def rows(cli, *args) -> dict[str, dict]:
    result = cli("import", *map(str, args), "--json")
    return {Path(r["file"]).name: r for r in json.loads(result.stdout)}


def full_reading(cli, monkeypatch, *args) -> dict[str, dict]:
    """What the import says when it reads every file (no reading known)."""
    with monkeypatch.context() as m:
        m.setattr(shiwan.store.known, "has_readings", lambda db: False)
        return rows(cli, *args)


def test_an_identical_reimport_is_unchanged_without_reading_and_says_what_a_full_reading_says(
        cli, db_path, tmp_path, reads, monkeypatch):
    mail = tmp_path / "mail"
    mail.mkdir()
    for name in SAMPLES:
        shutil.copy(FIXTURES / name, mail / name)
    # a warning of the reading itself (向阳县 read as 向阳区), which the unchanged result repeats
    city_summary(mail / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4), ("向阳县", 3, 20, 0, 2)])
    first = rows(cli, mail)
    applied = {k for k, r in first.items() if r["status"] in ("imported", "revised")}
    assert len(applied) >= 4 and [w["code"] for w in first["鹤岗市2003年6月.xlsx"]["warnings"]] == ["layout.suffix_differs"]
    before = snapshot(db_path, log=True)
    reads.clear()
    again = rows(cli, mail)
    assert not set(reads) & applied  # the files applied before were not read again
    assert all(again[k]["status"] == "unchanged" for k in applied)
    assert snapshot(db_path, log=True) == before  # nothing written
    assert again == full_reading(cli, monkeypatch, mail)  # every key and value as a full reading gives them
    assert again["鹤岗市2003年6月.xlsx"]["warnings"] == first["鹤岗市2003年6月.xlsx"]["warnings"]
    assert snapshot(db_path, log=True) == before


def _summary(path: Path, reemployed: int, footer: str = "") -> Path:
    return city_summary(path, [("市本级", 5, reemployed, 1, 4), ("向阳区", 3, 20, 0, 2)], footer=footer or "说明:无")


def test_after_a_revert_the_file_is_read_again(cli, tmp_path, reads):
    f = _summary(tmp_path / "鹤岗市2003年6月.xlsx", 30)
    first = rows(cli, f)[f.name]
    assert first["status"] == "imported"
    assert cli("imports", "revert", str(first["import_id"])).exit_code == 0
    reads.clear()
    again = rows(cli, f)[f.name]
    assert reads == [f.name] and again["status"] == "imported" and again["new"] == first["new"]


def test_after_a_revision_by_another_file_the_file_is_read_again_and_after_its_revert_known_again(
        cli, tmp_path, reads, monkeypatch):
    f = _summary(tmp_path / "a" / "鹤岗市2003年6月.xlsx", 30)
    g = _summary(tmp_path / "b" / "鹤岗市2003年6月(更正).xlsx", 31)
    assert rows(cli, f)[f.name]["status"] == "imported"
    second = rows(cli, g)[g.name]
    assert second["status"] == "revised"
    reads.clear()
    back = rows(cli, f)[f.name]
    assert reads == [f.name] and back["status"] == "revised" and back["changed"] == 1
    # both revisions reverted: the figures are those f's first import wrote, so f is known unchanged
    assert cli("imports", "revert", str(back["import_id"])).exit_code == 0
    assert cli("imports", "revert", str(second["import_id"])).exit_code == 0
    reads.clear()
    known = rows(cli, f)[f.name]
    assert reads == [] and known["status"] == "unchanged"
    assert known == full_reading(cli, monkeypatch, f)[f.name]


def test_a_revision_earlier_in_the_same_batch_makes_a_known_file_read_again(cli, tmp_path, reads):
    mail = tmp_path / "mail"
    f = _summary(mail / "鹤岗市2003年6月.xlsx", 30)
    assert rows(cli, f)[f.name]["status"] == "imported"
    g = _summary(mail / "0" / "鹤岗市2003年6月更正.xlsx", 31)  # applied first: its path sorts first
    reads.clear()
    out = rows(cli, g, f)
    assert out[g.name]["status"] == "revised"
    assert out[f.name]["status"] == "revised" and f.name in reads  # back to f's figures, as a full reading says


def test_other_options_or_other_units_mean_a_full_reading(cli, db_path, tmp_path, reads):
    f = _summary(tmp_path / "鹤岗市2003年6月.xlsx", 30)
    assert rows(cli, f)[f.name]["status"] == "imported"
    reads.clear()
    assert rows(cli, f, "--measure", "ytd")[f.name]["status"] == "unchanged" and reads == [f.name]
    reads.clear()
    with open_db(str(db_path)) as db:
        db.run("UPDATE unit SET note = 'renamed' WHERE code = '230400'")
    assert rows(cli, f)[f.name]["status"] == "unchanged" and reads == [f.name]
    copied = tmp_path / "copy" / f.name  # the same bytes at another path: the path can name the period
    copied.parent.mkdir()
    shutil.copy(f, copied)
    reads.clear()
    assert rows(cli, copied)[f.name]["status"] == "unchanged" and reads == [f.name]


def test_a_dry_run_reads_every_file(cli, tmp_path, reads):
    f = _summary(tmp_path / "鹤岗市2003年6月.xlsx", 30)
    assert rows(cli, f)[f.name]["status"] == "imported"
    reads.clear()
    assert rows(cli, f, "--dry-run")[f.name]["status"] == "unchanged" and reads == [f.name]


def test_a_file_that_left_figures_as_they_stood_is_read_again(cli, tmp_path, reads):
    """A revision keeps the figures it did not change under the imports that wrote them: another file
    may change those since, and only a reading can tell."""
    f1 = _summary(tmp_path / "1" / "鹤岗市2003年6月.xlsx", 30)
    f2 = _summary(tmp_path / "2" / "鹤岗市2003年6月.xlsx", 31)
    g = city_summary(tmp_path / "3" / "鹤岗市2003年6月.xlsx", [("市本级", 5, 31, 1, 4), ("向阳区", 3, 21, 0, 2)],
                     footer="说明:无")
    assert rows(cli, f1)[f1.name]["status"] == "imported"
    revision = rows(cli, f2)[f2.name]
    assert revision["status"] == "revised" and revision["changed"] == 1 and revision["unchanged"] > 0
    assert rows(cli, g)[g.name]["status"] == "revised"  # changes 向阳区, which f2 left as f1 wrote it
    reads.clear()
    again = rows(cli, f2)[f2.name]
    assert reads == [f2.name] and again["status"] == "revised" and again["changed"] == 1


def test_grouped_transactions_stay_all_or_nothing_each_and_commit_together(db_path):
    """Issue 14: an import's files are savepoints of groups committed together (SQLite)."""
    if str(db_path).startswith("postgresql"):
        pytest.skip("groups are SQLite's")
    import sqlite3

    def keys() -> set[str]:
        con = sqlite3.connect(db_path)
        try:
            return {k for (k,) in con.execute("SELECT key FROM meta WHERE key LIKE 'g_%'")}
        finally:
            con.close()

    with open_db(str(db_path)) as db:
        db.group_commits(True)
        with db.transaction():
            db.set_meta("g_a", "1")
        with pytest.raises(ZeroDivisionError), db.transaction():
            db.set_meta("g_b", "1")
            1 / 0  # noqa: B018 - the block fails: its write goes, the others stay
        with db.transaction():
            db.set_meta("g_c", "1")
        assert keys() == set()  # not committed yet: another connection sees nothing
        before = db.commits
        db.commit_group()
        assert db.commits == before + 1 and keys() == {"g_a", "g_c"}
        db.group_commits(False)


def test_a_file_read_in_full_and_unchanged_is_known_the_next_time(cli, tmp_path, reads, monkeypatch):
    """After an upgrade the old readings' keys no longer match: the first re-import reads the file,
    finds it unchanged and keeps that reading; the next one needs no reading."""
    f = _summary(tmp_path / "鹤岗市2003年6月.xlsx", 30, footer="报出日期:2003年7月3日")
    assert rows(cli, f)[f.name]["status"] == "imported"
    with monkeypatch.context() as m:
        m.setattr(shiwan.store.known, "_code_stamp", lambda: "another version")
        reads.clear()
        full = rows(cli, f)[f.name]
        assert reads == [f.name] and full["status"] == "unchanged"
        reads.clear()
        known = rows(cli, f)[f.name]
        assert reads == [] and known == full


_REIMPORT_MODULES = """
import sys
from shiwan.cli import main
sys.argv = ["shiwan", "--db", sys.argv[1], "import", sys.argv[2], "--json"]
try:
    main()
except SystemExit:
    pass
heavy = ("shiwan.recognize", "shiwan.check", "shiwan.store.importer", "shiwan.read", "multiprocessing", "python_calamine")
print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)
"""


def test_an_all_known_reimport_starts_no_worker_and_imports_no_reader(cli, db_path, tmp_path):
    """Issue 14: an identical re-import only hashes and looks up; the recognisers, the checks and
    the worker pool (a fifth of a second of start-up) are not even imported."""
    import subprocess
    import sys

    f = _summary(tmp_path / "鹤岗市2003年6月.xlsx", 30)
    assert rows(cli, f)[f.name]["status"] == "imported"
    out = subprocess.run([sys.executable, "-c", _REIMPORT_MODULES, str(db_path), str(f)], capture_output=True,
                         text=True, timeout=120)
    assert json.loads(out.stdout)[0]["status"] == "unchanged"
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
