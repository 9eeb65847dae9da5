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
def new_database(initialised_db, tmp_path):
    """More initialised databases beside the city's (`cli`): `new_database(name)` -> its Cli."""
    made = []

    def make(name: str) -> Cli:
        if PG:
            from sqlalchemy.engine import make_url

            made.append(new_pg_database(template=make_url(initialised_db).database))
            return Cli(made[-1])
        path = tmp_path / f"{name}.db"
        shutil.copy(initialised_db, path)
        return Cli(path)

    yield make
    for url in made:
        drop_pg_database(url)


@pytest.fixture
def province(new_database) -> Cli:
    return new_database("province")


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


def test_a_figure_typed_into_a_cell_not_given_is_read(city, province, tmp_path):
    sent = send(city, tmp_path, "--unit", "230500")
    ws = openpyxl.load_workbook(sent).worksheets[0]
    row = next(r for r in range(6, 16) if ws.cell(r, 2).value == "岭东区")
    assert ws.cell(row, 3).protection.locked  # a sent return is final
    fill(sent, {f"C{row}": 4, "C6": 19})  # the province's clerk, told on the phone, writes 岭东区's 本月 in
    r = province("import", sent)
    assert r.exit_code == 0, r.output
    assert figures(province.db)[("230503", "reemployed", 1)] == (4.0, 40.0)


def test_a_source_named_like_a_formula_stays_text(cli, tmp_path):
    path = county_template(cli, tmp_path, "230502", {("reemployed", "month"): 1, ("reemployed", "ytd"): 2}, "=1+1")
    assert cli("import", path).exit_code == 0
    sent = send(cli, tmp_path, "--unit", "230500")
    sheet = openpyxl.load_workbook(sent)["_shiwan_sources"]
    files = {c.value for c in sheet["G"][1:]}
    assert files == {"=1+1.xlsx"} and all(c.data_type == "s" for c in sheet["G"][1:])


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


def test_a_province_sends_its_cities_totals_and_the_form_stays_chinese(sent, new_database, tmp_path):
    out = tmp_path / "province.xlsx"
    r = sent("send", "--period", PERIOD, "--unit", "230000", "-o", out, lang="en")  # the clerk reads English
    assert r.exit_code == 0 and "written to" in r.output, r.output
    assert openpyxl.load_workbook(out).worksheets[0]["B6"].value == "合计"  # the official form, in Chinese
    nation = new_database("nation")
    res = nation.json("import", out, "--json")[1][0]
    assert (res["status"], res["unit_code"]) == ("imported", "230000"), res
    got = figures(nation.db)
    # 双鸭山市's row is what it and its counties reported, added up; 岭东区 gave no 本月, so the sum has none
    assert got[("230500", "reemployed", 1)] == (None, 130.0)
    assert got[("230500", "trained", 1)] == (7.0, 40.0)
    assert {u for u, _i, _c in got} == {"230500"}  # 省本级 and the other cities: 未报


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


def test_an_export_opened_and_saved_in_excel_still_reads_back(city, tmp_path):
    import csv

    out = tmp_path / "e.csv"
    assert city("export", "--period", PERIOD, "-o", out).exit_code == 0
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    numeric = {rows[0].index("month"), rows[0].index("ytd"), rows[0].index("import_id")}
    typed = [rows[0]] + [[(float(v) if v and i in numeric else v or None) for i, v in enumerate(r)] for r in rows[1:]]
    res = city.json("import", sheet_rows(typed, tmp_path / "e.xlsx"), "--json")[1][0]
    assert (res["status"], res["source"], res["unchanged"]) == ("unchanged", "shiwan export", len(rows) - 1), res


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


# -- DHIS2 data value sets ------------------------------------------------------------------------------

MONTH = "^[0-9]{4}(0[1-9]|1[0-2])$"
ID_SCHEME = {"anyOf": [{"enum": ["uid", "code", "name", "UID", "CODE", "NAME"]}, {"pattern": "^(attribute|ATTRIBUTE):"}]}
# The dataValueSet as the DHIS2 Web API documents it (developer manual, "Data values": sending data
# values, bulks of data values, import parameters and identifier schemes): a set's dataSet,
# completeDate, period, orgUnit and attributeOptionCombo, inherited by values that do not give their
# own; each value's dataElement, categoryOptionCombo, value (text) and its optional bookkeeping.
DATA_VALUE_SET = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["dataValues"],
    "properties": {
        "dataSet": {"type": "string", "minLength": 1},
        "completeDate": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}"},
        "period": {"type": "string", "pattern": MONTH},
        "orgUnit": {"type": "string", "minLength": 1},
        "attributeOptionCombo": {"type": "string", "minLength": 1},
        "idScheme": ID_SCHEME, "dataElementIdScheme": ID_SCHEME, "orgUnitIdScheme": ID_SCHEME,
        "categoryOptionComboIdScheme": ID_SCHEME, "dataSetIdScheme": ID_SCHEME,
        "dataValues": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["dataElement", "value"],
            "properties": {
                "dataElement": {"type": "string", "minLength": 1},
                "period": {"type": "string", "pattern": MONTH},
                "orgUnit": {"type": "string", "minLength": 1},
                "categoryOptionCombo": {"type": "string", "minLength": 1},
                "attributeOptionCombo": {"type": "string", "minLength": 1},
                "value": {"type": "string"},
                "storedBy": {"type": "string"}, "created": {"type": "string"}, "lastUpdated": {"type": "string"},
                "comment": {"type": "string"}, "followup": {"type": "boolean"}, "deleted": {"type": "boolean"},
            },
        }},
    },
    # a value takes its period and orgUnit from itself or from the set
    "allOf": [
        {"anyOf": [{"required": ["period"]}, {"properties": {"dataValues": {"items": {"required": ["period"]}}}}]},
        {"anyOf": [{"required": ["orgUnit"]}, {"properties": {"dataValues": {"items": {"required": ["orgUnit"]}}}}]},
    ],
}


def test_the_schema_refuses_what_dhis2_would():
    import jsonschema

    good = {"period": "200306", "orgUnit": "ou", "dataValues": [{"dataElement": "de", "value": "1"}]}
    jsonschema.validate(good, DATA_VALUE_SET)
    for bad in ({"dataValues": [{"dataElement": "de", "value": "1"}]},  # no period, no orgUnit
                {**good, "period": "2003-06"}, {**good, "dataValues": [{"dataElement": "de", "value": 1}]},
                {**good, "dataValues": [{"dataElement": "de", "value": "1", "colour": "red"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, DATA_VALUE_SET)


@pytest.fixture
def sent(city, province, tmp_path) -> Cli:
    """The province's database, holding 双鸭山市's summary as sent on 2003-07-04."""
    r = province("import", send(city, tmp_path, "--unit", "230500", "--date", "2003-07-04"))
    assert r.exit_code == 0, r.output
    return province


def test_dhis2_json_is_a_data_value_set(sent, tmp_path):
    import jsonschema

    out = tmp_path / "dvs.json"
    assert sent("export", "--period", PERIOD, "--unit", "230500", "--format", "dhis2-json", "-o", out).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, DATA_VALUE_SET)
    assert (doc["period"], doc["orgUnit"], doc["completeDate"], doc["idScheme"]) == ("200306", "230500", "2003-07-04", "code")
    values = {(v["orgUnit"], v["dataElement"], v.get("categoryOptionCombo", "")): v for v in doc["dataValues"]}
    assert values[("230503", "reemployed_ytd", "")]["value"] == "40"
    assert values[("230503", "reemployed_ytd", "female")]["value"] == "18"
    assert ("230503", "reemployed", "") not in values  # its 本月 was never reported
    assert values[("230500", "fund_amount", "")]["value"] == "1.25"
    assert values[("230500", "bases", "")]["value"] == "2"
    assert values[("230502", "trained", "female")]["comment"].startswith("sent.xlsx › 市汇总表 › ")


@pytest.mark.parametrize("fmt", ["dhis2-json", "dhis2-csv"])
def test_dhis2_files_import_back_whole(sent, new_database, tmp_path, fmt):
    out = tmp_path / ("dvs.json" if fmt == "dhis2-json" else "dvs.csv")
    assert sent("export", "--period", PERIOD, "--unit", "230500", "--format", fmt, "-o", out).exit_code == 0
    # into the database it came from: nothing changes
    res = sent.json("import", out, "--json")[1][0]
    assert (res["status"], res["source"], res["changed"], res["new"]) == ("unchanged", "DHIS2", 0, 0), res
    # into another: the same figures, 本级 its own and the counties as the sending city's rows
    other = new_database("other")
    res = other.json("import", out, "--json")[1][0]
    assert res["status"] == "imported" and res["unit_code"] == "230500", res
    assert figures(other.db) == figures(sent.db)
    if fmt == "dhis2-json":
        assert res["submitted_on"] == "2003-07-04"


def write_mapping(path, catalog: Catalog, units: list[str], *, drop: str | None = None) -> None:
    """A mapping of every indicator and breakdown, and of `units`, to made-up DHIS2 ids; `drop`
    leaves one code out."""
    if path.suffix == ".csv":
        lines = ["type,code,measure,id", "dataSet,,,pBOMPrpg1QX"]
        lines += [f"orgUnit,{u},,OU{u}" for u in units if u != drop]
        for ind in catalog.indicators:
            for ms in (("month", "ytd") if ind.kind == "flow" else ("level",)):
                lines.append(f"dataElement,{ind.code},{ms},DE{ind.sort_order:03d}{ms[0]}")
        lines += [f"categoryOptionCombo,{b.code},,CC{b.code.split('.')[1]}" for b in catalog.breakdowns if b.code != drop]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    lines = ['dataSet = "pBOMPrpg1QX"', "[orgUnit]"] + [f'"{u}" = "OU{u}"' for u in units if u != drop]
    lines.append("[categoryOptionCombo]")
    lines += [f'"{b.code}" = "CC{b.code.split(".")[1]}"' for b in catalog.breakdowns if b.code != drop]
    for ind in catalog.indicators:
        lines.append(f"[dataElement.{ind.code}]")
        for ms in (("month", "ytd") if ind.kind == "flow" else ("level",)):
            lines.append(f'{ms} = "DE{ind.sort_order:03d}{ms[0]}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("ext", ["toml", "csv"])
def test_a_mapping_names_the_other_systems_codes_both_ways(sent, new_database, tmp_path, ext):
    import jsonschema

    with open_db(str(sent.db)) as db:
        cat = Catalog.from_db(db)
    mapping = tmp_path / f"m.{ext}"
    write_mapping(mapping, cat, ["230500", "230502", "230503"])
    out = tmp_path / "dvs.json"
    r = sent("export", "--period", PERIOD, "--unit", "230500", "--format", "dhis2-json", "--mapping", mapping, "-o", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, DATA_VALUE_SET)
    assert doc["dataSet"] == "pBOMPrpg1QX" and doc["orgUnit"] == "OU230500" and "idScheme" not in doc
    assert {v["orgUnit"] for v in doc["dataValues"]} == {"OU230500", "OU230502", "OU230503"}
    assert {v.get("categoryOptionCombo") for v in doc["dataValues"]} == {None, "CCfemale", "CCage4050",
                                                                       "CCzero_job_family"}
    other = new_database("other")
    res = other.json("import", out, "--json", "--mapping", mapping)[1][0]
    assert res["status"] == "imported", res
    assert figures(other.db) == figures(sent.db)
    # without the mapping the ids mean nothing here: every one is named
    r, rows = other.json("import", out, "--json")
    assert r.exit_code == 1 and rows[0]["errors"][0]["code"] == "exchange.unmapped"


def test_a_code_the_mapping_lacks_is_named_and_nothing_is_written(sent, tmp_path):
    with open_db(str(sent.db)) as db:
        cat = Catalog.from_db(db)
    mapping = tmp_path / "m.toml"
    write_mapping(mapping, cat, ["230500", "230502", "230503"], drop="230503")
    out = tmp_path / "dvs.csv"
    r = sent("export", "--period", PERIOD, "--format", "dhis2-csv", "--mapping", mapping, "-o", out)
    assert r.exit_code == 1 and "m.toml" in r.output and "230503" in r.output and "岭东区" in r.output
    assert not out.exists()
    write_mapping(mapping, cat, ["230500", "230502", "230503"], drop="trained.female")
    r = sent("export", "--period", PERIOD, "--format", "dhis2-csv", "--mapping", mapping, "-o", out)
    assert r.exit_code == 1 and "trained.female" in r.output
    assert sent("export", "--period", PERIOD, "--mapping", mapping).exit_code == 2  # a mapping is for DHIS2 only


def test_a_dhis2_value_that_cannot_be_read_is_named_by_its_line_and_field(cli, tmp_path):
    path = tmp_path / "dvs.json"
    path.write_text(json.dumps({"orgUnit": "230502", "dataValues": [
        {"dataElement": "reemployed", "period": "200306", "value": "12"},
        {"dataElement": "no_such_element", "period": "200306", "value": "1"},
        {"dataElement": "reemployed_ytd", "period": "2003Q2", "value": "30"},
        {"dataElement": "trained", "period": "200306", "categoryOptionCombo": "men", "value": "3"},
        {"dataElement": "bases", "period": "200306", "value": "1.5"},
    ]}), encoding="utf-8")
    r, rows = cli.json("import", path, "--json")
    assert r.exit_code == 1 and rows[0]["status"] == "rejected"
    assert [(e["sheet"], e["cell"], e["code"]) for e in rows[0]["errors"]] == [
        ("dataValues", "2:dataElement", "exchange.unmapped"), ("dataValues", "3:period", "exchange.dhis2_period"),
        ("dataValues", "4:categoryOptionCombo", "exchange.unmapped_combo"), ("dataValues", "5:value", "value.fraction")]
    text = cli("import", path).stdout
    assert "dvs.json › dataValues › 2:dataElement" in text and "no_such_element" in text
    assert query(cli.db, "SELECT COUNT(*) FROM figure") == [(0,)]


@pytest.mark.parametrize("name,text,where", [
    ("m.csv", "type,code,measure,id\norgUnit,230500,,OU1\nplace,230502,,OU2\n", "m.csv › 3 › type"),
    ("m.csv", "type,code,measure,id\ndataElement,bases,month,DE1\n", "m.csv › 2 › measure"),
    ("m.csv", "type,code,measure,id\norgUnit,999999,,OU1\n", "m.csv › 2 › code"),
    ("m.csv", "code,id\n230500,OU1\n", "m.csv › 1"),
    ("m.toml", '[dataElement.nothing]\nmonth = "DE1"\n', "m.toml › dataElement.nothing.month › code"),
    ("m.toml", '[orgUnit]\n"230500" = "OU1"\n"230502" = "OU1"\n', "m.toml"),
])
def test_a_mapping_file_that_cannot_be_used_is_named_by_line_and_field(cli, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = cli("export", "--period", PERIOD, "--format", "dhis2-json", "--mapping", path)
    assert r.exit_code == 1 and where in r.output, r.output
    r = cli("import", tmp_path / "nothing.json", "--mapping", path)
    assert r.exit_code == 1 and where in r.output, r.output


# -- the demo's end: a city's office sends its June summary ----------------------------------------------


def test_the_demo_ends_with_a_city_sending_its_june_summary_unchanged(demo_db):
    text = (demo_db.parent / "demo-output.txt").read_text(encoding="utf-8")
    tail = text[text.index("鹤岗市也用 shiwan"):]
    assert "鹤岗市_2003-06_汇总表.xlsx" in tail and "shiwan send" in tail
    line = next(x for x in tail.splitlines() if x.strip().startswith(str(demo_db.parent / "city")))
    assert "无变化" in line and "鹤岗市" in line
    assert "0 个修订、1 个无变化" in tail
    wb = openpyxl.load_workbook(demo_db.parent / "city" / "鹤岗市_2003-06_汇总表.xlsx")
    assert wb["_shiwan"]["B1"].value == "city" and wb["_shiwan"]["B2"].value == "230400"


def test_the_chain_says_what_differs(cli, new_database, tmp_path):
    from datetime import date
    from types import SimpleNamespace

    from shiwan.demo.chain import run_chain
    from shiwan.ref.units import UnitTree

    from helpers import city_summary

    held = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 45, 0, 0), ("向阳区", 3, 30, 0, 0)])
    assert cli("import", held).exit_code == 0
    city_db = new_database("city").db
    with open_db(str(cli.db)) as db:
        cat = Catalog.from_db(db)
        hegang = UnitTree.from_db(db).at(PERIOD).by_code["230400"]
        units = [hegang, *UnitTree.from_db(db).at(PERIOD).children(hegang.id)]
        figs = {(u.code, PERIOD): {"reemployed": (5.0, 45.0), "trained": (0.0, 0.0)} for u in units}
        figs[("230402", PERIOD)] = {"reemployed": (3.0, 31.0), "trained": (0.0, 0.0)}  # not what the province holds
        sim = SimpleNamespace(figures=figs, submitted={("230400", PERIOD): date(2003, 7, 4)}, missing=set())
        inds = [cat.by_code["reemployed"], cat.by_code["trained"]]
        import io

        out = io.StringIO()
        status = run_chain(db, city_db, tmp_path / "city", sim, inds, PERIOD, out)
    assert status == "revised"
    text = out.getvalue()
    line = next(x for x in text.splitlines() if x.startswith("向阳区") and "实现再就业人数" in x)
    assert line.split()[3:7] == ["3", "31", "3", "30"], line  # 本月, 本年累计 sent; those the province held


def test_the_demo_imports_with_a_progress_bar_on_a_terminal(cli, tmp_path, monkeypatch):
    import io

    from rich.console import Console

    import shiwan.render.output as output
    from shiwan.demo.run import _import_returns

    from helpers import city_summary

    monkeypatch.setattr(output, "is_terminal", lambda stream=None: True)
    folder = tmp_path / "returns"
    folder.mkdir()
    city_summary(folder / "鹤岗.xlsx", [("市本级", 5, 45, 0, 0)])
    with open_db(str(cli.db)) as db:
        assert _import_returns(db, folder, io.StringIO(), Console(file=io.StringIO())) == 0
    assert query(cli.db, "SELECT status FROM import_log") == [("imported",)]
