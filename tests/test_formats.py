"""Issue 3: every format and layout of the committed fixtures, with the exact figures stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import query, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
GOOD = [name for name, e in EXPECTED.items() if e["status"] == "imported"]
BAD = [name for name, e in EXPECTED.items() if e["status"] == "rejected"]
REASON_CODES = {"truncated": "read.truncated", "empty": "read.empty_file", "not_spreadsheet": "read.not_spreadsheet"}


def stored(db: Path) -> set[tuple]:
    rows = query(db, "SELECT u.code, i.code, f.month, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id "
                     "JOIN indicator i ON i.id = f.indicator_id")
    return {(u, i, m, y) for u, i, m, y in rows}


def expected_figures(name: str) -> set[tuple]:
    return {(f["unit"], f["indicator"], None if f["month"] is None else float(f["month"]),
             None if f["ytd"] is None else float(f["ytd"])) for f in EXPECTED[name]["figures"]}


@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_stores_exact_figures(cli, db_path, tmp_path, name):
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    result = cli("import", path, "--json")
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)[0]
    exp = EXPECTED[name]
    assert (out["status"], out["unit_code"], out["period"]) == ("imported", exp["unit"], exp["period"]), out
    assert stored(db_path) == expected_figures(name)


@pytest.mark.parametrize("name", BAD)
def test_bad_fixture_is_refused_and_names_the_cell(cli, db_path, tmp_path, name):
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    before = snapshot(db_path)
    result = cli("import", path, "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)[0]
    exp = EXPECTED[name]
    assert out["status"] == "rejected"
    if exp.get("reason"):
        assert [e["code"] for e in out["errors"]] == [REASON_CODES[exp["reason"]]]
    else:
        assert sorted(e["cell"] for e in out["errors"]) == sorted(exp["error_cells"])
        assert (out["unit_code"], out["period"]) == (exp["unit"], exp["period"])
    assert all(e["message"] for e in out["errors"])
    assert snapshot(db_path) == before
    human = cli("import", path).stdout
    assert "Traceback" not in human and name in human


def test_whole_fixture_folder_in_one_run(cli, db_path, tmp_path):
    folder = tmp_path / "mail"
    shutil.copytree(FIXTURES, folder)
    (folder / "expected.json").unlink()
    (folder / "cover letter.docx").write_bytes(b"PK\x03\x04 not really")
    result = cli("import", folder, "--json")
    assert result.exit_code == 1
    out = {Path(r["file"]).name: r for r in json.loads(result.stdout)}
    # the .docx is not a spreadsheet suffix: passed over, and listed so with the reason
    assert set(out) == set(EXPECTED) | {"cover letter.docx"}
    assert (out["cover letter.docx"]["status"], out["cover letter.docx"]["reason"]) == ("skipped", "extension")
    for name in GOOD:
        assert out[name]["status"] == "imported", out[name]
    for name in BAD:
        assert out[name]["status"] == "rejected"
    want = set().union(*(expected_figures(n) for n in GOOD))
    assert stored(db_path) == want


def test_submitted_date_is_kept(cli, db_path, tmp_path):
    path = tmp_path / "哈尔滨市2003年6月.xls"
    shutil.copy(FIXTURES / path.name, path)
    out = json.loads(cli("import", path, "--json").stdout)[0]
    assert out["submitted_on"] == "2003-07-04"
    assert query(db_path, "SELECT submitted_on FROM import_log WHERE status = 'imported'") == [("2003-07-04",)]


def test_county_return_agrees_with_city_summary(cli, db_path, tmp_path):
    for name in ("哈尔滨市2003年6月.xls", "南岗区2003年6月.xls"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    result = cli("import", tmp_path, "--json")
    assert result.exit_code == 0
    # both channels are kept; export shows the county's own return where it has the indicator,
    # and the city summary's row for the indicators only the summary has
    rows = json.loads(cli("export", "--period", "2003-06", "--unit", "230103", "--format", "json").stdout)
    src = {r["indicator"]: r["file"] for r in rows}
    assert src["reemployed"] == src["referrals"] == src["agencies"] == "南岗区2003年6月.xls"
    assert src["bases"] == "哈尔滨市2003年6月.xls"
    channels = query(db_path, "SELECT DISTINCT f.channel FROM figure f JOIN unit u ON u.id = f.unit_id WHERE u.code = '230103'")
    assert sorted(channels) == [(0,), (1,)]
