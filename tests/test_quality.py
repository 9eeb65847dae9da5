"""Issue 5: rules as data, month-to-month checks in every arrival order, reconciliation, outliers,
locks, history — all with real files through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli, query, snapshot
from helpers import sheet_rows


def county_return(path: Path, period_title: str, rows: list[tuple[str, object, object]], unit: str = "道里区",
                  footer: str = "") -> Path:
    """A hand-made county return: (indicator name, 本月, 本年累计) rows."""
    body = [["“十万行动”月报表"], [period_title], [f"填报单位:{unit}总工会"], ["序号", "指标名称", "计量单位", "本月", "本年累计"]]
    for n, (name, m, y) in enumerate(rows, 1):
        body.append([n, name, "人", m, y])
    if footer:
        body.append([footer])
    return sheet_rows(body, path)


def imp(cli, path, *extra):
    result = cli("import", path, *extra, "--json")
    return result.exit_code, json.loads(result.stdout)[0]


def test_rule_warning_is_stored_with_the_figure(cli, db_path, tmp_path):
    path = county_return(tmp_path / "a.xlsx", "2003年6月", [("实现再就业人数", 5, 30), ("基地安置人数", 6, 31)])
    code, r = imp(cli, path)
    assert code == 0 and r["warnings"][0]["cell"] == "D6"  # 本月 6 > 5 comes first
    stored = query(db_path, "SELECT f.warnings FROM figure f JOIN indicator i ON i.id = f.indicator_id "
                            "WHERE i.code = 'base_placed'")
    assert "base_placed_le_reemployed" in stored[0][0]


def test_rules_are_data_in_a_campaign_of_our_own(tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text('''
version = "test-1"
name = "测试指标"
[[indicator]]
code = "visits"
name = "走访困难职工户数"
unit = "户"
kind = "flow"
headline = true
[[indicator]]
code = "visits_helped"
name = "其中:帮扶户数"
aliases = ["帮扶户数"]
unit = "户"
kind = "flow"
[[rule]]
check = "visits_helped <= visits"
severity = "error"
message = "帮扶户数({part})不能多于走访户数({whole})"
message_en = "households helped ({part}) exceed households visited ({whole})"
''', encoding="utf-8")
    cli = Cli(tmp_path / "own.db")
    assert cli("init", "--catalog", catalog).exit_code == 0
    rows = [["鹤岗市总工会统计表"], ["(2010年1-3月)"], ["单位", "走访困难职工户数", "帮扶户数"], ["市本级", 10, 12]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "x.xlsx"))
    assert code == 1 and r["errors"][0]["cell"] == "C4" and "帮扶户数(12)不能多于走访户数(10)" in r["errors"][0]["message"]
    rows[-1] = ["市本级", 10, 8]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "y.xlsx"))
    assert code == 0 and r["new"] == 2


def test_chain_checked_when_month_arrives_after_its_predecessor(cli, db_path, tmp_path):
    assert imp(cli, county_return(tmp_path / "5.xlsx", "2003年5月", [("实现再就业人数", 10, 50)]))[0] == 0
    before = snapshot(db_path)
    code, r = imp(cli, county_return(tmp_path / "6.xlsx", "2003年6月", [("实现再就业人数", 8, 60)]))
    assert code == 1
    err = r["errors"][0]
    assert err["code"] == "check.chain_prev" and err["cell"] == "E5"
    assert "50" in err["message"] and "58" in err["message"] and "5.xlsx" in err["message"]
    assert snapshot(db_path) == before
    code, r = imp(cli, county_return(tmp_path / "6b.xlsx", "2003年6月", [("实现再就业人数", 10, 60)]))
    assert code == 0


def test_chain_checked_when_month_arrives_before_its_predecessor(cli, tmp_path):
    assert imp(cli, county_return(tmp_path / "6.xlsx", "2003年6月", [("实现再就业人数", 10, 60)]))[0] == 0
    code, r = imp(cli, county_return(tmp_path / "5.xlsx", "2003年5月", [("实现再就业人数", 10, 45)]))
    assert code == 1 and r["errors"][0]["code"] == "check.chain_next"
    assert "2003-06" in r["errors"][0]["message"] and "6.xlsx" in r["errors"][0]["message"]
    code, r = imp(cli, county_return(tmp_path / "5b.xlsx", "2003年5月", [("实现再就业人数", 10, 50)]))
    assert code == 0


def test_ytd_never_falls(cli, tmp_path):
    assert imp(cli, county_return(tmp_path / "4.xlsx", "2003年4月", [("实现再就业人数", 10, 50)]))[0] == 0
    # June (May missing): a lower year-to-date than April's
    code, r = imp(cli, county_return(tmp_path / "6.xlsx", "2003年6月", [("实现再就业人数", 5, 45)]))
    assert code == 1 and r["errors"][0]["code"] == "check.ytd_falls" and "2003-04" in r["errors"][0]["message"]


def test_revising_a_past_month_lists_the_later_months_it_contradicts(cli, db_path, tmp_path):
    for m, (a, b) in {5: (10, 50), 6: (10, 60), 7: (5, 65)}.items():
        assert imp(cli, county_return(tmp_path / f"{m}.xlsx", f"2003年{m}月", [("实现再就业人数", a, b)]))[0] == 0
    # May corrected upwards: June's 60 = May + 10 no longer holds; the revision goes in with a warning
    code, r = imp(cli, county_return(tmp_path / "5-fix.xlsx", "2003年5月", [("实现再就业人数", 12, 52)]))
    assert code == 0 and r["status"] == "revised"
    assert [w["code"] for w in r["warnings"]] == ["check.later_contradicted"]
    assert "2003-06" in r["warnings"][0]["message"]
    found = json.loads(cli("check", "--period", "2003-06", "--json").stdout)
    assert [f["code"] for f in found] == ["quality.chain"]
    assert cli("check", "--period", "2003-06").exit_code == 1
    # June revised to match: clean again
    assert imp(cli, county_return(tmp_path / "6-fix.xlsx", "2003年6月", [("实现再就业人数", 8, 60)]))[0] == 0
    assert json.loads(cli("check", "--period", "2003-06", "--json").stdout) == []


def test_reconciliation_lists_both_sources(cli, tmp_path):
    from helpers import city_summary

    city_summary(tmp_path / "哈尔滨.xlsx", [("市本级", 5, 30, 0, 0), ("道里区", 4, 20, 0, 0)],
                 title="哈尔滨市总工会统计表", reporter="填报单位:哈尔滨市总工会")
    county_return(tmp_path / "道里区2003年6月.xlsx", "(2003年6月)", [("实现再就业人数", 4, 22), ("职业培训人数", 0, 0)])
    assert cli("import", tmp_path).exit_code == 0
    result = cli("check", "--period", "2003-06", "--json")
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout) if f["code"] == "quality.reconcile"]
    assert len(found) == 1
    f = found[0]
    assert f["unit_code"] == "230102" and f["indicator"] == "reemployed"
    assert f["sources"] == ["道里区2003年6月.xlsx › Sheet1 › E5", "哈尔滨.xlsx › Sheet1 › D7"]
    assert "22" in f["message"] and "20" in f["message"]
    text = cli("check", "--period", "2003-06").stdout
    assert "道里区2003年6月.xlsx › Sheet1 › E5" in text and "哈尔滨.xlsx › Sheet1 › D7" in text


def test_outlier_is_a_warning_with_the_expected_range(cli, db_path, tmp_path):
    ytd = 0
    for m in range(1, 8):
        ytd += 30 + m % 3
        assert imp(cli, county_return(tmp_path / f"{m}.xlsx", f"2003年{m}月", [("实现再就业人数", 30 + m % 3, ytd)]))[0] == 0
    code, r = imp(cli, county_return(tmp_path / "8.xlsx", "2003年8月", [("实现再就业人数", 400, ytd + 400)]))
    assert code == 0 and r["status"] == "imported"
    w = r["warnings"][0]
    assert w["code"] == "check.outlier" and w["cell"] == "D5"
    assert "400" in w["message"] and "–" in w["message"]
    stored = query(db_path, "SELECT warnings FROM figure WHERE period = '2003-08'")[0][0]
    assert "check.outlier" in stored
    found = json.loads(cli("check", "--period", "2003-08", "--json").stdout)
    assert [f["code"] for f in found] == ["quality.outlier"] and found[0]["severity"] == "warning"
    assert cli("check", "--period", "2003-08").exit_code == 0  # warnings only


def test_locked_month_refuses_import_and_revert(cli, db_path, tmp_path):
    first = county_return(tmp_path / "a.xlsx", "2003年6月", [("实现再就业人数", 10, 60)])
    code, r = imp(cli, first)
    import_id = r["import_id"]
    assert cli("period", "lock", "2003-06").exit_code == 0
    assert cli("period", "lock", "2003-06").exit_code == 1
    before = snapshot(db_path)
    code, r = imp(cli, county_return(tmp_path / "b.xlsx", "2003年6月", [("实现再就业人数", 11, 61)]))
    assert code == 1 and r["errors"][0]["code"] == "import.locked" and "2003-06" in r["errors"][0]["message"]
    # the identical file is still just unchanged
    assert imp(cli, first)[1]["status"] == "unchanged"
    result = cli("imports", "revert", str(import_id))
    assert result.exit_code == 1 and "2003-06" in result.output
    assert snapshot(db_path) == before
    listing = json.loads(cli("period", "list", "--format", "json").stdout)
    assert [x["action"] for x in listing] == ["lock"] and listing[0]["user"] and listing[0]["done_at"]
    assert cli("period", "unlock", "2003-06").exit_code == 0
    assert imp(cli, county_return(tmp_path / "c.xlsx", "2003年6月", [("实现再就业人数", 11, 61)]))[0] == 0
    assert [x["action"] for x in json.loads(cli("period", "list", "--format", "json").stdout)] == ["lock", "unlock"]


def test_history_of_a_figure_revised_twice(cli, tmp_path):
    ids = []
    for n, (m, y) in enumerate([(10, 60), (11, 61), (12, 62)]):
        code, r = imp(cli, county_return(tmp_path / f"v{n}.xlsx", "2003年6月", [("实现再就业人数", m, y)]))
        assert code == 0
        ids.append(r["import_id"])
    rows = json.loads(cli("history", "--unit", "230102", "-i", "reemployed", "--format", "json").stdout)
    assert [(r["ytd"], r["import_id"], r["state"], r["replaced_by"]) for r in rows] == [
        (60.0, ids[0], "revised", ids[1]), (61.0, ids[1], "revised", ids[2]), (62.0, ids[2], "current", None)]
    assert all(r["file"].startswith("v") and r["ytd_cell"] == "E5" and r["user"] for r in rows)
    text = cli("history", "--unit", "230102").stdout
    assert "v0.xlsx › Sheet1 › E5" in text


@pytest.mark.slow
def test_demo_runs_and_check_finds_no_false_alarms(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shiwan.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "--dir", "d"])
    assert result.exit_code == 0, result.output
    assert "黑龙江省“十万行动”进展情况统计表" in result.stdout and "合计" in result.stdout
    cli = Cli(tmp_path / "d" / "shiwan-demo.db")
    for m in range(1, 7):
        found = json.loads(cli("check", "--period", f"2003-0{m}", "--json").stdout)
        assert found == [], found[:3]
    files = list((tmp_path / "d" / "returns").rglob("*.xlsx"))
    assert len(files) > 100
    logged = query(tmp_path / "d" / "shiwan-demo.db", "SELECT status, COUNT(*) FROM import_log GROUP BY status")
    assert dict(logged) == {"imported": len(files)}
    # running it again starts afresh; a folder it did not make is left alone
    assert CliRunner().invoke(app, ["demo", "--dir", "d", "--months", "2"]).exit_code == 0
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    assert CliRunner().invoke(app, ["demo", "--dir", "mine"]).exit_code == 2
    assert (tmp_path / "mine" / "keep.txt").exists()
