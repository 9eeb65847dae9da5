"""Issue 10: quarters, half years and years as report periods — flows over the span and the year to
date at its end, stocks at its end, completeness month by month — against figures worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from shiwan.ref.periods import PeriodError, parse_span
from test_reports import by, import_summary, rows_of


def test_report_periods_are_read_in_every_usual_form():
    assert {parse_span(s).key for s in ("2004Q2", "2004q2", "2004-Q2", "2004年二季度", "2004年第二季度", "2004年2季度")} == {"2004Q2"}
    assert {parse_span(s).key for s in ("2004H1", "2004年上半年", "2004上半年")} == {"2004H1"}
    assert parse_span("2004年下半年").key == "2004H2" and parse_span("2004").key == parse_span("2004年").key == "2004"
    q = parse_span("2004Q2")
    assert (q.first, q.last, q.months()) == ("2004-04", "2004-06", ["2004-04", "2004-05", "2004-06"])
    assert parse_span("上半年", 2003).key == "2003H1" and parse_span("二季度", 2003).key == "2003Q2"
    assert parse_span("2004年6月").key == "2004-06" and parse_span("2004Q2").shifted_years(-1).key == "2003Q2"
    for bad in ("2004Q5", "2004H3", "上半年", "第五季度", "abc"):
        with pytest.raises(PeriodError):
            parse_span(bad)


@pytest.fixture
def hegang(cli, tmp_path):
    """鹤岗 (230400) 本级 every month of 2004 Q1–Q2's end, 向阳区 (230402) in March and June only; 2003-06 for 同比."""
    figs = {"2004-03": {"230400": {"reemployed": (10, 30), "bases": (None, 2)}, "230402": {"reemployed": (5, 20)}},
            "2004-04": {"230400": {"reemployed": (12, 42)}}, "2004-05": {"230400": {"reemployed": (15, 57)}},
            "2004-06": {"230400": {"reemployed": (13, 70)}, "230402": {"reemployed": (4, 35)}}}
    for period, f in figs.items():
        inds = ("reemployed", "bases") if period == "2004-03" else ("reemployed",)
        import_summary(cli, tmp_path, "230400", period, f, indicators=inds, submitted=date(2004, int(period[5:]) + 1, 3))
    import_summary(cli, tmp_path, "230400", "2003-06", {"230400": {"reemployed": (9, 50)}, "230402": {"reemployed": (4, 25)}},
                   indicators=("reemployed",), submitted=date(2003, 7, 3))
    return cli


def test_progress_for_a_quarter_by_hand(hegang):
    rows = rows_of(hegang, "report", "progress", "--under", "230400", "--period", "2004Q2", "-i", "reemployed", "-i", "bases")
    flow = by([r for r in rows if r["indicator"] == "reemployed"], "unit_code", "row_type")
    own, xy, total = flow[("230400", "own")], flow[("230402", "unit")], flow[("230400", "total")]
    # 本级: the quarter's months 12 + 15 + 13; 向阳区 reported March and June only: 35 − 20
    assert (own["in_period"], own["ytd"]) == (40, 70)
    assert (xy["in_period"], xy["ytd"]) == (15, 35)
    assert (total["in_period"], total["ytd"], total["target"]) == (55, 105, 1750)
    assert total["completion"] == pytest.approx(105 / 1750) and total["time_progress"] == pytest.approx(0.5)
    assert total["prev_ytd"] == 75 and total["yoy"] == pytest.approx((105 - 75) / 75)
    assert (total["period"], total["period_first"], total["period_last"]) == ("2004Q2", "2004-04", "2004-06")
    assert "month" not in total
    # a stock: the level at the end of the quarter, carried from March
    stock = by([r for r in rows if r["indicator"] == "bases"], "unit_code", "row_type")
    assert stock[("230400", "total")]["level"] == 2


def test_progress_for_a_half_year_and_a_year_by_hand(hegang):
    rows = rows_of(hegang, "report", "progress", "--under", "230400", "--period", "2004H1", "-i", "reemployed")
    total = by(rows, "unit_code", "row_type")[("230400", "total")]
    assert (total["in_period"], total["ytd"]) == (105, 105)  # January to June
    rows = rows_of(hegang, "report", "progress", "--under", "230400", "--period", "2004年二季度", "-i", "reemployed")
    assert by(rows, "unit_code", "row_type")[("230400", "total")]["in_period"] == 55
    # the second half year: nothing reported in it, the year to date carried from June
    rows = rows_of(hegang, "report", "progress", "--under", "230400", "--period", "2004H2", "-i", "reemployed")
    total = by(rows, "unit_code", "row_type")[("230400", "total")]
    assert (total["in_period"], total["ytd"]) == (None, 105)
    # a quarter written without its year is of the year of the latest data
    assert rows_of(hegang, "report", "progress", "--under", "230400", "--period", "二季度", "-i", "reemployed") == \
        rows_of(hegang, "report", "progress", "--under", "230400", "--period", "2004Q2", "-i", "reemployed")


def test_completeness_of_a_quarter_counts_its_months(hegang):
    rows = rows_of(hegang, "report", "completeness", "--under", "230400", "--period", "2004Q2")
    s = by([r for r in rows if r["section"] == "summary"], "unit_code", "row_type")
    # 鹤岗 本级 + 8 counties, three months: 27 expected; 本级 in April, May, June and 向阳区 in June
    assert (s[("230400", "total")]["expected"], s[("230400", "total")]["received"]) == (27, 4)
    missing = {(r["unit_code"], r["period"]) for r in rows if r["section"] == "missing"}
    assert ("230402", "2004-04") in missing and ("230402", "2004-06") not in missing and len(missing) == 23
    last = {(r["unit_code"], r["period"]): r["last_period"] for r in rows if r["section"] == "missing"}
    assert last[("230402", "2004-05")] == "2004-03"


def test_other_reports_take_a_quarter(hegang, tmp_path):
    trend = rows_of(hegang, "report", "trend", "-i", "reemployed", "--unit", "230400", "--from", "2004Q2", "--to", "2004Q2")
    assert [(r["period"], r["ytd"]) for r in trend] == [("2004-04", 62), ("2004-05", 77), ("2004-06", 105)]
    export = rows_of(hegang, "export", "--period", "2004Q2", "--unit", "230400")
    assert {r["period"] for r in export} == {"2004-04", "2004-05", "2004-06"}
    assert hegang("check", "--period", "2004H1").exit_code == 0
    bad = hegang("report", "progress", "--period", "2004Q5")
    assert bad.exit_code == 2 and "2004Q5" in bad.output
