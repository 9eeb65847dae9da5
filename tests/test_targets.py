"""Issue 6: campaigns as data, target allocation sheets, and an assessment computed by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from shiwan.demo.samples import write_city_summary
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store.db import open_db

from conftest import Cli, query
from helpers import sheet_rows

UNITS = """code,name,level,parent_code
990000,测试省,province,
990100,甲市,city,990000
990101,甲一县,county,990100
990200,乙市,city,990000
990201,乙一县,county,990200
990300,丙市,city,990000
"""

CAMPAIGN = """
[campaign]
code = "test"
name = "测试行动"
unit = "990000"
start = "2003-01"
end = "2003-12"
indicator = "reemployed"
target = 3000
checklist = ["bases", "markets", "entities"]
"""

SCHEME = """
name = "测试考核办法"
cap = 1.0
[[item]]
indicator = "reemployed"
weight = 60
[[item]]
indicator = "trained"
weight = 40
[bonus]
checklist = 2
[deductions]
late = 1
missing = 3
refused = 0.5
max = 4
[bands]
excellent = 90
pass = 75
"""


@pytest.fixture
def province(tmp_path) -> Cli:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(CAMPAIGN, encoding="utf-8")
    cli = Cli(tmp_path / "test.db")
    assert cli("init", "--units", tmp_path / "units.csv").exit_code == 0
    assert cli("campaign", "load", tmp_path / "campaign.toml").exit_code == 0
    return cli


def allocation_sheet(path: Path, rows: list[list[object]], title: str = "测试省2003年“测试行动”目标任务分解表") -> Path:
    return sheet_rows([[title], ["填报单位:测试省总工会"], ["序号", "单位", "实现再就业人数目标(人)", "职业培训任务(人)"],
                       *rows, [], ["说明:合计为全省目标"]], path)


def targets(db: Path, year: int = 2003) -> dict[tuple[str, str], float]:
    rows = query(db, "SELECT u.code, i.code, t.value FROM target t JOIN unit u ON u.id = t.unit_id "
                     "JOIN indicator i ON i.id = t.indicator_id WHERE t.year = ?", (year,))
    return {(u, i): v for u, i, v in rows}


def test_campaign_list_and_show(province):
    rows = json.loads(province("campaign", "list", "--format", "json").stdout)
    assert [(r["campaign"], r["start"], r["end"], r["indicator"], r["default"]) for r in rows] == [
        ("test", "2003-01", "2003-12", "reemployed", True)]
    info = json.loads(province("campaign", "show", "--format", "json").stdout)
    assert info["total_target"] == 3000 and info["checklist"] == ["bases", "markets", "entities"]
    assert province("campaign", "show", "nope").exit_code == 1


def test_default_campaign_is_shiwan(cli):
    info = json.loads(cli("campaign", "show", "--format", "json").stdout)
    assert (info["campaign"], info["months"], info["total_target"], info["illustrative"]) == ("shiwan", 36, 100000, True)
    assert info["targets_of_unit"]["campaign"]["reemployed"] == 100000
    assert info["assessment"]["items"][0] == ["reemployed", 50.0]


def test_import_allocation_sheet(province, tmp_path):
    path = allocation_sheet(tmp_path / "分解表.xlsx", [[None, "合计", 3000, 1500], [1, "甲市", 1000, 500],
                                                      [2, "乙市总工会", 1000, 500], [3, "丙市", 900, 500]])
    result = province("targets", "import", path, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["status"], out["unit_code"], out["year"], out["added"]) == ("imported", "990000", 2003, 8)
    assert targets(province.db) == {
        ("990000", "reemployed"): 3000, ("990000", "trained"): 1500, ("990100", "reemployed"): 1000,
        ("990100", "trained"): 500, ("990200", "reemployed"): 1000, ("990200", "trained"): 500,
        ("990300", "reemployed"): 900, ("990300", "trained"): 500}
    warns = out["warnings"]
    assert [w["code"] for w in warns] == ["targets.under"] and "100" in warns[0]["message"]
    # fixing one target clears the warning
    result = province("targets", "set", "990300", "reemployed", "2003", "1000")
    assert result.exit_code == 0 and "少分解" not in result.output
    listing = json.loads(province("targets", "list", "--year", "2003", "--format", "json").stdout)
    assert len(listing) == 8 and {r["value"] for r in listing if r["unit_code"] == "990300"} == {1000, 500}
    # over-allocation is reported too
    result = province("targets", "set", "990300", "trained", "2003", "600")
    assert "超出 100" in result.output
    assert "超出" in province("targets", "list").output


def test_allocation_sheet_is_all_or_nothing(province, tmp_path):
    path = allocation_sheet(tmp_path / "bad.xlsx", [[None, "合计", 3000, 1500], [1, "甲市", "一千", 500], [2, "丁市", 10, 10]])
    result = province("targets", "import", path, "--json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {(e["cell"], e["code"]) for e in errors} == {("C5", "value.not_number"), ("B6", "layout.unit_outside")} or \
        {(e["cell"], e["code"]) for e in errors} == {("C5", "value.not_number"), ("B6", "layout.unknown_unit")}
    assert targets(province.db) == {}


def test_allocation_year_from_option_and_campaign_total(province, tmp_path):
    path = allocation_sheet(tmp_path / "t.xlsx", [[1, "甲市", 1000, 500]], title="目标任务分解表")
    assert json.loads(province("targets", "import", path, "--json").stdout)["errors"][0]["code"] == "targets.no_year"
    assert province("targets", "import", path, "--year", "2003").exit_code == 0
    assert targets(province.db)[("990100", "reemployed")] == 1000
    total = allocation_sheet(tmp_path / "c.xlsx", [[1, "甲市", 1000, 500]], title="测试省“测试行动”全程目标(2003-2003年)")
    assert province("targets", "import", total).exit_code == 0
    assert targets(province.db, 0)[("990100", "reemployed")] == 1000
    conflict = allocation_sheet(tmp_path / "d.xlsx", [[1, "甲市", 1000, 500]])
    assert json.loads(province("targets", "import", conflict, "--year", "2004", "--json").stdout)["errors"][0]["code"] \
        == "targets.year_conflict"


def test_targets_template_and_export_round_trip(province, tmp_path):
    province("targets", "set", "990000", "reemployed", "2003", "3000")
    tpl = tmp_path / "blank.xlsx"
    assert province("template", "targets", "--year", "2003", "-o", tpl).exit_code == 0
    ws = openpyxl.load_workbook(tpl).worksheets[0]
    assert [ws.cell(r, 2).value for r in range(4, 8)] == ["合计", "甲市", "乙市", "丙市"]
    assert "2003" in ws["A1"].value
    ws.cell(5, 3, 1200)
    ws.parent.save(tpl)
    assert province("targets", "import", tpl).exit_code == 0
    assert targets(province.db)[("990100", "reemployed")] == 1200
    out = tmp_path / "export.xlsx"
    assert province("targets", "export", "--year", "2003", "-o", out).exit_code == 0
    again = json.loads(province("targets", "import", out, "--json").stdout)
    assert again["status"] == "unchanged" and again["unchanged"] == 2
    csv_text = province("targets", "export", "--year", "2003").stdout
    assert csv_text.startswith("\ufeffcampaign,unit_code")


def test_assessment_by_hand(province, tmp_path):
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(SCHEME, encoding="utf-8")
    for code in ("990100", "990200", "990300"):
        province("targets", "set", code, "reemployed", "2003", "1000")
        province("targets", "set", code, "trained", "2003", "500")
    with open_db(str(province.db)) as db:
        tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    inds = [cat.by_code[c] for c in ("reemployed", "trained", "bases", "markets", "entities")]

    def send(city: str, period: str, figs: dict, sent: date) -> None:
        c = tree.by_code[city]
        members = [u for u in [c, *tree.children(c.id)] if u.code in figs]
        path = tmp_path / f"{city}_{period}.xlsx"
        write_city_summary(path, c, members, period, figs, inds, submitted=sent)
        out = json.loads(province("import", path, "--json").stdout)[0]
        assert out["status"] == "imported", out

    stocks = {"bases": (None, 1), "markets": (None, 1), "entities": (None, 1)}
    # 甲: Feb ytd 167 of 1,000 re-employed, 50 of 500 trained; all on time; all three built
    send("990100", "2003-01", {"990100": {"reemployed": (50, 50), "trained": (10, 10), **stocks},
                               "990101": {"reemployed": (33, 33), "trained": (15, 15)}}, date(2003, 2, 3))
    send("990100", "2003-02", {"990100": {"reemployed": (50, 100), "trained": (10, 20), **stocks},
                               "990101": {"reemployed": (34, 67), "trained": (15, 30)}}, date(2003, 3, 4))
    # 丙: the same figures, no county
    send("990300", "2003-01", {"990300": {"reemployed": (83, 83), "trained": (25, 25), **stocks}}, date(2003, 2, 3))
    send("990300", "2003-02", {"990300": {"reemployed": (84, 167), "trained": (25, 50), **stocks}}, date(2003, 3, 4))
    # 乙: January missing, February late, one refused file, only a base
    send("990200", "2003-02", {"990200": {"reemployed": (10, 60), "trained": (20, 60), "bases": (None, 1),
                                          "markets": (None, 0), "entities": (None, 0)},
                               "990201": {"reemployed": (10, 40), "trained": (20, 40)}}, date(2003, 3, 8))
    bad = sheet_rows([["乙市总工会统计表"], ["2003年2月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
                      ["市本级", "x", 60]], tmp_path / "乙市_bad.xlsx", merges=["B3:C3"])
    assert province("import", bad).exit_code == 1

    rows = json.loads(province("report", "assessment", "--year", "2003", "--as-of", "2003-02", "--scheme", scheme,
                               "--format", "json").stdout)
    summary = {r["unit_code"]: r for r in rows if r["section"] == "summary"}
    jia, yi, bing = summary["990100"], summary["990200"], summary["990300"]
    # time progress 2/12: 167/1000 = 16.7% counts 100.2%, capped at 100% -> 60; 50/500 = 10% counts 60% -> 24
    assert (jia["reemployed_score"], jia["trained_score"], jia["bonus"], jia["deduction"], jia["total"]) == (60, 24, 6, 0, 90)
    assert (bing["total"], bing["rank"], jia["rank"]) == (90, 1, 1)
    assert (jia["band"], bing["band"]) == ("excellent", "excellent")
    # 乙: 100/1000 -> 60% -> 36; 100/500 = 20% -> 120% capped -> 40; base 76; bonus 2;
    # deductions 3 (January missing) + 1 (February late) + 0.5 (refused) = 4.5, capped at 4 -> 74
    assert (yi["reemployed_score"], yi["trained_score"], yi["bonus"]) == (36, 40, 2)
    assert (yi["missing_months"], yi["late_months"], yi["refused_files"], yi["deduction"]) == (1, 1, 1, 4)
    assert (yi["total"], yi["rank"], yi["band"]) == (74, 3, "fail")
    detail = [r for r in rows if r["section"] == "detail" and r["unit_code"] == "990200"]
    assert [d["item"] for d in detail] == ["reemployed", "trained", "bonus_checklist", "deductions"]
    assert [d["score"] for d in detail] == [36, 40, 2, -4]
    assert all(d["method"] for d in detail)
    # the printed 考核评分表
    out = tmp_path / "考核.xlsx"
    assert province("report", "assessment", "--year", "2003", "--as-of", "2003-02", "--scheme", scheme, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.title == "考核评分表" and "评分表" in ws["A1"].value
    assert wb.sheetnames == ["考核评分表", "评分明细", "图表"]  # the breakdown on a sheet of its own widths
    texts = [c for s in wb.worksheets for row in s.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "计分方法" in texts and "优秀" in texts and "不达标" in texts
    text = province("report", "assessment", "--year", "2003", "--as-of", "2003-02", "--scheme", scheme).stdout
    assert "74.00" in text and "90.00" in text


def test_bad_scheme_is_a_clear_error(province, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[item]]\nindicator = "reemployed"\nweight = 60\n', encoding="utf-8")
    result = province("report", "assessment", "--year", "2003", "--scheme", bad)
    assert result.exit_code == 1 and "100" in result.output and "Traceback" not in result.output


def test_targets_set_refuses_bad_values_clearly(province):
    for bad in ("abc", "1.555", "", "-5"):
        ind = "fund_amount" if bad == "1.555" else "reemployed"
        result = province("targets", "set", "990100", ind, "2003", "--", bad) if bad.startswith("-") else \
            province("targets", "set", "990100", ind, "2003", bad)
        assert result.exit_code == 2, (bad, result.output)
        assert "Traceback" not in result.output and "程序内部错误" not in result.output
        assert "{" not in result.output.split("Usage")[0]  # a message with its placeholders filled
    assert province("targets", "set", "990100", "reemployed", "20o3", "5").exit_code == 2
    assert targets(province.db) == {}


def test_allocation_sheet_with_too_many_decimals(province, tmp_path):
    path = sheet_rows([["测试省2003年目标任务分解表"], ["单位", "扶持资金(万元)"], ["甲市", 1.555]], tmp_path / "m.xlsx")
    result = province("targets", "import", path, "--json")
    assert result.exit_code == 1
    err = json.loads(result.stdout)["errors"][0]
    assert (err["cell"], err["code"]) == ("B3", "value.decimals") and "2" in err["message"]


@pytest.mark.parametrize("text,fragment", [
    ('[campaign]\ncode="x"\nname="x"\nunit="990000"\nstart="2003-01"\nend="2003-12"\nindicator="reemployed"\ntarget="很多"\n', "target"),
    ('[campaign]\ncode="x"\nname="x"\nunit="990000"\nstart="2003-01"\nend="2003-12"\nindicator="reemployed"\ntarget=5\n'
     '[targets]\n2004 = 5\n', "targets.2004"),
    ('[campaign]\ncode="x"\nname="x"\nunit="990000"\nstart="2003-01"\nend="2003-12"\nindicator="reemployed"\ntarget=5\n'
     'checklist="bases"\n', "checklist"),
    ('[campaign]\ncode="x"\nname="x"\nunit="990000"\nstart="2003-13"\nend="2003-12"\nindicator="reemployed"\ntarget=5\n', "start"),
])
def test_bad_campaign_files_are_clear_errors(province, tmp_path, text, fragment):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    result = province("campaign", "load", path)
    assert result.exit_code == 1 and fragment in result.output and "Traceback" not in result.output
    assert "程序内部错误" not in result.output


def test_a_refused_file_tried_again_counts_once(province, tmp_path):
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(SCHEME, encoding="utf-8")
    bad = sheet_rows([["甲市总工会统计表"], ["2003年1月"], ["单位", "实现再就业人数"], ["市本级", "x"]], tmp_path / "bad.xlsx")
    for _ in range(3):
        assert province("import", bad).exit_code == 1
    rows = json.loads(province("report", "assessment", "--year", "2003", "--as-of", "2003-01", "--scheme", scheme,
                               "--format", "json").stdout)
    jia = next(r for r in rows if r["section"] == "summary" and r["unit_code"] == "990100")
    assert jia["refused_files"] == 1
