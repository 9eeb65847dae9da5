"""Issue 4: every report's figures against values computed by hand, in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from shiwan.demo.samples import write_city_summary
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store.db import open_db


def import_summary(cli, tmp: Path, city: str, period: str, figs: dict[str, dict[str, tuple]], *,
                   indicators: tuple[str, ...] = ("reemployed", "trained", "bases"), submitted: date | None = None,
                   variant: int = 0, name: str | None = None) -> dict:
    """Write a hand-made city summary holding exactly `figs` (unit code -> indicator -> (month, ytd)) and import it."""
    with open_db(str(cli.db)) as db:
        tree, cat = UnitTree.from_db(db).at(period), Catalog.from_db(db)  # the units standing then
    c = tree.by_code[city]
    members = [u for u in [c, *tree.children(c.id)] if u.code in figs]
    full = {u.code: {k: figs[u.code].get(k, (0, 0)) for k in indicators} for u in members}
    path = tmp / (name or f"{c.name}{period}.xlsx")
    write_city_summary(path, c, members, period, full, [cat.by_code[i] for i in indicators], variant=variant,
                       submitted=submitted)
    result = cli("import", path, "--json")
    out = json.loads(result.stdout)[0]
    assert out["status"] in ("imported", "revised"), out
    return out


def rows_of(cli, *args) -> list[dict]:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by(rows, *keys):
    return {tuple(r.get(k) for k in keys) if len(keys) > 1 else r.get(keys[0]): r for r in rows}


@pytest.fixture
def scenario(cli, tmp_path):
    """2002-06 and 2003-05/06 for 哈尔滨 and 鹤岗; 鸡西 in 2003-06 only."""
    # previous year, for 同比
    import_summary(cli, tmp_path, "230100", "2002-06", {"230100": {"reemployed": (10, 80)}, "230102": {"reemployed": (5, 120)}},
                   indicators=("reemployed",), submitted=date(2002, 7, 3))
    import_summary(cli, tmp_path, "230100", "2003-05", {
        "230100": {"reemployed": (20, 90), "trained": (5, 50), "bases": (None, 2)},
        "230102": {"reemployed": (40, 250), "trained": (10, 60), "bases": (None, 1)},
    }, submitted=date(2003, 6, 4))
    import_summary(cli, tmp_path, "230100", "2003-06", {
        "230100": {"reemployed": (10, 100), "trained": (5, 55), "bases": (None, 3)},
        "230102": {"reemployed": (40, 290), "trained": (10, 70), "bases": (None, 1)},
    }, submitted=date(2003, 7, 4))
    import_summary(cli, tmp_path, "230400", "2003-05", {
        "230400": {"reemployed": (5, 40), "trained": (1, 10), "bases": (None, 1)},
        "230402": {"reemployed": (4, 26), "trained": (0, 5), "bases": (None, 0)},
    }, submitted=date(2003, 6, 5))
    import_summary(cli, tmp_path, "230400", "2003-06", {
        "230400": {"reemployed": (5, 45), "trained": (2, 12)},
        "230402": {"reemployed": (4, 30), "trained": (1, 6)},
    }, indicators=("reemployed", "trained"), submitted=date(2003, 7, 8))
    import_summary(cli, tmp_path, "230300", "2003-06", {"230300": {"reemployed": (63, 63)}}, indicators=("reemployed",))
    return cli


def test_progress_full(scenario):
    rows = rows_of(scenario, "report", "progress", "--period", "2003-06", "-i", "reemployed", "-i", "bases")
    flow = by([r for r in rows if r["indicator"] == "reemployed"], "unit_code", "row_type")
    hrb = flow[("230100", "unit")]
    assert (hrb["month"], hrb["ytd"], hrb["target"]) == (50, 390, 7800)
    assert hrb["completion"] == pytest.approx(0.05)
    assert hrb["prev_ytd"] == 200 and hrb["yoy"] == pytest.approx(0.95)  # (390-200)/200
    hg = flow[("230400", "unit")]
    assert (hg["month"], hg["ytd"], hg["completion"], hg["yoy"]) == (9, 75, 0.05, None)
    assert (hrb["rank"], hg["rank"], flow[("230300", "unit")]["rank"]) == (1, 1, 3)
    total = flow[("230000", "total")]
    assert (total["month"], total["ytd"], total["target"]) == (50 + 9 + 63, 390 + 75 + 63, 30000)
    # stocks: levels carried forward (鹤岗 reported bases in May only), summed over the subtree
    stock = by([r for r in rows if r["indicator"] == "bases"], "unit_code", "row_type")
    assert stock[("230100", "unit")]["level"] == 4  # 3 + 1 in June
    assert stock[("230400", "unit")]["level"] == 1  # May's 1 + 0, carried into June
    assert stock[("230000", "total")]["level"] == 5
    assert "completion" not in stock[("230100", "unit")]


def test_progress_time_basis_days(scenario):
    rows = rows_of(scenario, "report", "progress", "--period", "2003-06", "-i", "reemployed", "--time-basis", "days")
    hrb = by(rows, "unit_code")["230100"]
    assert hrb["time_progress"] == pytest.approx(round(181 / 365, 6))
    assert hrb["gap_pp"] == pytest.approx(round((0.05 - 181 / 365) * 100, 6), abs=1e-4)


def test_progress_default_period_is_latest(scenario):
    rows = rows_of(scenario, "report", "progress", "-i", "reemployed")
    assert {r["period"] for r in rows} == {"2003-06"}


def test_progress_under_city_includes_own_level(scenario):
    rows = rows_of(scenario, "report", "progress", "--under", "230100", "--period", "2003-05", "-i", "reemployed")
    r = by(rows, "unit_code", "row_type")
    assert r[("230100", "own")]["ytd"] == 90 and r[("230102", "unit")]["ytd"] == 250
    assert r[("230100", "total")]["ytd"] == 340
    assert r[("230100", "total")]["target"] == 7800
    assert r[("230103", "unit")]["ytd"] is None


def test_month_derived_from_ytd_and_carried_forward(cli, tmp_path):
    # a one-row-header (ytd only) summary: 本月 comes from the difference of 累计
    import_summary(cli, tmp_path, "230400", "2003-05", {"230400": {"reemployed": (0, 40)}}, indicators=("reemployed",),
                   variant=1, name="a.xlsx")
    import_summary(cli, tmp_path, "230400", "2003-06", {"230400": {"reemployed": (0, 52)}}, indicators=("reemployed",),
                   variant=1, name="b.xlsx")
    r = by(rows_of(cli, "report", "progress", "--period", "2003-06", "-i", "reemployed"), "unit_code")["230400"]
    assert (r["month"], r["ytd"]) == (12, 52)
    # July not reported: the year to date carries forward, 本月 is unknown
    r = by(rows_of(cli, "report", "progress", "--period", "2003-07", "-i", "reemployed"), "unit_code")["230400"]
    assert (r["month"], r["ytd"]) == (None, 52)


def test_campaign_report(cli, tmp_path):
    # 2003: 鹤岗 ytd 600 at December; 2004-03: ytd 150. Campaign 2003-01..2005-12 (36 months).
    import_summary(cli, tmp_path, "230400", "2003-12", {"230400": {"reemployed": (50, 600)}}, indicators=("reemployed",))
    import_summary(cli, tmp_path, "230400", "2004-03", {"230400": {"reemployed": (50, 150)}}, indicators=("reemployed",))
    rows = rows_of(cli, "report", "campaign", "--period", "2004-03")
    r = by(rows, "unit_code", "row_type")
    hg = r[("230400", "unit")]
    assert hg["achieved"] == 750 and hg["target"] == 5000
    assert hg["share"] == pytest.approx(0.15)
    assert hg["elapsed"] == pytest.approx(round(15 / 36, 6))
    assert hg["months_left"] == 21 and hg["remaining"] == 4250
    assert hg["per_month_needed"] == 203  # 4250 / 21 = 202.4, rounded up: 202 a month would fall short
    assert hg["gap_pp"] == pytest.approx((0.15 - 15 / 36) * 100, abs=1e-4)
    tot = r[("230000", "total")]
    assert tot["achieved"] == 750 and tot["target"] == 100000


def test_completeness(scenario):
    rows = rows_of(scenario, "report", "completeness", "--period", "2003-06")
    summary = by([r for r in rows if r["section"] == "summary"], "unit_code", "row_type")
    hrb = summary[("230100", "unit")]
    # 哈尔滨: 本级 + the 19 counties of 2003 expected; 本级 and 道里区 received on 7-4 (on time)
    assert (hrb["expected"], hrb["received"], hrb["on_time"], hrb["late"], hrb["missing"]) == (20, 2, 2, 0, 18)
    hg = summary[("230400", "unit")]
    assert (hg["expected"], hg["received"], hg["on_time"], hg["late"]) == (9, 2, 0, 2)
    late = [r for r in rows if r["section"] == "late"]
    # 鸡西's file gives no 报出日期: the day it was imported counts
    today = date.today()
    assert {(r["unit_code"], r["submitted_on"], r["days_late"]) for r in late} == {
        ("230400", "2003-07-08", 3), ("230402", "2003-07-08", 3),
        ("230300", today.isoformat(), (today - date(2003, 7, 5)).days)}
    missing = {r["unit_code"]: r for r in rows if r["section"] == "missing"}
    assert "230103" in missing and missing["230403"]["city_code"] == "230400"
    assert summary[("230000", "total")]["expected"] == 143  # the 144 units of 2003 but the province
    # a later deadline makes 鹤岗 on time
    rows = rows_of(scenario, "report", "completeness", "--period", "2003-06", "--deadline-day", "10")
    hg = by([r for r in rows if r["section"] == "summary"], "unit_code", "row_type")[("230400", "unit")]
    assert (hg["on_time"], hg["late"]) == (2, 0)
    assert "2003-07-10" in {r["deadline"] for r in rows if r["section"] == "summary"}


def test_trend(scenario):
    rows = rows_of(scenario, "report", "trend", "-i", "reemployed", "--unit", "230100", "--from", "2003-04", "--to", "2003-06")
    assert [(r["period"], r["month"], r["ytd"]) for r in rows] == [
        ("2003-04", None, None), ("2003-05", 60, 340), ("2003-06", 50, 390)]


def test_checklist(cli, tmp_path):
    import_summary(cli, tmp_path, "230100", "2003-06", {"230100": {"bases": (None, 1), "markets": (None, 1), "entities": (None, 2),
                                                                   "agencies": (None, 2), "agencies_certified": (None, 1)}},
                   indicators=("bases", "markets", "entities", "agencies", "agencies_certified"))
    import_summary(cli, tmp_path, "230400", "2003-06", {"230400": {"bases": (None, 1), "markets": (None, 0), "entities": (None, 1)}},
                   indicators=("bases", "markets", "entities"))
    rows = by(rows_of(cli, "report", "checklist", "--period", "2003-06"), "unit_code")
    assert rows["230100"]["all_met"] is True and rows["230100"]["agencies"] == 2 and rows["230100"]["agencies_certified"] == 1
    assert rows["230100"]["agencies_all_certified"] is False
    assert rows["230400"]["all_met"] is False and rows["230400"]["markets_met"] is False
    assert rows["230300"]["all_met"] is None


REPORTS = [
    ("progress", ["--period", "2003-06"]),
    ("campaign", ["--period", "2003-06"]),
    ("completeness", ["--period", "2003-06"]),
    ("trend", ["-i", "reemployed"]),
    ("checklist", ["--period", "2003-06"]),
]


@pytest.mark.parametrize("name,args", REPORTS, ids=[r[0] for r in REPORTS])
def test_every_format_agrees(scenario, tmp_path, name, args):
    cli = scenario
    js = rows_of(cli, "report", name, *args)
    csv_out = cli("report", name, *args, "--format", "csv").stdout
    assert csv_out.startswith("\ufeff")
    csv_rows = list(csv.DictReader(io.StringIO(csv_out.lstrip("\ufeff"))))
    assert len(csv_rows) == len(js)
    for j, c in zip(js, csv_rows, strict=True):
        for k, v in j.items():
            assert c[k] == ("" if v is None else str(v)), (k, v, c[k])
    md = cli("report", name, *args, "--format", "md").stdout
    text = cli("report", name, *args).stdout
    xlsx = tmp_path / f"{name}.xlsx"
    assert cli("report", name, *args, "-o", xlsx).exit_code == 0
    ws = openpyxl.load_workbook(xlsx).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    # every figure of the json appears in the text, the markdown and the workbook
    counts = ("expected", "received") if name == "completeness" else ()
    for r in js:
        if name != "checklist" and not counts and any(x["received"] < x["expected"] for x in js):
            shown = f"{r['received']}/{r['expected']}"  # how many of the row's units reported
            assert shown in text and shown in md and shown in cells, shown
        for key in ("ytd", "achieved", "level", "month", *counts):
            v = r.get(key)
            if isinstance(v, int) and v >= 1000:
                assert f"{v:,}" in text and f"{v:,}" in md
            elif isinstance(v, int):
                assert str(v) in text and str(v) in md
            if isinstance(v, (int, float)):
                assert v in cells, (key, v)
        for key in ("completion", "share", "on_time_rate"):
            v = r.get(key)
            if v is not None:
                assert f"{v * 100:.1f}%" in text and f"{v * 100:.1f}%" in md
                assert any(isinstance(c, float) and abs(c - v) < 1e-9 for c in cells) or v in cells


def test_output_extension_picks_format(scenario, tmp_path):
    for ext in ("csv", "json", "md"):
        out = tmp_path / f"p.{ext}"
        assert scenario("report", "progress", "-o", out).exit_code == 0
        text = out.read_text(encoding="utf-8-sig")
        if ext == "json":
            assert json.loads(text)[0]["indicator"] == "reemployed"
        elif ext == "csv":
            assert text.startswith("unit_code,")
        else:
            assert text.startswith("# ")


def test_xlsx_progress_structure(scenario, tmp_path):
    out = tmp_path / "progress.xlsx"
    assert scenario("report", "progress", "--period", "2003-06", "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws["A1"].value.endswith("进展情况统计表")
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert any(m.startswith("A1:") for m in merged) and "A4:A5" in merged
    assert ws["A2"].value == "(2003年1-6月)"
    assert ws["A3"].value.startswith("填报单位:黑龙江省")
    # two-row header: section title merged over its columns, sub-headers below (the first of them how
    # many of the row's units reported, since not all did in this scenario)
    assert ws["B4"].value == "实现再就业人数(人)" and ws["B5"].value == "已报/应报"
    assert (ws["C5"].value, ws["D5"].value) == ("本月", "本年累计")
    assert any(m.startswith("B4:") for m in merged)
    labels = [ws.cell(r, 1).value for r in range(6, ws.max_row + 1)]
    total_row = 6 + labels.index("合计")
    assert ws.cell(total_row, 1).font.b
    assert ws.cell(total_row, 4).value == 390 + 75 + 63
    hrb_row = 6 + labels.index("哈尔滨市")
    assert ws.cell(hrb_row, 2).value == "2/20"  # 本级 and the 19 counties of 2003
    completion = next(c for c in range(2, 12) if ws.cell(5, c).value == "完成率")
    assert ws.cell(hrb_row, completion).number_format == "0.0%"
    assert ws.cell(hrb_row, completion).value == pytest.approx(0.05)
    gap = next(c for c in range(2, 12) if ws.cell(5, c).value.startswith("进度差"))
    assert "落后" in ws.cell(hrb_row, gap).number_format
    # three indicators do not fit one A4 page at a legible scale: the third goes in a second table
    # under the first (续), a page of its own, with the unit column again; only that column stays put
    assert ws.freeze_panes == "B1"
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert texts.count("职业培训人数(人)") == 1 and any(x.endswith("进展情况统计表(续)") for x in texts)
    assert [int(b.id) for b in ws.row_breaks.brk] == [total_row]
    # A4 landscape at a legible scale, the generation time in the footer, the signature line under the table
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.scale) >= 75
    assert "生成时间" in ws.oddFooter.left.text
    assert any(x.startswith("制表人") and "审核人" in x and "报出日期" in x for x in texts)
    # the chart on a sheet of its own, so that no page break cuts it: bars of completion, a line of 时间进度
    chart_ws = wb["图表"]
    assert len(ws._charts) == 0 and len(chart_ws._charts) == 1
    chart = chart_ws._charts[0]
    assert chart.tagname == "barChart" and chart.type == "col"
    assert [c.tagname for c in chart._charts] == ["barChart", "lineChart"]


def test_english_reports(scenario):
    out = scenario("report", "progress", "-i", "reemployed", lang="en").stdout
    assert "Completion" in out and "Total" in out and "完成率" not in out


def test_deadline_day_is_a_setting(scenario):
    assert scenario("config", "set", "deadline_day", "10").exit_code == 0
    assert scenario("config", "set", "deadline_day", "40").exit_code == 2
    assert scenario("config", "set", "colour", "red").exit_code == 2
    listed = json.loads(scenario("config", "list", "--format", "json").stdout)
    assert listed == [{"key": "deadline_day", "value": "10"}]
    rows = rows_of(scenario, "report", "completeness", "--period", "2003-06")
    hg = by([r for r in rows if r["section"] == "summary"], "unit_code", "row_type")[("230400", "unit")]
    assert (hg["on_time"], hg["late"], hg["deadline"]) == (2, 0, "2003-07-10")
