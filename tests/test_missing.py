"""Issue 12: reports say what they do not know, in every format.

A figure carried from an earlier month is marked and not ranked; the 合计 says how many units sent
figures; a total held against the sum of some units' targets is marked partial and compared only
with those units' figures; 同比 compares like with like; the assessment cannot hide a late return.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from test_reports import by, import_summary, rows_of
from test_targets import SCHEME

from conftest import Cli


def test_the_demo_june_table_marks_jiamusi_as_not_reported_with_the_month_of_its_figures(demo_db, tmp_path):
    cli = Cli(demo_db)
    args = ("report", "progress", "--period", "2003-06", "-i", "reemployed")
    # the indicator's own section (its 其中 breakdowns follow it in sections of their own)
    rows = by([r for r in rows_of(cli, *args) if r["indicator"] == "reemployed"], "unit_code", "row_type")
    jms, total = rows[("230800", "unit")], rows[("230000", "total")]
    # the figures are May's: said so, not ranked, no 本月 (佳木斯: 本级 and the 11 counties of 2003)
    assert (jms["as_of"], jms["received"], jms["expected"]) == ("2003-05", 0, 12)
    assert (jms["ytd"], jms["month"], jms["rank"]) == (825, None, None)
    ranked = sorted(r["rank"] for r in rows.values() if r["row_type"] == "unit" and r["rank"] is not None)
    assert ranked == list(range(1, 13))  # twelve cities ranked, 1..12
    # the 合计 mixes June and May and says how many of its units sent June's figures
    assert (total["received"], total["expected"], total["as_of"]) == (131, 143, "2003-05")
    assert all(r["as_of"] == "2003-06" and r["received"] == r["expected"] for r in rows.values()
               if r["unit_code"] not in ("230800", "230000"))
    text = cli(*args).stdout
    line = next(x for x in text.splitlines() if x.startswith("佳木斯市"))
    assert "0/12" in line and "未报" in line and "825ᵃ" in line
    assert "ᵃ 未报,数据截至5月,不参加排名" in text
    assert "131/143" in next(x for x in text.splitlines() if x.startswith("合计")) and "ᵇ 含未报单位" in text
    md = cli(*args, "--format", "md").stdout
    assert "825ᵃ" in md and "ᵃ 未报,数据截至5月" in md
    csv_rows = {(r["unit_code"], r["row_type"]): r for r in csv.DictReader(io.StringIO(
        cli(*args, "--format", "csv").stdout.lstrip("\ufeff")))}
    assert (csv_rows[("230800", "unit")]["as_of"], csv_rows[("230800", "unit")]["received"]) == ("2003-05", "0")
    out = tmp_path / "p.xlsx"
    assert cli(*args, "-o", out).exit_code == 0
    ws = openpyxl.load_workbook(out).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 825)
    assert cell.number_format.endswith('"ᵃ"')  # numeric, shown as 825ᵃ
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "ᵃ 未报,数据截至5月,不参加排名" in texts and "未报" in texts
    english = cli(*args, lang="en").stdout
    assert "not reported; figures as of May; not ranked" in english


def test_a_partial_stock_target_is_held_against_the_targeted_units_only(cli, tmp_path):
    # 2004-06, bases: three cities report, two have a target (哈尔滨 2, 鹤岗 3); the province has none
    cli("targets", "set", "230100", "bases", "2004", "2")
    cli("targets", "set", "230400", "bases", "2004", "3")
    import_summary(cli, tmp_path, "230100", "2004-06", {"230100": {"bases": (None, 4)}}, indicators=("bases",))
    import_summary(cli, tmp_path, "230400", "2004-06", {"230400": {"bases": (None, 0)}}, indicators=("bases",))
    import_summary(cli, tmp_path, "230300", "2004-06", {"230300": {"bases": (None, 90)}}, indicators=("bases",))
    rows = by(rows_of(cli, "report", "progress", "--period", "2004-06", "-i", "bases"), "unit_code", "row_type")
    total = rows[("230000", "total")]
    assert (total["level"], total["target"], total["target_partial"], total["target_units"]) == (94, 5, True, 2)
    assert total["met"] is False  # 4 + 0 against 2 + 3, not 94 against 5
    assert (rows[("230100", "unit")]["met"], rows[("230400", "unit")]["met"]) == (True, False)
    # stocks are ranked by level ÷ target where there is one
    assert (rows[("230100", "unit")]["rank"], rows[("230400", "unit")]["rank"], rows[("230300", "unit")]["rank"]) == (1, 2, None)
    text = cli("report", "progress", "--period", "2004-06", "-i", "bases").stdout
    assert "13个单位中2个有目标单位" in text and "这2个单位中1个达到" in text
    assert "5ᵃ" in next(x for x in text.splitlines() if x.startswith("合计"))
    # a target of the province's own is the total's target, held against the whole
    cli("targets", "set", "230000", "bases", "2004", "100")
    total = by(rows_of(cli, "report", "progress", "--period", "2004-06", "-i", "bases"), "unit_code", "row_type")[
        ("230000", "total")]
    assert (total["target"], total["met"], total["target_partial"], total["target_units"]) == (100, False, False, None)


def test_a_partial_flow_target_and_yoy_like_with_like(cli, tmp_path):
    for city, ytd in (("230400", 40), ("230300", 50)):
        import_summary(cli, tmp_path, city, "2002-05", {city: {"reemployed": (10, ytd)}}, indicators=("reemployed",),
                       name=f"{city}a.xlsx")
        import_summary(cli, tmp_path, city, "2002-06", {city: {"reemployed": (10, ytd + 10)}}, indicators=("reemployed",),
                       name=f"{city}b.xlsx")
    import_summary(cli, tmp_path, "230400", "2003-05", {"230400": {"reemployed": (8, 44)}}, indicators=("reemployed",))
    import_summary(cli, tmp_path, "230300", "2003-06", {"230300": {"reemployed": (9, 66)}}, indicators=("reemployed",))
    rows = by(rows_of(cli, "report", "progress", "--period", "2003-06", "-i", "reemployed"), "unit_code", "row_type")
    hg, jx = rows[("230400", "unit")], rows[("230300", "unit")]
    # 鹤岗 stands at May: January–May against January–May of 2002, not against January–June
    assert (hg["as_of"], hg["ytd"], hg["prev_ytd"]) == ("2003-05", 44, 40) and hg["yoy"] == pytest.approx(0.1)
    assert (jx["as_of"], jx["prev_ytd"]) == ("2003-06", 60) and jx["yoy"] == pytest.approx(0.1)
    assert hg["rank"] is None and jx["rank"] is not None


def test_trend_and_campaign_mark_carried_months(cli, tmp_path):
    import_summary(cli, tmp_path, "230400", "2003-05", {"230400": {"reemployed": (8, 44)}}, indicators=("reemployed",))
    trend = rows_of(cli, "report", "trend", "-i", "reemployed", "--unit", "230400", "--from", "2003-04", "--to", "2003-06")
    assert [(r["period"], r["ytd"], r["as_of"], r["received"]) for r in trend] == [
        ("2003-04", None, None, 0), ("2003-05", 44, "2003-05", 1), ("2003-06", 44, "2003-05", 0)]
    text = cli("report", "trend", "-i", "reemployed", "--unit", "230400", "--from", "2003-04", "--to", "2003-06").stdout
    assert "44ᵃ" in text and "未报,数据截至5月" in text
    camp = by(rows_of(cli, "report", "campaign", "--period", "2003-06"), "unit_code", "row_type")
    assert camp[("230400", "unit")]["as_of"] == "2003-05" and camp[("230400", "unit")]["rank"] is None


def test_a_month_with_no_figures_at_all_is_refused_with_a_word(cli, tmp_path):
    import_summary(cli, tmp_path, "230400", "2003-05", {"230400": {"reemployed": (8, 44)}}, indicators=("reemployed",))
    result = cli("report", "progress", "--period", "2002-05")
    assert result.exit_code == 1 and "2002-05" in result.stderr and "2003-05" in result.stderr and not result.stdout
    assert cli("report", "progress", "--period", "2003-07").exit_code == 0  # carried figures: printed, marked


@pytest.fixture
def scored(tmp_path):
    """The test province of test_targets, three cities scored by its scheme."""
    from test_targets import CAMPAIGN, UNITS

    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(CAMPAIGN, encoding="utf-8")
    (tmp_path / "scheme.toml").write_text(SCHEME, encoding="utf-8")
    cli = Cli(tmp_path / "test.db")
    assert cli("init", "--units", tmp_path / "units.csv").exit_code == 0
    assert cli("campaign", "load", tmp_path / "campaign.toml").exit_code == 0
    for code in ("990100", "990200", "990300"):
        cli("targets", "set", code, "reemployed", "2003", "100")
        cli("targets", "set", code, "trained", "2003", "100")
    return cli


def _score(cli, tmp_path):
    rows = json.loads(cli("report", "assessment", "--year", "2003", "--as-of", "2003-02", "--scheme",
                          tmp_path / "scheme.toml", "--format", "json").stdout)
    return {r["unit_code"]: r for r in rows if r["section"] == "summary"}


def _send(cli, tmp_path, city: str, period: str, figs: dict, sent: date, name: str | None = None) -> None:
    from shiwan.demo.samples import write_city_summary
    from shiwan.ref.catalog import Catalog
    from shiwan.ref.units import UnitTree
    from shiwan.store.db import open_db

    with open_db(str(cli.db)) as db:
        tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    c = tree.by_code[city]
    members = [u for u in [c, *tree.children(c.id)] if u.code in figs]
    path = tmp_path / (name or f"{city}_{period}.xlsx")
    write_city_summary(path, c, members, period, figs, [cat.by_code[i] for i in ("reemployed", "trained", "bases",
                                                                                  "markets", "entities")], submitted=sent)
    out = json.loads(cli("import", path, "--json").stdout)[0]
    assert out["status"] == "imported", out


def test_the_assessment_shows_bonuses_and_every_late_return_in_the_rank(scored, tmp_path):
    stocks = {"bases": (None, 1), "markets": (None, 1), "entities": (None, 1)}
    full = {"reemployed": (10, 20), "trained": (10, 20), **stocks}  # 20 of 100 by February: 120% credited, capped
    county = {"reemployed": (0, 0), "trained": (0, 0)}
    _send(scored, tmp_path, "990100", "2003-01", {"990100": {"reemployed": (10, 10), "trained": (10, 10), **stocks},
                                                  "990101": county}, date(2003, 2, 3))
    _send(scored, tmp_path, "990300", "2003-01", {"990300": {"reemployed": (10, 10), "trained": (10, 10), **stocks}},
          date(2003, 2, 3))
    _send(scored, tmp_path, "990100", "2003-02", {"990100": full, "990101": county}, date(2003, 3, 4))
    _send(scored, tmp_path, "990300", "2003-02", {"990300": full}, date(2003, 3, 7))  # two days late
    # 乙 sends February late, and without its county: a month both late and incomplete
    _send(scored, tmp_path, "990200", "2003-02", {"990200": full}, date(2003, 3, 9))
    s = _score(scored, tmp_path)
    jia, yi, bing = s["990100"], s["990200"], s["990300"]
    # 60 + 40 + 6 bonus: the total is not capped at 100, so the bonus shows
    assert (jia["base"], jia["bonus"], jia["deduction"], jia["total"]) == (100, 6, 0, 106)
    assert (bing["late_months"], bing["deduction"], bing["total"]) == (1, 1, 105)
    assert (jia["rank"], bing["rank"]) == (1, 2)  # the late return costs a place
    # 乙: January missing (3), February late (1) and missing its county (3): capped at 4
    assert (yi["missing_months"], yi["late_months"], yi["deduction"], yi["total"]) == (2, 1, 4, 102)
    assert yi["rank"] == 3


def test_equal_totals_are_told_apart_by_late_months(scored, tmp_path):
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(SCHEME.replace("late = 1", "late = 0"), encoding="utf-8")  # lateness costs no points here
    stocks = {"bases": (None, 1), "markets": (None, 1), "entities": (None, 1)}
    figs = {"reemployed": (10, 10), "trained": (10, 10), **stocks}
    _send(scored, tmp_path, "990100", "2003-01", {"990100": figs, "990101": {"reemployed": (0, 0), "trained": (0, 0)}},
          date(2003, 2, 3))
    _send(scored, tmp_path, "990300", "2003-01", {"990300": figs}, date(2003, 2, 20))
    rows = json.loads(scored("report", "assessment", "--year", "2003", "--as-of", "2003-01", "--scheme", scheme,
                             "--format", "json").stdout)
    s = {r["unit_code"]: r for r in rows if r["section"] == "summary"}
    assert s["990100"]["total"] == s["990300"]["total"]
    assert (s["990100"]["rank"], s["990300"]["rank"]) == (1, 2)


def test_checklist_unknown_is_null_and_the_deadline_is_shown(cli, tmp_path):
    import_summary(cli, tmp_path, "230100", "2003-06", {"230100": {"bases": (None, 1), "markets": (None, 1), "entities": (None, 2),
                                                                   "agencies": (None, 2), "agencies_certified": (None, 2)}},
                   indicators=("bases", "markets", "entities", "agencies", "agencies_certified"))
    import_summary(cli, tmp_path, "230400", "2003-06", {"230400": {"bases": (None, 1), "markets": (None, 0), "entities": (None, 1)}},
                   indicators=("bases", "markets", "entities"))
    rows = by(rows_of(cli, "report", "checklist", "--period", "2003-06"), "unit_code")
    assert rows["230300"]["all_met"] is None and rows["230300"]["bases_met"] is None  # nothing reported: not known
    assert rows["230400"]["markets_met"] is False and rows["230400"]["overdue"] is False  # not due before 2003-12
    text = cli("report", "checklist", "--period", "2003-06").stdout
    assert "13个市中1个已实现“三个扶持建立”" in text and "2003年12月底前" in text
    assert "13个市中1个职业介绍机构全部获资质认证" in text
    import_summary(cli, tmp_path, "230400", "2003-12", {"230400": {"bases": (None, 1), "markets": (None, 0), "entities": (None, 1)}},
                   indicators=("bases", "markets", "entities"), name="hg12.xlsx")
    rows = by(rows_of(cli, "report", "checklist", "--period", "2003-12"), "unit_code")
    assert rows["230400"]["overdue"] is True and rows["230100"]["overdue"] is False
    text = cli("report", "checklist", "--period", "2003-12").stdout
    assert "期限2003年12月底已过:1个逾期未实现“三个扶持建立”:鹤岗市" in text
