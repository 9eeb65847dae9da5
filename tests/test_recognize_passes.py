"""The recognition passes one at a time, on small grids built in memory: each takes plain data and
returns plain data, so each can be tried alone (the whole files are in test_layouts and test_redteam).
"""

from __future__ import annotations

import pytest

from shiwan.read.readers import Sheet
from shiwan.recognize import Options
from shiwan.recognize.columns import map_columns, read_columns, resolve_measures
from shiwan.recognize.grid import Grid
from shiwan.recognize.header import find_band, is_column_number_row, is_measure_unit_row
from shiwan.recognize.hits import find_hits
from shiwan.recognize.lines import read_lines, table_end
from shiwan.recognize.period import settle_period
from shiwan.recognize.rows import BLANK, DATA, NOT_REPORTED, classify_rows, find_label_columns
from shiwan.recognize.unitrows import resolve_rows
from shiwan.recognize.words import INCREMENT, LEVEL, MONTH, QUARTER, YTD, measure_of, row_word
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store.db import open_db


@pytest.fixture(scope="module")
def ref(initialised_db):
    with open_db(str(initialised_db)) as db:
        return Catalog.from_db(db), UnitTree.from_db(db)


def grid(rows, merged=(), name="Sheet1") -> Grid:
    return Grid(Sheet(name, [list(r) for r in rows], merged=list(merged)))


@pytest.mark.parametrize("text,kind,month", [
    ("本月", MONTH, None), ("当月", MONTH, None), ("7月", MONTH, 7), ("本年累计", YTD, None), ("1-6月", YTD, 6),
    ("截至5月底", YTD, 5), ("截止本月末累计", YTD, None), ("期末实有", LEVEL, None), ("季末数", LEVEL, None),
    ("本月新增", INCREMENT, None), ("本季", QUARTER, None), ("上年同期", "ignore", None), ("完成%", "ignore", None),
    ("上月累计", "ignore", None), ("累计新增", "ytd_increment", None),
])
def test_measure_words(text, kind, month):
    m = measure_of(text)
    assert m is not None and (m.kind, m.month) == (kind, month)


def test_words_that_are_no_measure():
    assert measure_of("实现再就业人数") is None and measure_of("合计") is None and measure_of("") is None


def test_row_words():
    assert row_word("合计", "合计") == "total" and row_word("全市合计", "全市合计") == "total"
    assert row_word("市区小计", "市区小计") == "subtotal" and row_word("其中:市区", "市区") == "subtotal"
    assert row_word("市本级", "市本级") == "own" and row_word("市总工会机关", "市总工会机关") == "own"
    assert row_word("道里区", "道里区") == "unit"


def test_header_band_two_rows_with_a_lanci_row(ref):
    cat, _ = ref
    g = grid([["哈尔滨市统计表", None, None], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"],
              ["甲", 1, 2], ["市本级", 5, 30]], merged=[(1, 1, 1, 2)])
    band = find_band(g, find_hits(g.sheet, cat), cat)
    assert band.rows == [1, 2] and band.head == 1 and band.skipped == [3] and band.first_data == 4
    assert is_column_number_row(g, 3) and not is_column_number_row(g, 4)


def test_a_measure_unit_row_is_not_figures():
    g = grid([["单位", "实现再就业人数", "扶持资金"], ["计量单位", "人", "万元"], ["市本级", 5, 1.5]])
    assert is_measure_unit_row(g, 1) and not is_measure_unit_row(g, 2)


def test_columns_breakdowns_under_and_beside_and_a_third_sub_column(ref):
    cat, _ = ref
    g = grid([["单位", "实现再就业人数", None, None, "职业培训人数", "其中:女性"],
              [None, "本月", "累计", "其中:4050人员", None, None],
              ["市本级", 5, 30, 9, 12, 4]], merged=[(0, 1, 0, 3)])
    hits = find_hits(g.sheet, cat)
    band = find_band(g, hits, cat)
    cmap = map_columns(read_columns(g, band, hits, cat), cat)
    assert cmap.slots["reemployed"] == {"month": 1, "ytd": 2}
    assert cmap.slots["reemployed.age4050"] == {"ytd": 3}  # the measure of the column before it
    assert [c.col for c in cmap.unresolved] == [4, 5]  # one-row columns: the title or --measure says
    resolve_measures(cmap, YTD, cat)
    assert cmap.slots["trained"] == {"ytd": 4} and cmap.slots["trained.female"] == {"ytd": 5}


def test_columns_a_stock_over_increment_and_level(ref):
    cat, _ = ref
    g = grid([["单位", "再就业基地数", None], [None, "本月新增", "期末数"], ["市本级", 1, 4]], merged=[(0, 1, 0, 2)])
    hits = find_hits(g.sheet, cat)
    cmap = map_columns(read_columns(g, find_band(g, hits, cat), hits, cat), cat)
    assert cmap.slots["bases"] == {"ytd": 2} and cmap.skipped[1][0] == "increment"


def test_the_unit_column_is_the_one_naming_units(ref):
    cat, tree = ref
    g = grid([["单位", None, "实现再就业人数"], ["市本级", None, 5], ["市区", "道里区", 3], [None, "南岗区", 2]])
    band = find_band(g, find_hits(g.sheet, cat), cat)
    assert find_label_columns(g, band, 2, tree)[0] == 1


def test_rows_blank_and_not_reported(ref):
    cat, _ = ref
    g = grid([["单位", "实现再就业人数", "职业培训人数"], ["道里区", 5, None], ["南岗区", None, None],
              ["道外区", "未报", None], ["合计", 5, 0]])
    band = find_band(g, find_hits(g.sheet, cat), cat)
    rows = classify_rows(g, band, g.height, 0, {1, 2}, {0}, None).rows
    assert [(r.label, r.kind, r.state) for r in rows] == [
        ("道里区", "unit", DATA), ("南岗区", "unit", BLANK), ("道外区", "unit", NOT_REPORTED), ("合计", "total", DATA)]


def test_rows_to_units_within_the_reporter(ref):
    cat, tree = ref
    g = grid([["单位", "实现再就业人数"], ["市本级", 5], ["向阳区", 3], ["合计", 8]])
    band = find_band(g, find_hits(g.sheet, cat), cat)
    rows = classify_rows(g, band, g.height, 0, {1}, {0}, None).rows
    problems = []
    hegang = tree.by_code["230400"]
    out = resolve_rows(g, rows, hegang, tree, 0, problems)
    assert not problems and [tree.by_id[u.unit_id].code for u in out.rows] == ["230400", "230402"]
    assert [t.label for t in out.totals] == ["合计"]


def _period(rows, name="Sheet1", file_name="", **opts):
    g = grid(rows, name=name)
    lines = read_lines(g, range(0, 2), range(table_end(g, 2), g.height))
    return settle_period(g, lines, Options(file_name=file_name, **opts), {})


def test_period_from_the_title_and_what_it_says_of_the_figures():
    found = _period([["统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"]])
    assert (found.period, found.ytd_said, found.problems) == ("2003-06", True, [])


def test_period_put_together_from_the_year_and_the_months():
    found = _period([["哈尔滨市总工会2003年统计表"], ["(截至5月底)"], ["单位", "实现再就业人数"]])
    assert found.period == "2003-05" and found.ytd_said


def test_period_sheet_name_against_the_title_is_refused_naming_both():
    found = _period([["统计表"], ["2003年7月"], ["单位", "实现再就业人数"]], name="6月")
    assert found.problems and found.problems[0].key == "layout.period_sources_conflict"
    assert found.problems[0].cell == "A2" and "6月" in found.problems[0].message()


def test_a_date_on_the_reporter_line_is_not_the_period():
    found = _period([["2003年6月"], ["填报单位:道里区总工会  填表人:王丽  2003年7月4日"], ["单位", "实现再就业人数"]])
    assert found.period == "2003-06" and not found.problems


def test_reporter_line_and_submitted_date():
    g = grid([["统计表"], ["填报单位:", "南岗区总工会", None], ["指标", "本月"], ["报出日期:2003年7月5日"]])
    lines = read_lines(g, range(0, 2), range(3, 4))
    assert lines.reporter == (1, 1, "南岗区总工会") and str(lines.submitted_on) == "2003-07-05"
