"""The portable path: the same flows through SQLAlchemy Core instead of sqlite3.

On SQLite with `SHIWAN_DB_BACKEND=sqlalchemy`; in a run on PostgreSQL (`SHIWAN_TEST_PG`, see
conftest.py) on a new database of the test server, from `shiwan init` on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import PG, Cli

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
@pytest.fixture(params=["postgresql" if PG else "sqlite-sqlalchemy"])
def portable(request, new_db, monkeypatch) -> Cli:
    if not PG:
        monkeypatch.setenv("SHIWAN_DB_BACKEND", "sqlalchemy")
    cli = Cli(new_db("sa.db"))
    assert cli("init").exit_code == 0
    return cli


def test_the_month_on_the_portable_path(portable, tmp_path):
    cli = portable
    mail = tmp_path / "mail"
    mail.mkdir()
    for name in ("哈尔滨市2003年6月.xls", "南岗区2003年6月.xls", "鹤岗市_2003-05.ods", "道里区_2003-06.csv",
                 "坏单元格_鹤岗市2003年6月.xls"):
        shutil.copy(FIXTURES / name, mail / name)
    result = cli("import", mail, "--json")
    out = {Path(r["file"]).name: r for r in json.loads(result.stdout)}
    assert result.exit_code == 1
    assert out["坏单元格_鹤岗市2003年6月.xls"]["status"] == "rejected"
    assert sum(1 for r in out.values() if r["status"] == "imported") == 4
    # the same again: unchanged, nothing written
    before = json.loads(cli("imports", "list", "--format", "json").stdout)
    again = json.loads(cli("import", mail / "哈尔滨市2003年6月.xls", "--json").stdout)[0]
    assert again["status"] == "unchanged"
    assert json.loads(cli("imports", "list", "--format", "json").stdout) == before
    rows = json.loads(cli("export", "--period", "2003-06", "--unit", "230100", "--format", "json").stdout)
    assert {r["unit_code"] for r in rows} >= {"230100", "230102", "230103"}
    prog = json.loads(cli("report", "progress", "--period", "2003-06", "-i", "reemployed", "-f", "json").stdout)
    hrb = next(r for r in prog if r["unit_code"] == "230100" and r["row_type"] == "unit")
    assert hrb["target"] == 7800 and hrb["ytd"] is not None
    for report in ("campaign", "completeness", "checklist", "trend"):
        assert cli("report", report, "--format", "json").exit_code == 0, report
    assert cli("report", "assessment", "--year", "2003", "--format", "json").exit_code == 0
    checked = cli("check", "--period", "2003-06", "--json")  # an internal error fails in Cli itself
    assert checked.exit_code == (1 if any(p["severity"] == "error" for p in json.loads(checked.stdout)) else 0)
    # lock, revert refused, unlock, revert
    first = out["哈尔滨市2003年6月.xls"]["import_id"]
    assert cli("period", "lock", "2003-06").exit_code == 0
    assert cli("imports", "revert", str(first)).exit_code == 1
    assert cli("period", "unlock", "2003-06").exit_code == 0
    assert cli("imports", "revert", str(first)).exit_code == 0
    history = json.loads(cli("history", "--unit", "230100", "-i", "reemployed", "--format", "json").stdout)
    assert [h["state"] for h in history] == ["reverted"]
    assert cli("targets", "set", "230100", "reemployed", "2003", "8000").exit_code == 0
    listed = json.loads(cli("targets", "list", "--year", "2003", "--format", "json").stdout)
    assert any(r["unit_code"] == "230100" and r["indicator"] == "reemployed" and r["value"] == 8000 for r in listed)
