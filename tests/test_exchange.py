"""Issue 15: every level runs shiwan — the return a city sends up, written from its database and read
back whole by the province; shiwan's own export read back; DHIS2 data value sets out and in."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest

from shiwan.ref.catalog import Catalog
from shiwan.render.templates import template_cells
from shiwan.store.db import open_db

from conftest import PG, Cli, drop_pg_database, new_pg_database, query
from helpers import fill, sheet_rows

PERIOD = "2003-06"


@pytest.fixture
def province(initialised_db, tmp_path):
    """A second database, the province's, beside the city's (`cli`)."""
    if PG:
        from sqlalchemy.engine import make_url

        url = new_pg_database(template=make_url(initialised_db).database)
        yield Cli(url)
        drop_pg_database(url)
        return
    path = tmp_path / "province.db"
    shutil.copy(initialised_db, path)
    yield Cli(path)


def county_template(cli: Cli, tmp_path, code: str, values: dict[tuple[str, str], float], name: str) -> object:
    path = tmp_path / f"{name}.xlsx"
    assert cli("template", "county", "--unit", code, "--period", PERIOD, "-o", path).exit_code == 0
    with open_db(str(cli.db)) as db:
        cells = {(c, s): ref for (_, c, s), ref in template_cells(Catalog.from_db(db), "county").items()}
    return fill(path, {cells[k]: v for k, v in values.items()})


def figures(db, channel: int | None = None) -> dict[tuple[str, str, int], tuple]:
    rows = query(db, "SELECT u.code, i.code, f.channel, f.month, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id "
                     "JOIN indicator i ON i.id = f.indicator_id WHERE f.period = ?", (PERIOD,))
    return {(u, i, c): (m, y) for u, i, c, m, y in rows if channel is None or c == channel}


@pytest.fixture
def city(cli, tmp_path):
    """双鸭山市's database: its own office's return and two counties' for June 2003 (岭东区 by hand,
    giving only 本年累计 of two indicators); its six other counties did not report."""
    files = [
        county_template(cli, tmp_path, "230500", {("reemployed", "month"): 5, ("reemployed", "ytd"): 30,
                                                  ("reemployed.female", "month"): 2, ("reemployed.female", "ytd"): 15,
                                                  ("fund_amount", "month"): 1.25, ("fund_amount", "ytd"): 6.5,
                                                  ("bases", "ytd"): 2}, "双鸭山市本级"),
        county_template(cli, tmp_path, "230502", {("reemployed", "month"): 10, ("reemployed", "ytd"): 60,
                                                  ("trained", "month"): 7, ("trained", "ytd"): 40,
                                                  ("trained.female", "month"): 3, ("trained.female", "ytd"): 11},
                        "尖山区"),
        sheet_rows([["“十万行动”月报表"], ["(2003年1-6月)"], ["填报单位:岭东区总工会"],
                    ["序号", "指标名称", "计量单位", "本年累计"], [1, "实现再就业人数", "人", 40],
                    [None, "    其中:女性", "人", 18], [2, "再就业基地数", "处", 1],
                    [], ["填表人:赵某   报出日期:2003年7月2日"]], tmp_path / "岭东区.xlsx"),
    ]
    r = cli("import", *files)
    assert r.exit_code == 0, r.output
    return cli


def send(cli: Cli, tmp_path, *args: str, name: str = "sent.xlsx"):
    out = tmp_path / name
    r = cli("send", "--period", PERIOD, "-o", out, *args)
    assert r.exit_code == 0, r.output
    return out


def test_the_sent_summary_reads_back_whole_at_the_province(city, province, tmp_path):
    sent = send(city, tmp_path, "--unit", "230500", "--date", "2003-07-04")
    r, rows = province.json("import", sent, "--json")
    assert r.exit_code == 0, r.output
    (res,) = rows
    assert (res["status"], res["form"], res["unit_code"], res["source"]) == ("imported", "city", "230500", "shiwan send")
    assert res["submitted_on"] == "2003-07-04"
    assert query(province.db, "SELECT submitted_on, form FROM import_log") == [("2003-07-04", "city")]
    # every figure the city holds, on the channel a summary gives it: 本级 its own, counties their rows
    held = {(u, i): v for (u, i, _c), v in figures(city.db).items()}
    got = figures(province.db)
    assert {(u, i): v for (u, i, c), v in got.items()} == held
    assert {c for (u, _i, c) in got if u == "230500"} == {0} and {c for (u, _i, c) in got if u != "230500"} == {1}
    # 岭东区 gave two 本年累计 figures and a level: nothing else is stored for it, no month, no zeros
    assert {k: v for k, v in got.items() if k[0] == "230503"} == {
        ("230503", "reemployed", 1): (None, 40.0), ("230503", "reemployed.female", 1): (None, 18.0),
        ("230503", "bases", 1): (None, 1.0)}
    # the six counties that did not report: nothing stored, and the clerk is told
    assert {u for u, _i, _c in got} == {"230500", "230502", "230503"}
    assert sum(w["code"] == "layout.not_reported_row" for w in res["warnings"]) == 6
    # the same file again changes nothing
    again = province.json("import", sent, "--json")[1][0]
    assert (again["status"], again["new"], again["changed"]) == ("unchanged", 0, 0)


def test_the_sent_file_is_the_standard_summary_with_its_sources(city, tmp_path):
    sent = send(city, tmp_path, "--unit", "230500", "--date", "2003-07-04")
    wb = openpyxl.load_workbook(sent)
    ws = wb.worksheets[0]
    assert ws.title == "市汇总表" and [s.title for s in wb.worksheets[1:]] == ["_shiwan", "_shiwan_sources"]
    assert all(s.sheet_state == "hidden" for s in wb.worksheets[1:])
    meta = {}
    for k, v in wb["_shiwan"].iter_rows(values_only=True):
        meta[k] = f"{meta[k]} {v}" if k in meta else v
    assert (meta["form"], meta["unit"], meta["period"], meta["source"]) == ("city", "230500", PERIOD, "shiwan send")
    rows = {ws.cell(r, 2).value: r for r in range(6, 16)}
    assert ws.cell(rows["四方台区"], 3).value == "未报" and ws.cell(rows["合计"], 3).value == 15  # 5 + 10
    assert ws.cell(rows["合计"], 4).value == 130  # 30 + 60 + 40
    # 岭东区's 本月 of 实现再就业人数 was never reported: blank, and named as not given
    assert ws.cell(rows["岭东区"], 3).value is None and f"C{rows['岭东区']}" in meta["not_given"].split()
    assert any("报出日期:2003年7月4日" in str(c.value) for row in ws.iter_rows() for c in row)
    sources = list(wb["_shiwan_sources"].iter_rows(values_only=True))
    head = sources[0]
    by = {(r[head.index("unit_code")], r[head.index("indicator")]): r for r in sources[1:]}
    src = by[("230503", "reemployed")]
    assert (src[head.index("file")], src[head.index("ytd_cell")], src[head.index("channel")]) == ("岭东区.xlsx", "D5", "own")


def test_the_province_reconciles_the_summary_with_a_county_return_it_holds(city, province, tmp_path):
    # the province already has 尖山区's own return, with another 本年累计
    own = county_template(province, tmp_path, "230502", {("reemployed", "month"): 10, ("reemployed", "ytd"): 66},
                          "尖山区_own")
    assert province("import", own).exit_code == 0
    res = province.json("import", send(city, tmp_path, "--unit", "230500"), "--json")[1][0]
    assert res["status"] == "imported"
    (w,) = [w for w in res["warnings"] if w["code"] == "import.reconcile" and "实现再就业人数" in w["message"]
            and "66" in w["message"]]
    assert "尖山区" in w["message"] and "尖山区_own.xlsx" in w["message"] and "66" in w["message"]


def test_a_county_sends_its_own_return(city, province, tmp_path):
    sent = send(city, tmp_path, "--unit", "230503", name="岭东区_sent.xlsx")
    res = province.json("import", sent, "--json")[1][0]
    assert (res["status"], res["form"], res["unit_code"]) == ("imported", "county", "230503")
    assert figures(province.db) == {("230503", "reemployed", 0): (None, 40.0), ("230503", "reemployed.female", 0): (None, 18.0),
                                    ("230503", "bases", 0): (None, 1.0)}


def test_send_without_unit_sends_the_unit_everything_lies_under(city, tmp_path):
    sent = send(city, tmp_path)
    assert openpyxl.load_workbook(sent)["_shiwan"]["B2"].value == "230500"


def test_nothing_to_send_is_said(city, tmp_path):
    r = city("send", "--period", "2003-07", "--unit", "230500", "-o", tmp_path / "x.xlsx")
    assert r.exit_code == 1 and "2003-07" in r.output and not (tmp_path / "x.xlsx").exists()
    assert city("send", "--period", "2003-07", "-o", tmp_path / "x.xlsx").exit_code == 2
    assert city("send", "--period", PERIOD, "--date", "7月4日").exit_code == 2


# -- shiwan's own export, read back ----------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_an_export_imports_back_unchanged_and_moves_to_another_database(city, province, tmp_path, ext):
    province_rows = province.json("import", send(city, tmp_path, "--unit", "230500"), "--json")[1]
    assert province_rows[0]["status"] == "imported"
    out = tmp_path / f"export.{ext}"
    assert province("export", "--period", PERIOD, "-o", out).exit_code == 0
    res = province.json("import", out, "--json")[1][0]
    assert (res["status"], res["form"], res["source"], res["new"], res["changed"]) == \
        ("unchanged", "exchange", "shiwan export", 0, 0)
    # into the city's database: the summary's rows land on the summary channel, beside the county returns
    before = figures(city.db)
    res = city.json("import", out, "--json")[1][0]
    assert res["status"] == "imported" and res["errors"] == []
    after = figures(city.db)
    assert {k: v for k, v in after.items() if k not in before} == {k: v for k, v in figures(province.db).items()
                                                                    if k[2] == 1}
    # and each figure names its line and field in the export
    cell = query(city.db, "SELECT f.ytd_cell FROM figure f JOIN unit u ON u.id = f.unit_id JOIN indicator i "
                          "ON i.id = f.indicator_id WHERE u.code = '230503' AND i.code = 'bases' AND f.channel = 1")
    assert cell and cell[0][0].endswith(":ytd")


def test_a_bad_line_of_an_export_is_refused_with_its_line_and_field(city, tmp_path):
    out = tmp_path / "e.csv"
    assert city("export", "--period", PERIOD, "-o", out).exit_code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    head = lines[0].split(",")
    row = lines[3].split(",")
    row[head.index("ytd")] = "12o"
    lines[3] = ",".join(row)
    bad = lines[:5] + ["999999,某县,reemployed,2003-06,1,2,own,x.xlsx,Sheet1,D5,1"]
    out.write_text("\n".join(bad) + "\n", encoding="utf-8")
    r, rows = city.json("import", out, "--json")
    assert r.exit_code == 1 and rows[0]["status"] == "rejected"
    assert {(e["sheet"], e["cell"], e["code"]) for e in rows[0]["errors"]} == {
        ("e", "4:ytd", "value.not_number"), ("e", "6:unit_code", "exchange.unknown_unit")}


def test_a_json_file_of_another_kind_is_refused(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"rows": [1, 2]}), encoding="utf-8")
    r, rows = cli.json("import", path, "--json")
    assert r.exit_code == 1 and rows[0]["errors"][0]["code"] == "exchange.json_unknown"
    path.write_text('{"dataValues": [', encoding="utf-8")
    r, rows = cli.json("import", path, "--json")
    assert r.exit_code == 1 and rows[0]["errors"][0]["code"] == "read.json_error"
