"""Issue 10: units over time — the tree standing at a period, spans and successors loaded from the
history, a code reused for another area being two units."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shiwan.cli import app
from shiwan.ref.units import UnitTree, parse_successors
from shiwan.ref.unitsfile import UnitsFileError, read_units_csv
from shiwan.store.db import open_db

from conftest import query

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


def test_init_loads_history_with_spans_and_can_upgrade_a_plain_list(cli, db_path):
    """A database made from the plain 2024 list, given the history: today's units keep their ids (and
    the figures stored for them), the units of other years are added."""
    before = dict(query(db_path, "SELECT code, id FROM unit WHERE code IN ('230104', '230102')"))
    r = cli("init", "--units", str(HISTORY))
    assert r.exit_code == 0, r.output
    rows = query(db_path, "SELECT id, first_year, last_year FROM unit WHERE code = '230104' ORDER BY first_year")
    assert [(f, t) for _, f, t in rows] == [(1983, 2003), (2004, 2005), (2006, 9999)]
    assert rows[-1][0] == before["230104"]
    assert query(db_path, "SELECT first_year FROM unit WHERE id = ?", (before["230102"],)) == [(1983,)]
    with open_db(str(db_path)) as db:
        t = UnitTree.from_db(db)
    assert [len(t.at(y).units) for y in (2003, 2024)] == [144, 135]
