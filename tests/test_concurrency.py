"""Many importers at once, and importers killed: nothing lost, nothing doubled, the latest return wins.

Real `shiwan import` processes against one database, on the engine of this run (SQLite, or the
PostgreSQL server of `SHIWAN_TEST_PG`). No timing is asserted: the processes race as they will, and
the database must come out the same whatever the interleaving.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import query

PERIOD = "2003-04"
COUNTIES = 60  # returns per version: enough for two processes to meet on the same unit


def counties(db) -> list[tuple[str, str]]:
    """(code, name) of counties standing in 2003 whose name no other shares, so a return names its unit alone."""
    rows = query(db, "SELECT code, name FROM unit WHERE level = 'county' AND first_year <= 2003 AND last_year >= 2003 "
                     "ORDER BY code")
    names = [n for _, n in rows]
    return [(c, n) for c, n in rows if names.count(n) == 1][:COUNTIES]


def county_csv(path: Path, name: str, month: int, ytd: int, referrals: int, sent: str) -> None:
    lines = ["“十万行动”月报表,,,,", "2003年4月,,,,", f"填报单位:{name}总工会,,,,",
             "序号,指标名称,计量单位,本月,本年累计", f"1,实现再就业人数,人,{month},{ytd}",
             f"2,职业介绍人次,人次,{referrals},{referrals * 4}", ",,,,", f"填表人:赵某  报出日期:{sent},,,,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def version(folder: Path, units: list[tuple[str, str]], v: int) -> Path:
    """Version `v` of every county's April return: 报出日期 5月(4+v)日 (version 0 gives none), and
    figures that say which version they are."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (code, name) in enumerate(units):
        sent = f"2003年5月{4 + v}日" if v else ""
        county_csv(folder / f"{code}_{name}_{PERIOD}.csv", name, 10 + v, 100 + 10 * n + v, 20 + v, sent)
    return folder


def shiwan(db, *args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, SHIWAN_LANG="en")
    return subprocess.Popen([sys.executable, "-m", "shiwan", "--db", str(db), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, err = proc.communicate(timeout=600)
    assert "internal error" not in err and "Traceback" not in err, err
    return proc.returncode, out + err


def assert_history_is_a_chain(db) -> None:
    """Every value a figure had is in its history, in order: each row replaced the one before it,
    the first replaced the first import, and the last was replaced by the figure's import."""
    current = {tuple(r[:4]): r[4] for r in query(db, "SELECT unit_id, indicator_id, period, channel, import_id FROM figure")}
    history: dict[tuple, list[tuple[int, int]]] = {}
    for uid, iid, period, channel, import_id, replaced_by in query(
            db, "SELECT unit_id, indicator_id, period, channel, import_id, replaced_by_id FROM figure_history "
                "WHERE action = 'revised' ORDER BY id"):
        history.setdefault((uid, iid, period, channel), []).append((import_id, replaced_by))
    applied = {r[0]: r[1] for r in query(db, "SELECT id, unit_id FROM import_log WHERE status IN ('imported', 'revised')")}
    for key, chain in history.items():
        for (_, replaced_by), (next_import, _) in zip(chain, chain[1:], strict=False):
            assert next_import == replaced_by, (key, chain)
        assert chain[-1][1] == current[key], (key, chain, current[key])
    # every import that was applied set a value that is either current or in a history row
    kept = set(current.values()) | {i for chain in history.values() for i, _ in chain}
    assert set(applied) <= kept, sorted(set(applied) - kept)


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_revisions_let_the_latest_win(db_path, tmp_path, processes):
    """Version 0 of every county's return is stored (without a 报出日期); versions 1..N go in at
    once, one process each. Every county ends with version N, whatever order they landed in, and
    history holds every version that was applied, each replacing the one before."""
    units = counties(db_path)
    code, out = finish(shiwan(db_path, "import", str(version(tmp_path / "v0", units, 0))))
    assert code == 0, out
    procs = [shiwan(db_path, "import", str(version(tmp_path / f"v{v}", units, v)), "--json")
             for v in range(1, processes + 1)]
    results = [finish(p) for p in procs]
    assert all(code in (0, 1) for code, _ in results), results
    got = dict(query(db_path, "SELECT u.code, f.month FROM figure f JOIN unit u ON u.id = f.unit_id "
                              "JOIN indicator i ON i.id = f.indicator_id WHERE i.code = 'reemployed'"))
    assert got == {c: 10 + processes for c, _ in units}
    statuses = query(db_path, "SELECT status, COUNT(*) FROM import_log GROUP BY status")
    assert dict(statuses).get("imported") == len(units)
    assert sum(n for _, n in statuses) == len(units) * (processes + 1)  # every file logged once
    assert_history_is_a_chain(db_path)


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_importers_of_different_returns_lose_nothing(db_path, tmp_path, processes):
    units = counties(db_path)
    shares = [units[n::processes] for n in range(processes)]
    procs = [shiwan(db_path, "import", str(version(tmp_path / f"part{n}", share, 1))) for n, share in enumerate(shares)]
    assert all(finish(p)[0] == 0 for p in procs)
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(len(units) * 2,)]
    assert query(db_path, "SELECT COUNT(*) FROM import_log WHERE status = 'imported'") == [(len(units),)]


def figures(db) -> set[tuple]:
    return set(query(db, "SELECT u.code, i.code, f.period, f.channel, f.month, f.ytd FROM figure f "
                         "JOIN unit u ON u.id = f.unit_id JOIN indicator i ON i.id = f.indicator_id"))


def assert_every_file_wholly_in_or_out(db) -> None:
    """Each applied import holds exactly the figures it says it wrote; no figure without its import."""
    for import_id, n in query(db, "SELECT id, n_new + n_changed FROM import_log WHERE status IN ('imported', 'revised')"):
        assert query(db, "SELECT COUNT(*) FROM figure WHERE import_id = ?", (import_id,)) == [(n,)], import_id
    assert query(db, "SELECT COUNT(*) FROM figure f LEFT JOIN import_log i ON i.id = f.import_id WHERE i.id IS NULL") == [(0,)]


def test_an_import_killed_at_random_moments_leaves_every_file_wholly_in_or_out(db_path, new_db, tmp_path, initialised_db):
    units = counties(db_path)
    mail = version(tmp_path / "mail", units, 1)
    rng = random.Random(13)
    for _ in range(4):
        proc = shiwan(db_path, "import", str(mail), start_new_session=True)
        time.sleep(rng.uniform(0.5, 4.0))
        os.killpg(proc.pid, signal.SIGKILL)  # the import and its reader workers, as kill -9 would
        proc.communicate()
        assert_every_file_wholly_in_or_out(db_path)
    code, out = finish(shiwan(db_path, "import", str(mail)))
    assert code == 0, out
    assert_every_file_wholly_in_or_out(db_path)
    clean = new_db("clean.db")
    from conftest import Cli

    assert Cli(clean)("init").exit_code == 0
    assert finish(shiwan(clean, "import", str(mail)))[0] == 0
    assert figures(db_path) == figures(clean)
