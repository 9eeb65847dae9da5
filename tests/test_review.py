"""Issue 10: sign-off per return (已收, 已审核, 退回 with the reason, reopened) and locks of one unit's
month, through the CLI, with the refusals they cause."""

from __future__ import annotations

import json

from conftest import query, snapshot
from helpers import city_summary, sheet_rows


def imp(cli, path):
    r = cli("import", path, "--json")
    return r.exit_code, json.loads(r.stdout)[0]


def hegang(tmp_path, name: str, ytd: int, footer: str = "报出日期:2003年7月3日"):
    return city_summary(tmp_path / name, [("市本级", 5, ytd, 1, 4), ("向阳区", 3, 20, 0, 2)], footer=footer)


def harbin(tmp_path, name: str = "hrb.xlsx"):
    return city_summary(tmp_path / name, [("市本级", 5, 30, 1, 4)], title="哈尔滨市总工会统计表",
                        reporter="填报单位:哈尔滨市总工会")


def county(tmp_path, ytd: int):
    return sheet_rows([["“十万行动”月报表"], ["2003年6月"], ["填报单位:鹤岗市向阳区总工会"],
                       ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 3, ytd]],
                      tmp_path / f"向阳区{ytd}.xlsx")


def statuses(cli, period="2003-06", under="230400") -> dict[str, dict]:
    _, rows = cli.json("review", "list", "--period", period, "--under", under, "--format", "json")
    return {r["unit_code"]: r for r in rows}


def test_approve_return_reopen_and_the_refusals_they_cause(cli, db_path, tmp_path):
    assert imp(cli, hegang(tmp_path, "a.xlsx", 30))[0] == 0
    st = statuses(cli)
    assert st["230400"]["status"] == "received" and st["230403"]["status"] == "missing"
    r = cli("review", "approve", "--unit", "230400", "--period", "2003-06")
    assert r.exit_code == 0 and "已审核通过" in r.output
    st = statuses(cli)["230400"]
    assert st["status"] == "approved" and st["user"] and st["at"]
    # a changed version of the approved return is refused, and says how to reopen it
    before = snapshot(db_path)
    code, out = imp(cli, hegang(tmp_path, "b.xlsx", 31, footer="报出日期:2003年7月5日"))
    assert code == 1 and out["errors"][0]["code"] == "import.approved"
    assert "shiwan review reopen --unit 230400 --period 2003-06" in out["errors"][0]["message"]
    assert snapshot(db_path) == before
    # the same file again changes nothing and is not refused
    assert imp(cli, tmp_path / "a.xlsx")[1]["status"] == "unchanged"
    # nor can it be reverted, or sent back before it is reopened
    import_id = query(db_path, "SELECT MAX(id) FROM import_log WHERE status = 'imported'")[0][0]
    r = cli("imports", "revert", import_id)
    assert r.exit_code == 1 and "审核" in r.output
    assert cli("review", "return", "--unit", "230400", "--period", "2003-06", "--reason", "x").exit_code == 1
    assert cli("review", "approve", "--unit", "230400", "--period", "2003-06").exit_code == 1
    # reopened, the revision goes in and the return is received again
    assert cli("review", "reopen", "--unit", "230400", "--period", "2003-06").exit_code == 0
    code, out = imp(cli, tmp_path / "b.xlsx")
    assert code == 0 and out["status"] == "revised", out
    assert statuses(cli)["230400"]["status"] == "received"
    assert cli("review", "reopen", "--unit", "230400", "--period", "2003-06").exit_code == 1  # not approved


def test_an_approved_county_is_not_changed_by_its_citys_summary(cli, db_path, tmp_path):
    assert imp(cli, hegang(tmp_path, "a.xlsx", 30))[0] == 0
    assert cli("review", "approve", "--unit", "230402", "--period", "2003-06").exit_code == 0
    code, out = imp(cli, city_summary(tmp_path / "b.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 21, 0, 2)],
                                      footer="报出日期:2003年7月5日"))
    assert code == 1 and [(e["code"], "向阳区" in e["message"]) for e in out["errors"]] == [("import.approved", True)]


def test_a_return_sent_back_shows_in_the_completeness_report_with_its_reason(cli, tmp_path):
    assert imp(cli, hegang(tmp_path, "a.xlsx", 30))[0] == 0
    r = cli("review", "return", "--unit", "230400", "--period", "2003-06")
    assert r.exit_code == 2 and "--reason" in r.output  # a return is sent back with its reason
    r = cli("review", "return", "--unit", "230400", "--period", "2003-06", "--reason", "市本级累计与上月不衔接")
    assert r.exit_code == 0 and "市本级累计与上月不衔接" in r.output
    _, rows = cli.json("report", "completeness", "--period", "2003-06", "--format", "json")
    wanted = [x for x in rows if x["section"] == "missing" and x["unit_code"] == "230400"]
    assert [(x["status"], x["reason"]) for x in wanted] == [("returned", "市本级累计与上月不衔接")]
    summary = {(x["unit_code"], x["row_type"]): x for x in rows if x["section"] == "summary"}
    assert summary[("230400", "unit")]["returned"] == 1 and summary[("230000", "total")]["returned"] == 1
    text = cli("report", "completeness", "--period", "2003-06").stdout
    assert "退回 1 个" in text and "市本级累计与上月不衔接" in text
    assert statuses(cli)["230400"]["reason"] == "市本级累计与上月不衔接"
    # sent again, it is received and leaves the 催报 list
    assert imp(cli, hegang(tmp_path, "b.xlsx", 31, footer="报出日期:2003年7月6日"))[0] == 0
    _, rows = cli.json("report", "completeness", "--period", "2003-06", "--format", "json")
    assert not [x for x in rows if x["section"] == "missing" and x["unit_code"] == "230400"]


def test_review_of_a_return_not_received_or_a_unit_not_standing(cli):
    r = cli("review", "approve", "--unit", "230400", "--period", "2003-06")
    assert r.exit_code == 1 and "尚未收到" in r.output
    r = cli("review", "approve", "--unit", "230109", "--period", "2003-06")  # 松北区, from 2004
    assert r.exit_code == 1 and "2003" in r.output and "2004–" in r.output


def test_a_lock_of_one_units_month(cli, db_path, tmp_path):
    r = cli("period", "lock", "2003-06", "--unit", "230400")
    assert r.exit_code == 0, r.output
    before = snapshot(db_path)
    code, out = imp(cli, hegang(tmp_path, "a.xlsx", 30))
    assert code == 1 and out["errors"][0]["code"] == "import.unit_locked"
    assert "shiwan period unlock 2003-06 --unit 230400" in out["errors"][0]["message"]
    # the lock covers the units below the city: a county's own return is refused too
    code, out = imp(cli, county(tmp_path, 20))
    assert code == 1 and out["errors"][0]["code"] == "import.unit_locked" and "鹤岗市" in out["errors"][0]["message"]
    assert snapshot(db_path)["figure"] == before["figure"]
    # another city's June still goes in
    assert imp(cli, harbin(tmp_path))[0] == 0
    assert cli("period", "lock", "2003-06", "--unit", "230400").exit_code == 1  # already locked
    _, locks = cli.json("period", "list", "--format", "json")
    assert [(x["unit_code"], x["locked_now"]) for x in locks] == [("230400", True)]
    assert cli("period", "unlock", "2003-06", "--unit", "230400").exit_code == 0
    assert imp(cli, tmp_path / "a.xlsx")[0] == 0
    # a lock of the whole month still refuses every unit
    assert cli("period", "lock", "2003-06").exit_code == 0
    code, out = imp(cli, county(tmp_path, 21))
    assert code == 1 and out["errors"][0]["code"] == "import.locked"
