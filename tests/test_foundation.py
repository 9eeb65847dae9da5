"""Issue 2: template -> fill -> import -> export, revisions, refusals, progress by hand."""

from __future__ import annotations

import csv
import io
import json

import pytest

from shiwan.ref.catalog import Catalog
from shiwan.render.templates import template_cells
from shiwan.store.db import open_db

from conftest import query, snapshot
from helpers import city_summary, fill


def export_rows(cli, period: str, unit: str | None = None) -> list[dict]:
    args = ["export", "--period", period, "--format", "csv"]
    if unit:
        args += ["--unit", unit]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))


def county_cells(db_path) -> dict:
    with open_db(str(db_path)) as db:
        cat = Catalog.from_db(db)
    return {(code, slot): ref for (_, code, slot), ref in template_cells(cat, "county").items()}


def test_template_fill_import_export_shows_source_cells(cli, db_path, tmp_path):
    tpl = tmp_path / "daoli.xlsx"
    assert cli("template", "county", "--unit", "230102", "--period", "2003-06", "-o", tpl).exit_code == 0
    cells = county_cells(db_path)
    fill(tpl, {cells[("reemployed", "month")]: 12, cells[("reemployed", "ytd")]: 80,
               cells[("fund_amount", "month")]: 1.25, cells[("fund_amount", "ytd")]: 6.5,
               cells[("bases", "ytd")]: 2})
    result = cli("import", tpl, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary[0]["status"] == "imported"
    assert summary[0]["unit_code"] == "230102" and summary[0]["period"] == "2003-06"
    rows = {r["indicator"]: r for r in export_rows(cli, "2003-06")}
    assert rows["reemployed"]["month"] == "12" and rows["reemployed"]["ytd"] == "80"
    assert rows["reemployed"]["cell"] == cells[("reemployed", "ytd")]
    assert rows["reemployed"]["file"] == "daoli.xlsx"
    assert rows["reemployed"]["sheet"] == "月报表"
    assert rows["fund_amount"]["ytd"] == "6.5" and rows["fund_amount"]["month"] == "1.25"
    assert rows["bases"]["ytd"] == "2" and rows["bases"]["month"] == ""
    # blank cells of a template are zeros the clerk reported
    assert rows["trained"]["ytd"] == "0"
    assert all(r["unit_code"] == "230102" for r in rows.values())
    assert len(rows) == 24  # 19 indicators and the 5 breakdowns (其中) the template has rows for
    assert rows["reemployed.female"]["ytd"] == "0"


def test_same_file_again_is_unchanged_and_writes_nothing(cli, db_path, tmp_path):
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    assert cli("import", path).exit_code == 0
    before = snapshot(db_path, log=True)
    result = cli("import", path, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["status"] == "unchanged"
    assert snapshot(db_path, log=True) == before


def test_changed_file_is_a_revision_with_history(cli, db_path, tmp_path):
    first = city_summary(tmp_path / "a" / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    second = city_summary(tmp_path / "b" / "鹤岗.xlsx", [("市本级", 6, 31, 1, 4), ("向阳区", 3, 20, 0, 2)])
    assert cli("import", first).exit_code == 0
    result = cli("import", second, "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)[0]
    assert out["status"] == "revised"
    assert out["changed"] == 1 and out["unchanged"] == 3 and out["new"] == 0
    rows = {(r["unit_code"], r["indicator"]): r for r in export_rows(cli, "2003-06")}
    assert rows[("230400", "reemployed")]["ytd"] == "31"
    hist = query(db_path, "SELECT h.month, h.ytd, h.action FROM figure_history h JOIN unit u ON u.id = h.unit_id "
                          "JOIN indicator i ON i.id = h.indicator_id WHERE u.code = '230400' AND i.code = 'reemployed'")
    assert hist == [(5.0, 30.0, "revised")]


def test_text_in_number_cell_refuses_file_and_names_cell(cli, db_path, tmp_path):
    before = snapshot(db_path)
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, "12o", 0, 2)], total=(8, 42, 1, 6))
    result = cli("import", path)
    assert result.exit_code == 1
    assert "鹤岗.xlsx › Sheet1 › D7" in result.stdout
    assert "12o" in result.stdout
    assert snapshot(db_path) == before
    js = json.loads(cli("import", path, "--json").stdout)[0]
    assert js["status"] == "rejected"
    assert {"sheet": "Sheet1", "cell": "D7"}.items() <= js["errors"][0].items()


def test_total_that_does_not_add_up_is_refused(cli, db_path, tmp_path):
    before = snapshot(db_path)
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)], total=(8, 51, 1, 6))
    result = cli("import", path, "--json")
    assert result.exit_code == 1
    err = json.loads(result.stdout)[0]["errors"]
    assert [(e["cell"], e["code"]) for e in err] == [("D8", "check.total_mismatch")]
    assert "51" in err[0]["message"] and "50" in err[0]["message"]
    assert snapshot(db_path) == before


def test_formula_without_saved_value_is_an_error_saying_how_to_fix(cli, db_path, tmp_path):
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    fill(path, {"D6": "=10+20"})
    result = cli("import", path, "--json")
    assert result.exit_code == 1
    err = json.loads(result.stdout)[0]["errors"][0]
    assert err["cell"] == "D6" and err["code"] == "read.formula_no_value"
    assert "Excel" in err["message"] and "保存" in err["message"]


def test_filled_city_template_total_formulas_and_subtree(cli, db_path, tmp_path):
    tpl = tmp_path / "hegang.xlsx"
    assert cli("template", "city", "--unit", "230400", "--period", "2003-06", "-o", tpl).exit_code == 0
    with open_db(str(db_path)) as db:
        cat = Catalog.from_db(db)
        from shiwan.ref.units import UnitTree

        tree = UnitTree.from_db(db).at("2003-06")
        members = [tree.by_code["230400"], *tree.children(tree.by_code["230400"].id)]
    cells = template_cells(cat, "city", members)
    fill(tpl, {cells[("230400", "reemployed", "month")]: 5, cells[("230400", "reemployed", "ytd")]: 30,
               cells[("230402", "reemployed", "month")]: 3, cells[("230402", "reemployed", "ytd")]: 20})
    result = cli("import", tpl, "--json")
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)[0]
    assert out["status"] == "imported" and out["form"] == "city" and out["unit_code"] == "230400"
    # 本级 and 向阳区 reported (their blank cells are zeros); the 7 counties left wholly blank did not
    # report in this file: nothing is stored for them, and each is named in a warning
    assert out["new"] == 2 * 24  # 19 indicators and 5 breakdowns each
    blank = [w for w in out["warnings"] if w["code"] == "layout.not_reported_row"]
    assert len(blank) == 7 and all(w["cell"] for w in blank)
    rows = {(r["unit_code"], r["indicator"]): r for r in export_rows(cli, "2003-06", "230400")}
    assert rows[("230402", "reemployed")]["ytd"] == "20"
    assert rows[("230402", "reemployed")]["cell"] == cells[("230402", "reemployed", "ytd")]


def test_progress_by_hand(cli, db_path, tmp_path):
    # 哈尔滨: 本级 100 + 道里区 290 = 390 of 7,800 -> 5.0%; 鹤岗: 本级 45 + 向阳区 30 = 75 of 1,500 -> 5.0% (tie)
    # 鸡西: 63 of 2,100 -> 3.0%. Time progress June = 50%.
    city_summary(tmp_path / "in" / "哈尔滨.xlsx", [("市本级", 10, 100, 0, 0), ("道里区", 20, 290, 0, 0)],
                 title="哈尔滨市总工会统计表", reporter="填报单位:哈尔滨市总工会")
    city_summary(tmp_path / "in" / "鹤岗.xlsx", [("市本级", 5, 45, 0, 0), ("向阳区", 3, 30, 0, 0)])
    city_summary(tmp_path / "in" / "鸡西.xlsx", [("市本级", 7, 63, 0, 0)], title="鸡西市总工会统计表",
                 reporter="填报单位:鸡西市总工会")
    assert cli("import", tmp_path / "in").exit_code == 0
    result = cli("report", "progress", "--period", "2003-06", "--indicator", "reemployed", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["unit_code"] + r["row_type"]: r for r in json.loads(result.stdout)}
    hrb, hg, jx = rows["230100unit"], rows["230400unit"], rows["230300unit"]
    assert (hrb["ytd"], hrb["target"], hrb["completion"]) == (390, 7800, 0.05)
    assert (hg["ytd"], hg["target"], hg["completion"]) == (75, 1500, 0.05)
    assert (jx["ytd"], jx["completion"]) == (63, 0.03)
    assert hrb["time_progress"] == 0.5 and hrb["gap_pp"] == pytest.approx(-45.0)
    assert jx["gap_pp"] == pytest.approx(-47.0)
    assert (hrb["rank"], hg["rank"], jx["rank"]) == (1, 1, 3)
    assert hrb["month"] == 30 and hg["month"] == 8
    # a city without figures: no completion, no rank; a target still shows
    qqhr = rows["230200unit"]
    assert qqhr["ytd"] is None and qqhr["completion"] is None and qqhr["rank"] is None and qqhr["target"] == 3900
    total = rows["230000total"]
    assert total["ytd"] == 390 + 75 + 63 and total["target"] == 30000
    assert total["completion"] == pytest.approx(528 / 30000, abs=1e-6)
    # a city's report lists 市本级 and its counties, and the total includes 本级
    city = {r["unit_name"] + r["row_type"]: r for r in json.loads(
        cli("report", "progress", "--period", "2003-06", "--under", "230400", "-i", "reemployed", "-f", "json").stdout)}
    assert city["鹤岗市own"]["ytd"] == 45 and city["向阳区unit"]["ytd"] == 30 and city["鹤岗市total"]["ytd"] == 75
    assert city["工农区unit"]["ytd"] is None


def test_progress_table_shows_dash_for_missing_target(cli, tmp_path):
    city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 45, 0, 0), ("向阳区", 3, 30, 0, 0)])
    cli("import", tmp_path / "鹤岗.xlsx")
    out = cli("report", "progress", "--under", "230400", "-i", "reemployed").stdout
    line = next(x for x in out.splitlines() if x.startswith("向阳区"))
    name, reported, month, ytd, target, completion, *_ = line.split()
    assert reported == "1/1"  # 鹤岗市's other counties did not report: the table says how many did
    assert (month, ytd, target, completion) == ("3", "30", "—", "—")
    assert "(2003年1-6月)" in out


def test_export_json_and_missing_indicator_is_not_zero(cli, tmp_path):
    city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 45, 0, 0)])
    cli("import", tmp_path / "鹤岗.xlsx")
    result, rows = cli.json("export", "--period", "2003-06", "--format", "json")
    assert {r["indicator"] for r in rows} == {"reemployed", "trained"}
    assert set(rows[0]) == {"unit_code", "unit_name", "indicator", "period", "month", "ytd", "file", "sheet",
                            "cell", "import_id"}
