"""Issue 10: units over time — the tree standing at a period, spans and successors loaded from the
history, a code reused for another area being two units."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shiwan.cli import app
from shiwan.ref.units import UnitTree, parse_successors
from shiwan.ref.unitsfile import UnitsFileError, read_units_csv
from shiwan.store.db import open_db

from conftest import Cli, query

DATA = Path(__file__).resolve().parents[1] / "data"
HISTORY = DATA / "divisions-heilongjiang-history.csv"


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> UnitTree:
    path = tmp_path_factory.mktemp("hist") / "h.db"
    r = CliRunner().invoke(app, ["--db", str(path), "init", "--units", str(HISTORY)])
    assert r.exit_code == 0, r.output
    with open_db(str(path)) as db:
        return UnitTree.from_db(db)


def names_under(view: UnitTree, code: str) -> list[str]:
    return [u.name for u in view.children(view.by_code[code].id)]


def test_the_official_counts_of_each_year(tree):
    # the yearly tables: 144 divisions in 2003, 2004 and 2005, 135 in 2024
    assert [len(tree.at(y).units) for y in (2003, 2004, 2005, 2024)] == [144, 144, 144, 135]
    assert len(tree.at("2003-06").units) == 144 and tree.at("2004Q2") is tree.at("2004-01")


def test_yichun_2003_has_its_fifteen_old_districts(tree):
    v = tree.at("2003-06")
    kids = names_under(v, "230700")
    assert len(kids) == 17 and "伊春区" in kids and "上甘岭区" in kids and "伊美区" not in kids
    # each old district resolves by its name, inside 伊春 or not, and 伊春区 is not 伊春市
    for name in ("伊春区", "友好区", "乌马河区", "带岭区", "美溪区", "金山屯区", "汤旺河区"):
        res = v.resolve(name)
        assert res.unit is not None and res.unit.parent_id == v.by_code["230700"].id, name
    assert v.resolve("伊春区").unit.code == "230702" and v.resolve("伊春市").unit.code == "230700"
    assert v.resolve("友好区").unit.code == "230704"  # 2019's 友好区 is 230719
    assert tree.at(2024).resolve("友好区").unit.code == "230719"


def test_harbin_before_and_after_2004(tree):
    y2003, y2004 = tree.at("2003-12"), tree.at("2004-01")
    assert {"太平区", "动力区", "呼兰县"} <= set(names_under(y2003, "230100"))
    assert "松北区" not in names_under(y2003, "230100") and "松北区" in names_under(y2004, "230100")
    assert y2003.resolve("太平区").unit is not None and y2004.resolve("太平区").unit is None
    assert len(names_under(y2003, "230100")) == 19


def test_a_code_reused_across_2004_is_two_units(tree):
    before, after = tree.at(2003).by_code["230104"], tree.at(2004).by_code["230104"]
    assert before.id != after.id and before.name == after.name == "道外区"
    assert (before.first_year, before.last_year) == (1983, 2003) and after.first_year == 2004
    assert [u.id for u in tree.codes_of("230104")][:2] == [before.id, after.id]
    assert tree.find("230104", "2003-06") is before and tree.find("230104", "2004-06") is after
    # the earlier unit names the later one (and 松北区, which took part of its area) as successors
    assert parse_successors(before.successors) == [("230104", None), ("230109", 2004)]
    # without a period, a code means its latest unit and a name the latest unit of that name
    assert tree.by_code["230104"].last_year == 9999
    assert tree.resolve("香坊区").unit.code == "230110"


def test_view_has_the_trees_methods_and_is_cheap(tree):
    v = tree.at(2003)
    hrb = v.by_code["230100"]
    assert v.common_parent(["道里区", "太平区", "呼兰县"]) is hrb
    assert [u.name for u in v.find_in_text("哈尔滨市太平区总工会")] == ["哈尔滨市", "太平区"]
    assert v.top().code == "230000" and v.base is tree and v.at(2004) is tree.at(2004)
    assert v.unit(tree.at(2024).by_code["230109"].id).name == "松北区"  # any unit, standing or not
    assert all(u.stands(2003) for u in v.everything())
    # sent to a worker process and back, a tree still answers for every year
    again = pickle.loads(pickle.dumps(tree))
    assert len(again.at(2003).units) == 144


def test_successors_syntax():
    assert parse_successors("230109;230111") == [("230109", None), ("230111", None)]
    assert parse_successors("230104[2004]") == [("230104", 2004)]
    assert parse_successors("") == []
    with pytest.raises(ValueError):
        parse_successors("230104[20x4]")


def test_plain_list_stands_always_and_history_rows_are_checked(tmp_path):
    rows = read_units_csv(DATA / "divisions-heilongjiang.csv")
    assert len(rows) == 135 and all((r.first_year, r.last_year) == (0, 9999) for r in rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code,first_year,last_year\n230000,省,province,,1981,\n"
                   "230100,甲市,city,230000,1990,2005\n230100,乙市,city,230000,2004,\n", encoding="utf-8")
    with pytest.raises(UnitsFileError) as e:
        read_units_csv(bad)
    assert "bad.csv:4" in str(e.value) and "230100" in str(e.value)
    bad.write_text("code,name,level,parent_code,first_year,last_year\n230000,省,province,,1981,\n"
                   "230100,甲市,city,230000,2006,2003\n", encoding="utf-8")
    with pytest.raises(UnitsFileError, match=r"bad.csv:3"):
        read_units_csv(bad)


def test_init_loads_history_and_upgrades_a_plain_list(new_db):
    """A database made from the plain 2024 list, given the history: today's units keep their ids (and
    the figures stored for them), the units of other years are added."""
    loc = new_db()
    cli = Cli(loc)
    assert cli("init", "--units", str(DATA / "divisions-heilongjiang.csv")).exit_code == 0
    before = dict(query(loc, "SELECT code, id FROM unit WHERE code IN ('230104', '230102')"))
    r = cli("init", "--units", str(HISTORY))
    assert r.exit_code == 0, r.output
    rows = query(loc, "SELECT id, first_year, last_year FROM unit WHERE code = '230104' ORDER BY first_year")
    assert [(f, t) for _, f, t in rows] == [(1983, 2003), (2004, 2005), (2006, 9999)]
    assert rows[-1][0] == before["230104"]
    assert query(loc, "SELECT first_year FROM unit WHERE id = ?", (before["230102"],)) == [(1983,)]
    with open_db(str(loc)) as db:
        t = UnitTree.from_db(db)
    assert [len(t.at(y).units) for y in (2003, 2024)] == [144, 135]


# -- through the CLI, on the default database (which loads the history) ------------------------------------


def summary(cli, tmp_path, city: str, period: str, figs: dict[str, tuple[int, int]], name: str | None = None) -> dict:
    """A hand-made city summary of 实现再就业人数 for `period`, its rows named as the units standing then."""
    from shiwan.demo.samples import write_city_summary
    from shiwan.ref.catalog import Catalog

    with open_db(str(cli.db)) as db:
        view, cat = UnitTree.from_db(db).at(period), Catalog.from_db(db)
    c = view.by_code[city]
    members = [u for u in [c, *view.children(c.id)] if u.code in figs]
    path = tmp_path / (name or f"{c.name}{period}.xlsx")
    write_city_summary(path, c, members, period, {u.code: {"reemployed": figs[u.code]} for u in members},
                       [cat.by_code["reemployed"]])
    r = cli("import", path, "--json")
    return json.loads(r.stdout)[0]


def figure_units(db, code: str) -> dict[str, tuple[int, int]]:
    """period -> (first_year, last_year) of the unit of `code` each stored figure belongs to."""
    rows = query(db, "SELECT f.period, u.first_year, u.last_year FROM figure f JOIN unit u ON u.id = f.unit_id "
                     "WHERE u.code = ?", (code,))
    return {p: (a, b) for p, a, b in rows}


def test_a_2003_yichun_return_with_its_old_districts_imports(cli, db_path, tmp_path):
    with open_db(str(db_path)) as db:
        view = UnitTree.from_db(db).at("2003-06")
    kids = view.children(view.by_code["230700"].id)
    figs = {"230700": (10, 60), **{u.code: (1 + n, 10 + n) for n, u in enumerate(kids)}}
    r = summary(cli, tmp_path, "230700", "2003-06", figs)
    assert r["status"] == "imported" and r["new"] == 18, r
    stored = dict(query(db_path, "SELECT u.code, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id "
                                 "WHERE f.period = '2003-06'"))
    assert stored["230702"] == figs["230702"][1] and stored["230704"] == figs["230704"][1]  # 伊春区, 友好区 of 2003
    assert "230719" not in stored  # 2019's 友好区


def test_songbei_is_not_expected_before_2004(cli, tmp_path):
    def missing(period):
        _, rows = cli.json("report", "completeness", "--under", "230100", "--period", period, "--format", "json")
        return {r["unit_code"] for r in rows if r["section"] == "missing"}

    assert "230109" not in missing("2003-06") and "230105" in missing("2003-06")  # 松北区 no, 太平区 yes
    assert "230109" in missing("2004-06") and "230105" not in missing("2004-06")
    _, rows = cli.json("report", "completeness", "--under", "230100", "--period", "2003-06", "--format", "json")
    assert next(r for r in rows if r["row_type"] == "total")["expected"] == 20
    # a 2003 return naming 松北区 is refused at its cell, not stored for a district that did not exist yet
    rows = [["哈尔滨市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
            ["市本级", 5, 30], ["松北区", 1, 4]]
    from helpers import sheet_rows

    r = json.loads(cli("import", sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3"]), "--json").stdout)[0]
    assert r["status"] == "rejected" and "松北区" in r["errors"][0]["message"], r


def test_a_code_reused_across_2004_resolves_by_period(cli, db_path, tmp_path):
    summary(cli, tmp_path, "230100", "2003-06", {"230100": (5, 30), "230104": (3, 20), "230105": (2, 9)})
    summary(cli, tmp_path, "230100", "2004-06", {"230100": (6, 33), "230104": (4, 25)})
    assert figure_units(db_path, "230104") == {"2003-06": (1983, 2003), "2004-06": (2004, 2005)}
    # the reports of each year see the 道外区 of that year
    _, rows = cli.json("report", "progress", "--under", "230100", "--period", "2004-06", "-i", "reemployed",
                       "--format", "json")
    dw = by_code(rows)["230104"]
    assert dw["ytd"] == 25 and dw["yoy"] is None and dw["yoy_basis"] == "none"  # split and merged: no like for like
    r = cli("report", "progress", "--under", "230100", "--period", "2004-06", "-i", "reemployed")
    assert "道外区:2004年前后区划调整" in r.stdout and "松北区(230109)" in r.stdout
    _, rows = cli.json("history", "--unit", "230104", "--format", "json")
    assert {r["period"] for r in rows} == {"2003-06", "2004-06"}


def test_a_merger_is_compared_like_with_like(cli, db_path, tmp_path):
    """动力区 merged into 香坊区 in 2006: 香坊区's 2006 is compared with 香坊区 + 动力区 of 2005."""
    summary(cli, tmp_path, "230100", "2005-06", {"230100": (5, 30), "230110": (4, 40), "230107": (3, 20)})
    summary(cli, tmp_path, "230100", "2006-06", {"230100": (6, 33), "230110": (9, 90)})
    _, rows = cli.json("report", "progress", "--under", "230100", "--period", "2006-06", "-i", "reemployed",
                       "--format", "json")
    xf = by_code(rows)["230110"]
    assert (xf["ytd"], xf["prev_ytd"], xf["yoy_basis"]) == (90, 60, "successors")
    assert xf["yoy"] == pytest.approx(0.5)
    assert "动力区(230107)、香坊区(230110)" in cli("report", "progress", "--under", "230100", "--period", "2006-06",
                                                   "-i", "reemployed").stdout
    # the trend of today's 香坊区 counts both before the merger
    _, trend = cli.json("report", "trend", "-i", "reemployed", "--unit", "230110", "--from", "2005-06", "--to", "2006-06",
                        "--format", "json")
    assert (trend[0]["ytd"], trend[0]["basis"]) == (60, "successors") and trend[-1]["ytd"] == 90


def test_a_new_code_is_compared_with_its_predecessor_in_campaign_totals(cli, db_path, tmp_path):
    """香坊区 was 230106 until 2003 and 230110 from 2004: its campaign total counts both years."""
    summary(cli, tmp_path, "230100", "2003-12", {"230100": (5, 30), "230106": (10, 100), "230104": (1, 50)})
    assert figure_units(db_path, "230106") == {"2003-12": (1983, 2003)}
    summary(cli, tmp_path, "230100", "2004-12", {"230100": (6, 33), "230110": (9, 80), "230104": (2, 40)})
    _, rows = cli.json("report", "campaign", "--under", "230100", "--period", "2004-12", "--format", "json")
    r = by_code(rows)
    assert (r["230110"]["achieved"], r["230110"]["achieved_basis"]) == (180, "successors")
    # 道外区: 2003's area went partly to 松北区; only 2004 on counts, and the report says why
    assert (r["230104"]["achieved"], r["230104"]["achieved_basis"]) == (40, "partial")
    total = next(x for x in rows if x["row_type"] == "total")
    assert total["achieved"] == 30 + 100 + 50 + 33 + 80 + 40  # the city as a whole is the same city


def by_code(rows: list[dict]) -> dict[str, dict]:
    return {r["unit_code"]: r for r in rows if r.get("row_type") == "unit"}


def test_the_importer_puts_every_figure_on_the_unit_standing_at_its_period(db_path):
    """Whatever unit of a code (or of a name under the same city) a return's figures name, they are
    stored for the one standing at the period; a unit that did not stand then is refused at its cell."""
    import hashlib

    from shiwan.read.sandbox import Parsed
    from shiwan.recognize import FigureIn, ParsedFile, ReturnIn
    from shiwan.ref.catalog import Catalog
    from shiwan.store.importer import Importer

    with open_db(str(db_path)) as db:
        tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
        now = tree.at(2024)
        hrb = tree.at(2003).by_code["230100"]

        def apply(name, *figs):
            ret = ReturnIn(form="summary", reporter_id=hrb.id, period="2003-06", sheet="S",
                           figures=[FigureIn(u.id, "reemployed", None, v, "", cell) for u, v, cell in figs])
            parsed = ParsedFile(returns=[ret], form="summary", reporter_id=hrb.id, period="2003-06")
            return Importer(db, cat, tree).apply(name, Parsed(name, hashlib.sha256(name.encode()).hexdigest(), 1, parsed))

        # today's 道外区 (a code reused) and today's 香坊区 (230110, a name of 2003's 230106)
        res = apply("a.xlsx", (now.by_code["230104"], 20, "C5"), (now.by_code["230110"], 30, "C6"))
        assert res.status == "imported", res.problems
        res = apply("b.xlsx", (now.by_code["230109"], 4, "C7"))  # 松北区, from 2004
        assert res.status == "rejected"
        assert [(p.key, p.cell) for p in res.errors] == [("import.not_standing", "C7")]
    assert figure_units(db_path, "230104") == {"2003-06": (1983, 2003)}
    assert figure_units(db_path, "230106") == {"2003-06": (1983, 2003)} and figure_units(db_path, "230110") == {}


def test_templates_list_the_units_standing_at_their_period(cli, db_path, tmp_path):
    import openpyxl

    def rows_of(period):
        out = tmp_path / f"{period}.xlsx"
        assert cli("template", "city", "--unit", "230100", "--period", period, "-o", out).exit_code == 0
        ws = openpyxl.load_workbook(out).worksheets[0]
        return [ws.cell(r, 2).value for r in range(7, ws.max_row + 1) if ws.cell(r, 2).value][:20]

    y2003, y2004 = rows_of("2003-06"), rows_of("2004-06")
    assert "太平区" in y2003 and "呼兰县" in y2003 and "松北区" not in y2003
    assert "松北区" in y2004 and "呼兰区" in y2004 and "太平区" not in y2004
    # a unit return of 2003 for 道外区 is stored for the 道外区 of 2003
    out = tmp_path / "dw.xlsx"
    assert cli("template", "county", "--unit", "230104", "--period", "2003-06", "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    wb.worksheets[0]["E5"] = 20
    wb.save(out)
    assert cli("import", out).exit_code == 0
    assert figure_units(db_path, "230104") == {"2003-06": (1983, 2003)}
    r = cli("template", "county", "--unit", "230109", "--period", "2003-06", "-o", tmp_path / "sb.xlsx")
    assert r.exit_code == 1 and "2004–" in r.output  # 松北区 did not stand in 2003


def test_a_unit_of_another_year_is_named_with_its_years(cli, db_path, tmp_path):
    from conftest import snapshot
    from helpers import sheet_rows

    rows = [["哈尔滨市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
            ["道里区", 5, 30], ["松北区", 3, 12]]
    before = snapshot(db_path)
    result = cli("import", sheet_rows(rows, tmp_path / "a.xlsx", merges=["B3:C3"]), "--json")
    out = json.loads(result.stdout)[0]
    assert result.exit_code == 1 and [(e["cell"], e["code"]) for e in out["errors"]] == [("A6", "layout.unit_not_standing")]
    assert "2004" in out["errors"][0]["message"] and "units add" not in out["errors"][0]["message"]
    assert snapshot(db_path) == before
