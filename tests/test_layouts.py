"""Hand-made layouts found to go wrong by a red-team run (DESIGN §4), and the review's findings.

Each test writes the layout with openpyxl and checks the exact outcome through the CLI.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from conftest import query, snapshot
from helpers import city_summary, fill, sheet_rows


def imp(cli, path, *extra):
    result = cli("import", path, *extra, "--json")
    return result.exit_code, json.loads(result.stdout)[0]


def stored(db) -> dict[tuple[str, str, int], tuple]:
    rows = query(db, "SELECT u.code, i.code, f.channel, f.period, f.month, f.ytd FROM figure f JOIN unit u "
                     "ON u.id = f.unit_id JOIN indicator i ON i.id = f.indicator_id")
    return {(u, i, ch, p): (m, y) for u, i, ch, p, m, y in rows}


def test_measure_words_above_the_names(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"],
            ["单位", "本月", None, "本年累计", None],
            [None, "实现再就业人数", "职业培训人数", "实现再就业人数", "职业培训人数"],
            ["市本级", 5, 2, 203, 40]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3", "D3:E3", "A3:A4"]))
    assert code == 0, r
    got = stored(db_path)
    assert got[("230100", "reemployed", 0, "2003-06")] == (5.0, 203.0)
    assert got[("230100", "trained", 0, "2003-06")] == (2.0, 40.0)
    assert not r["warnings"]


def test_county_return_in_two_blocks_side_by_side(cli, db_path, tmp_path):
    rows = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:道里区总工会"],
            ["序号", "指标名称", "本月", "本年累计", None, "序号", "指标名称", "本月", "本年累计"],
            [1, "实现再就业人数", 5, 30, None, 3, "再就业基地数", None, 2],
            [2, "职业培训人数", 4, 20, None, 4, "扶持资金", 1.5, 6.25]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0, r
    got = stored(db_path)
    assert got[("230102", "bases", 0, "2003-06")] == (None, 2.0)
    assert got[("230102", "fund_amount", 0, "2003-06")] == (1.5, 6.25)
    assert len(got) == 4


def test_money_in_yuan_is_refused_not_stored_ten_thousand_times_too_big(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", "扶持资金(元)"], ["市本级", 30, 25000]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("C3", "layout.unit_mismatch")]
    assert "万元" in r["errors"][0]["message"] and not r["warnings"]
    county = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:道里区总工会"],
              ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "扶持资金", "元", 5000, 25000]]
    code, r = imp(cli, sheet_rows(county, tmp_path / "b.xlsx"))
    assert code == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("C5", "layout.unit_mismatch")]
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(0,)]


def test_last_months_header_on_this_months_return(cli, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数", None], [None, "本月", "1-5月累计"],
            ["市本级", 5, 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3"]))
    assert code == 1 and r["errors"][0]["code"] == "layout.range_mismatch" and r["errors"][0]["cell"] == "C4"


def test_period_from_a_date_cell(cli, tmp_path):
    rows = [["“十万行动”月报表"], [datetime.datetime(2003, 6, 1)], ["填报单位:道里区总工会"],
            ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 5, 30]]
    path = sheet_rows(rows, tmp_path / "a.xlsx")
    code, r = imp(cli, path)
    assert code == 0 and r["period"] == "2003-06", r


def test_year_in_title_months_on_the_next_line(cli, tmp_path):
    rows = [["哈尔滨市总工会2003年“十万行动”进展情况"], ["(1-6月)"], ["单位", "实现再就业人数"], ["市本级", 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and r["period"] == "2003-06", r  # and 1-6月 says the figures are the year so far


def test_month_in_the_sheet_name_year_in_the_title(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会2003年“十万行动”统计表"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"], ["市本级", 5, 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B2:C2"], title="6月"))
    assert code == 0 and r["period"] == "2003-06", r


def test_title_saying_this_month(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会“十万行动”"], ["2003年6月份本月完成情况"], ["单位", "实现再就业人数"], ["市本级", 5]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and not r["warnings"], r
    assert stored(db_path)[("230100", "reemployed", 0, "2003-06")] == (5.0, None)


def test_namesake_resolved_by_the_city_in_the_title(cli, tmp_path):
    rows = [["鹤岗市向阳区总工会“十万行动”月报表"], ["2003年6月"], ["填报单位:向阳区总工会"],
            ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 5, 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and r["unit_code"] == "230402", r


def test_reporter_line_with_other_labels_in_the_same_cell(cli, tmp_path):
    rows = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:道里区总工会        填表人:王丽        2003年7月4日"],
            ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 5, 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and r["unit_code"] == "230102", r


def test_city_own_office_written_as_benji_in_brackets(cli, db_path, tmp_path):
    rows = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:哈尔滨市总工会(本级)"],
            ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 5, 30]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and r["unit_code"] == "230100", r
    assert stored(db_path)[("230100", "reemployed", 0, "2003-06")] == (5.0, 30.0)


def test_own_office_row_labelled_shizonggonghui(cli, db_path, tmp_path):
    path = city_summary(tmp_path / "a.xlsx", [("市总工会", 5, 30, 1, 4), ("道里区", 3, 20, 0, 2)],
                        title="哈尔滨市总工会统计表", reporter="填报单位:哈尔滨市总工会")
    code, r = imp(cli, path)
    assert code == 0, r
    assert stored(db_path)[("230100", "reemployed", 0, "2003-06")] == (5.0, 30.0)


def test_an_unknown_row_is_named_as_written_and_causes_no_knock_on_errors(cli, tmp_path):
    path = city_summary(tmp_path / "a.xlsx", [("市本级", 5, 30, 1, 4), ("哈尔滨铁路工会", 3, 20, 0, 2)],
                        title="哈尔滨市总工会统计表", reporter="填报单位:哈尔滨市总工会")
    code, r = imp(cli, path)
    assert code == 1
    assert [e["code"] for e in r["errors"]] == ["layout.unknown_unit"]
    assert "哈尔滨铁路工会" in r["errors"][0]["message"]


def test_last_years_columns_are_skipped_not_offered_as_aliases(cli, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", None], [None, "本年累计", "上年同期"],
            ["市本级", 30, 25]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3"]))
    assert code == 0
    assert [w["code"] for w in r["warnings"]] == ["layout.column_skipped"]
    assert "别名" not in r["warnings"][0]["message"]


def test_one_file_of_two_month_sheets_lists_both_periods(cli, db_path, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for n, m in enumerate((5, 6)):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = f"{m}月"
        for row in (["哈尔滨市总工会统计表"], [f"(2003年1-{m}月)"], ["单位", "实现再就业人数"], ["市本级", 10 * m]):
            ws.append(row)
    wb.save(tmp_path / "a.xlsx")
    code, r = imp(cli, tmp_path / "a.xlsx")
    assert code == 0 and r["periods"] == ["2003-05", "2003-06"]
    got = stored(db_path)
    assert got[("230100", "reemployed", 0, "2003-05")] == (None, 50.0)
    assert got[("230100", "reemployed", 0, "2003-06")] == (None, 60.0)


# -- the review's findings ---------------------------------------------------------------------------


def county(path: Path, period_title: str, month, ytd) -> Path:
    return sheet_rows([["“十万行动”月报表"], [period_title], ["填报单位:道里区总工会"],
                       ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", month, ytd]], path)


def test_identical_file_after_a_revision_of_its_predecessor_stays_unchanged(cli, db_path, tmp_path):
    assert imp(cli, county(tmp_path / "2.xlsx", "2003年2月", 10, 10))[0] == 0
    march = county(tmp_path / "3.xlsx", "2003年3月", 5, 15)
    assert imp(cli, march)[0] == 0
    assert imp(cli, county(tmp_path / "2b.xlsx", "2003年2月", 12, 12))[1]["status"] == "revised"
    log = query(db_path, "SELECT COUNT(*) FROM import_log")
    code, r = imp(cli, march)
    assert code == 0 and r["status"] == "unchanged"
    assert query(db_path, "SELECT COUNT(*) FROM import_log") == log


def test_check_reaches_the_same_verdicts_as_import(cli, db_path, tmp_path):
    mail = tmp_path / "mail"
    county(mail / "a_2003-02.xlsx", "2003年2月", 10, 10)
    county(mail / "b_2003-03.xlsx", "2003年3月", 3, 8)  # contradicts February in the same batch
    check = {Path(x["file"]).name: x["status"] for x in json.loads(cli("check", mail, "--json").stdout)}
    real = {Path(x["file"]).name: x["status"] for x in json.loads(cli("import", mail, "--json").stdout)}
    assert check == real == {"a_2003-02.xlsx": "imported", "b_2003-03.xlsx": "rejected"}


def test_a_province_summary_row_is_a_city_total_not_its_own_office(cli, tmp_path):
    county(tmp_path / "道里.xlsx", "(2003年1-6月)", 10, 100)
    assert imp(cli, tmp_path / "道里.xlsx")[0] == 0
    rows = [["黑龙江省总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"], ["哈尔滨市", 5000], ["鹤岗市", 700]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "省.xlsx"))
    assert code == 0 and r["unit_code"] == "230000"
    prog = {x["unit_code"] + x["row_type"]: x for x in json.loads(
        cli("report", "progress", "--period", "2003-06", "-i", "reemployed", "-f", "json").stdout)}
    assert prog["230100unit"]["ytd"] == 100  # what 哈尔滨's units reported, not 100 + 5000
    assert prog["230400unit"]["ytd"] == 700  # nothing below reported: the province's figure stands
    city = {x["unit_code"] + x["row_type"]: x for x in json.loads(
        cli("report", "progress", "--period", "2003-06", "--under", "230100", "-i", "reemployed", "-f", "json").stdout)}
    assert city["230100own"]["ytd"] is None and city["230100total"]["ytd"] == 100
    found = json.loads(cli("check", "--period", "2003-06", "--json").stdout)
    assert [(f["code"], f["unit_code"]) for f in found] == [("quality.reconcile", "230100")]


def test_month_after_a_month_reported_as_month_only(cli, tmp_path):
    for name, title, header, value in (("1", "(2003年1月)", "本年累计", 10), ("2", "(2003年2月)", "本月", 5),
                                       ("3", "(2003年1-3月)", "本年累计", 22)):
        rows = [["哈尔滨市总工会统计表"], [title], ["单位", f"实现再就业人数({header})"], ["市本级", value]]
        assert imp(cli, sheet_rows(rows, tmp_path / f"{name}.xlsx"))[0] == 0
    trend = json.loads(cli("report", "trend", "--unit", "230100", "--from", "2003-01", "--to", "2003-03", "-f", "json").stdout)
    assert [(t["month"], t["ytd"]) for t in trend] == [(10, 10), (5, 15), (7, 22)]


def test_a_template_reused_for_another_unit_or_month_is_refused(cli, db_path, tmp_path):
    tpl = tmp_path / "友谊县.xlsx"
    assert cli("template", "county", "--unit", "230522", "--period", "2003-05", "-o", tpl).exit_code == 0
    before = snapshot(db_path)
    fill(tpl, {"A2": "(2003年6月)", "D5": 3, "E5": 30}, out=tmp_path / "改了月份.xlsx")
    code, r = imp(cli, tmp_path / "改了月份.xlsx")
    assert code == 1 and r["errors"][0]["code"] == "layout.template_conflict"
    fill(tpl, {"A3": "填报单位:宝清县总工会(盖章)", "D5": 3, "E5": 30}, out=tmp_path / "改了单位.xlsx")
    code, r = imp(cli, tmp_path / "改了单位.xlsx")
    assert code == 1 and r["errors"][0]["code"] == "layout.template_conflict" and "宝清县" in r["errors"][0]["message"]
    assert snapshot(db_path) == before


# -- the second red-team round ----------------------------------------------------------------------------


def test_unit_merged_over_two_unlabelled_rows_is_refused_naming_the_row(cli, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"], ["市本级", 30], ["道里区", 20], [None, 7]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["A5:A6"]))
    assert code == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("A6", "layout.merged_unit_rows")]


def test_units_in_two_rows_labelled_month_and_ytd(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "项目", "实现再就业人数", "再就业基地数"],
            ["市本级", "本月", 5, None], [None, "本年累计", 82, 1], ["道里区", "本月", 50, None], [None, "本年累计", 247, 3],
            ["合计", "本月", 55, None], [None, "本年累计", 329, 4]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["A4:A5", "A6:A7", "A8:A9"]))
    assert code == 0, r
    got = stored(db_path)
    assert got[("230100", "reemployed", 0, "2003-06")] == (5.0, 82.0)
    assert got[("230102", "reemployed", 1, "2003-06")] == (50.0, 247.0)
    assert got[("230102", "bases", 1, "2003-06")] == (None, 3.0)
    rows[-1][2] = 330  # the 累计 total row is checked against the units' 累计 rows
    code, r = imp(cli, sheet_rows(rows, tmp_path / "b.xlsx", merges=["A4:A5", "A6:A7", "A8:A9"]))
    assert code == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("C9", "check.total_mismatch")]


def test_number_followed_by_its_own_measure_unit(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", "职业介绍人次"], ["市本级", "35人", "150人次"]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0, r
    rows[-1] = ["市本级", "35户", "150"]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "b.xlsx"))
    assert code == 1 and r["errors"][0]["cell"] == "B4"


def test_header_repeated_on_a_second_printed_page(cli, db_path, tmp_path):
    head = [["单位", "实现再就业人数", None], [None, "本月", "本年累计"]]
    rows = [["哈尔滨市总工会“十万行动”进展情况统计表"], ["(2003年1-6月)"], *head, ["市本级", 5, 30], ["道里区", 3, 20],
            ["哈尔滨市总工会“十万行动”进展情况统计表(续表)"], *head, ["南岗区", 2, 10], ["合计", 10, 60]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3", "B8:C8"]))
    assert code == 0, r
    assert stored(db_path)[("230103", "reemployed", 1, "2003-06")] == (2.0, 10.0)


def test_a_second_table_on_the_same_sheet_is_refused_clearly(cli, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-5月)"], ["单位", "实现再就业人数"], ["市本级", 30], [], [],
            ["2003年6月"], ["单位", "实现再就业人数"], ["市本级", 35]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 1 and r["errors"][0]["code"] == "layout.second_table" and r["errors"][0]["cell"] == "A7"


def test_january_with_only_this_month_filled_in(cli, db_path, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["2003年1月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
            ["市本级", 19, None], ["道里区", 7, None]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3"]))
    assert code == 0, r
    # in January 本月 and 本年累计 are one figure: a return giving one gives both
    assert stored(db_path)[("230100", "reemployed", 0, "2003-01")] == (19.0, 19.0)


def test_a_row_of_a_county_return_naming_no_indicator_is_warned(cli, db_path, tmp_path):
    rows = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:道里区总工会"], ["序号", "指标名称", "计量单位", "本月", "本年累计"],
            ["一", "实现再就业人数", "人", 5, 30], [None, "其中:4050人员", "人", 2, 9], [None, "其中:大中专毕业生", "人", 1, 3],
            ["二", "职业培训人数", "人", 4, 20]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert code == 0 and [(w["cell"], w["code"]) for w in r["warnings"]] == [("B7", "layout.unknown_breakdown_row")]
    assert "大中专毕业生" in r["warnings"][0]["message"]
    got = stored(db_path)
    assert got[("230102", "reemployed.age4050", 0, "2003-06")] == (2.0, 9.0)  # a breakdown the catalog knows
    assert len(got) == 3


def test_an_instructions_sheet_listing_the_indicators_is_passed_over(cli, db_path, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    for row in (["序号", "指标名称", "计量单位", "解释"], [1, "实现再就业人数", "人", "当月帮助实现再就业的人数"],
                [2, "职业培训人数", "人", "参加培训的人数"]):
        ws.append(row)
    ws2 = wb.create_sheet("报表")
    for row in (["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"], ["市本级", 30]):
        ws2.append(row)
    wb.save(tmp_path / "a.xlsx")
    code, r = imp(cli, tmp_path / "a.xlsx")
    assert code == 0, r
    assert stored(db_path)[("230100", "reemployed", 0, "2003-06")] == (None, 30.0)


def test_total_written_in_the_serial_cell_merged_across(cli, tmp_path):
    rows = [["哈尔滨市总工会统计表"], ["(2003年1-6月)"], ["序号", "单位", "实现再就业人数"], [1, "市本级", 30], [2, "道里区", 20],
            ["合计", None, 51]]
    code, r = imp(cli, sheet_rows(rows, tmp_path / "a.xlsx", merges=["A6:B6"]))
    assert code == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("C6", "check.total_mismatch")]


def test_a_county_return_that_disagrees_with_its_row_in_the_city_summary_is_said_at_import(cli, db_path, tmp_path):
    city = [["哈尔滨市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
            ["市本级", 5, 30], ["道里区", 7, 40]]
    code, r = imp(cli, sheet_rows(city, tmp_path / "哈尔滨.xlsx", merges=["B3:C3"]))
    assert code == 0 and not r["warnings"], r
    county = [["“十万行动”月报表"], ["2003年6月"], ["填报单位:道里区总工会"], ["序号", "指标名称", "计量单位", "本月", "本年累计"],
              [1, "实现再就业人数", "人", 7, 42]]
    code, r = imp(cli, sheet_rows(county, tmp_path / "道里区.xlsx"))
    assert code == 0, r  # both are kept: the unit's own return is what reports use
    assert [(w["cell"], w["code"]) for w in r["warnings"]] == [("E5", "import.reconcile")]
    msg = r["warnings"][0]["message"]
    assert "42" in msg and "40" in msg and "哈尔滨.xlsx › Sheet1 › C6" in msg
    assert stored(db_path)[("230102", "reemployed", 0, "2003-06")] == (7.0, 42.0)
    assert stored(db_path)[("230102", "reemployed", 1, "2003-06")] == (7.0, 40.0)
