"""Issue 10: 其中 breakdowns — stored like any figure, checked against their whole (in the file and
against what is stored) and month to month, shown in export, progress and the xlsx."""

from __future__ import annotations

import json

import openpyxl

from conftest import query
from helpers import sheet_rows


def imp(cli, path, *extra):
    result = cli("import", path, *extra, "--json")
    return result.exit_code, json.loads(result.stdout)[0]


def county(tmp_path, name: str, period_line: str, rows: list[list], unit: str = "道里区"):
    """A county return with indicators down the rows and 其中 rows under them."""
    body = [["“十万行动”月报表"], [period_line], [f"填报单位:{unit}总工会"], ["序号", "指标名称", "计量单位", "本月", "本年累计"],
            *rows]
    return sheet_rows(body, tmp_path / name)


def stored(db, unit="230102"):
    rows = query(db, "SELECT i.code, f.period, f.month, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id "
                     "JOIN indicator i ON i.id = f.indicator_id WHERE u.code = ?", (unit,))
    return {(i, p): (m, y) for i, p, m, y in rows}


def test_breakdown_rows_are_stored_exported_and_shown_under_their_indicator(cli, db_path, tmp_path):
    county(tmp_path, "5.xlsx", "2003年5月", [["一", "实现再就业人数", "人", 10, 40], [None, "其中:女性", "人", 4, 16],
                                            ["二", "职业培训人数", "人", 8, 30], [None, "其中:女性", "人", 3, 12]])
    county(tmp_path, "6.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50], [None, "其中:女性", "人", 5, 21],
                                            ["二", "职业培训人数", "人", 6, 36], [None, "其中:女性", "人", 2, 14]])
    county(tmp_path, "ng.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 20, 100]], unit="南岗区")  # no 其中
    for name in ("5.xlsx", "6.xlsx", "ng.xlsx"):
        code, r = imp(cli, tmp_path / name)
        assert code == 0, r
    got = stored(db_path)
    # `其中:女性` under two indicators is two figures
    assert got[("reemployed.female", "2003-06")] == (5.0, 21.0) and got[("trained.female", "2003-06")] == (2.0, 14.0)
    # export: each breakdown right after its indicator, with its cell
    r, rows = cli.json("export", "--period", "2003-06", "--unit", "230102", "--format", "json")
    assert [x["indicator"] for x in rows] == ["reemployed", "reemployed.female", "trained", "trained.female"]
    assert rows[1]["cell"] == "E6" and rows[1]["ytd"] == 21
    # progress: a section of the breakdown under its indicator, with its share of the whole
    r, rows = cli.json("report", "progress", "--under", "230100", "--period", "2003-06", "-i", "reemployed",
                       "--format", "json")
    part = {x["unit_code"]: x for x in rows if x["indicator"] == "reemployed.female" and x["row_type"] == "unit"}
    assert (part["230102"]["month"], part["230102"]["ytd"]) == (5, 21)
    assert part["230102"]["share_of_whole"] == round(21 / 50, 6)
    assert [x["indicator"] for x in rows].index("reemployed.female") > [x["indicator"] for x in rows].index("reemployed")
    # the city's share is of the whole of the units that gave the breakdown (道里区), not of 南岗区's too
    total = next(x for x in rows if x["indicator"] == "reemployed.female" and x["row_type"] == "total")
    assert (total["ytd"], total["share_of_whole"]) == (21, round(21 / 50, 6))
    # and in the official workbook, beside its indicator under a header of its own
    out = tmp_path / "p.xlsx"
    assert cli("report", "progress", "--under", "230100", "--period", "2003-06", "-i", "reemployed", "-o", out).exit_code == 0
    texts = [str(c.value) for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value]
    assert any("其中:女性" in x for x in texts)


def test_a_breakdown_over_its_whole_is_refused_with_its_cell(cli, db_path, tmp_path):
    county(tmp_path, "a.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50], [None, "其中:女性", "人", 12, 51]])
    code, r = imp(cli, tmp_path / "a.xlsx")
    assert code == 1 and r["status"] == "rejected"
    assert {(e["code"], e["cell"]) for e in r["errors"]} >= {("rule.error", "D6")}
    assert "女性" in r["errors"][0]["message"] and stored(db_path) == {}


def test_a_breakdown_is_checked_against_its_whole_stored_from_another_file(cli, db_path, tmp_path):
    county(tmp_path, "whole.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50]])
    assert imp(cli, tmp_path / "whole.xlsx")[0] == 0
    county(tmp_path, "part.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50], [None, "其中:4050人员", "人", 3, 60]])
    code, r = imp(cli, tmp_path / "part.xlsx")
    assert code == 1 and [e["cell"] for e in r["errors"] if e["code"] == "rule.error"] == ["E6"]
    # a revision lowering the whole below a breakdown stored before is refused as well
    county(tmp_path, "ok.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50], [None, "其中:4050人员", "人", 3, 20]])
    assert imp(cli, tmp_path / "ok.xlsx")[0] == 0
    county(tmp_path, "low.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 18]])
    code, r = imp(cli, tmp_path / "low.xlsx")
    assert code == 1 and any(e["code"] == "rule.error" for e in r["errors"]), r
    assert stored(db_path)[("reemployed", "2003-06")] == (10.0, 50.0)


def test_breakdowns_are_checked_month_to_month(cli, db_path, tmp_path):
    county(tmp_path, "5.xlsx", "2003年5月", [["一", "实现再就业人数", "人", 10, 40], [None, "其中:女性", "人", 4, 16]])
    assert imp(cli, tmp_path / "5.xlsx")[0] == 0
    # May's 累计 16 + June's 本月 5 is 21, not 25
    county(tmp_path, "6.xlsx", "2003年6月", [["一", "实现再就业人数", "人", 10, 50], [None, "其中:女性", "人", 5, 25]])
    code, r = imp(cli, tmp_path / "6.xlsx")
    assert code == 1 and [(e["code"], e["cell"]) for e in r["errors"]] == [("check.chain_prev", "E6")]


def test_breakdown_columns_of_a_city_summary(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会“十万行动”进展情况统计表"], ["(2003年1-6月)"], ["填报单位:哈尔滨市总工会"],
            ["单位", "实现再就业人数", None, None], [None, "本月", "本年累计", "其中:女性"],
            ["市本级", 10, 60, 25], ["道里区", 5, 30, 11], ["合计", 15, 90, 36]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "s.xlsx", merges=["B4:D4", "A4:A5"]))
    assert code == 0, r
    assert stored(db_path, "230102")[("reemployed.female", "2003-06")][1] == 11.0
    assert stored(db_path, "230100")[("reemployed.female", "2003-06")][1] == 25.0
