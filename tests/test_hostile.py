"""No file can take the batch down: hostile, corrupt, protected files cost one refusal each.

These run the real `shiwan` command in a subprocess, so that a reader that aborts the process or
prints to stderr is seen as a clerk would see it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import query

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
RETURNS = Path(__file__).parent / "fixtures" / "returns"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "foreign"


def shiwan(db: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, RUST_BACKTRACE="1", SHIWAN_LANG="zh")
    return subprocess.run([sys.executable, "-m", "shiwan", "--db", str(db), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_hostile_files_cost_one_refusal_each(db_path, tmp_path):
    mail = tmp_path / "mail"
    shutil.copytree(HOSTILE, mail)
    (mail / "SOURCES.md").unlink()
    shutil.copy(RETURNS / "哈尔滨市2003年6月.xls", mail / "zz_哈尔滨市2003年6月.xls")
    out = shiwan(db_path, "import", str(mail), "--json")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "panicked" not in out.stderr and "memory allocation" not in out.stderr
    results = {Path(r["file"]).name: r for r in json.loads(out.stdout)}
    assert results["zz_哈尔滨市2003年6月.xls"]["status"] == "imported"
    codes = {name: r["errors"][0]["code"] for name, r in results.items() if r["status"] == "rejected"}
    assert codes == {
        "exceldatareader__Test_Issue_12556_corrupt.xls": "read.crash",
        "exceldatareader__Test_git_issue_382_oom.xls": "read.crash",
        "phpspreadsheet__oleloop.xls": "read.crash",
        "python-calamine__password.xls": "read.password",
        "calamine__pass_protected.xlsx": "read.password",
        "calamine__issue_594_dos.ods": "read.corrupt",
    }
    assert query(db_path, "SELECT COUNT(*) FROM figure")[0][0] == 16
    human = shiwan(db_path, "import", str(mail))
    assert "Traceback" not in human.stdout + human.stderr
    assert "密码" in human.stdout and "已损坏" in human.stdout


def test_reader_timeout_is_a_refusal(db_path, tmp_path, monkeypatch):
    # a worker that takes too long is stopped and its file refused; the next file still goes in
    from shiwan.imports import import_files
    from shiwan.read.sandbox import ParsePool
    from shiwan.recognize import Options
    from shiwan.store.db import open_db

    shutil.copy(HOSTILE / "exceldatareader__Test_git_issue_382_oom.xls", tmp_path / "a.xls")
    shutil.copy(RETURNS / "南岗区2003年6月.xls", tmp_path / "b_南岗区2003年6月.xls")
    monkeypatch.setenv("SHIWAN_PARSE_MEMORY_MB", "8000")  # let it try to allocate: only the clock stops it
    real_init = ParsePool.__init__

    def short(self, ctx, recognize, workers=None, timeout=0):
        real_init(self, ctx, recognize, workers, timeout=1.0)

    monkeypatch.setattr(ParsePool, "__init__", short)
    import shiwan.read.sandbox as sb

    monkeypatch.setattr(sb, "MEMORY_LIMIT", 8000 * 1024 * 1024)
    with open_db(str(db_path)) as db:
        results = import_files(db, [tmp_path / "a.xls", tmp_path / "b_南岗区2003年6月.xls"], Options())
    codes = [r.problems[0].key if r.problems else r.status for r in results]
    assert codes[0] in ("read.timeout", "read.crash")
    assert results[1].status == "imported"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the repository")
def test_whole_foreign_corpus_in_one_batch(db_path):
    out = shiwan(db_path, "import", str(CORPUS), "--json", timeout=600)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert len(out.stderr.splitlines()) < 5, out.stderr[:2000]
    listed = json.loads(out.stdout)
    skipped = [r for r in listed if r["status"] == "skipped"]
    assert all(r["reason"] in ("extension", "hidden", "lock_file") and r["message"] for r in skipped)
    results = [r for r in listed if r["status"] != "skipped"]
    assert len(results) > 250
    assert all(r["status"] == "rejected" and r["errors"] and r["errors"][0]["message"] for r in results)
    by_name = {Path(r["file"]).name: r["errors"][0]["code"] for r in results}
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    protected = re.search(r"\*\*Encrypted or password-protected\*\*.*?\n(.*?)\n", sources).group(1)
    names = re.findall(r"`([^`]+)`", protected)
    assert len(names) >= 15
    wrong = {n: by_name.get(n) for n in names if n in by_name and by_name[n] != "read.password"}
    # a sheet-protected (not encrypted) workbook opens fine and is then simply not a return
    wrong.pop("exceldatareader__protectedsheet-xxx.xls", None)
    assert not wrong, wrong
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(0,)]


def test_a_reader_worker_is_a_child_of_the_import_itself_with_its_ceiling(db_path, tmp_path):
    """A worker is a plain interpreter started by the importing process (no forkserver held beside
    it, no resource tracker), still a process of its own with its memory ceiling."""
    from shiwan.check.returns import recognize_and_check
    from shiwan.read.sandbox import MEMORY_LIMIT, ParsePool
    from shiwan.recognize import Context, Options
    from shiwan.ref.catalog import Catalog
    from shiwan.ref.units import UnitTree
    from shiwan.store.db import open_db

    with open_db(str(db_path)) as db:
        ctx = Context(Catalog.from_db(db), UnitTree.from_db(db))
    shutil.copy(RETURNS / "南岗区2003年6月.xls", tmp_path / "a.xls")
    with ParsePool(ctx, recognize_and_check, workers=1) as pool:
        next(pool.run([(str(tmp_path / "a.xls"), Options())]))
        pid = pool.slots[0].proc.pid
        stat = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        limits = Path(f"/proc/{pid}/limits").read_text()
    assert int(stat[1]) == os.getpid()
    assert re.search(rf"Max address space\s+{MEMORY_LIMIT}\s", limits), limits
