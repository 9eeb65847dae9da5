"""Outlier warnings: few and true. Two years of smooth simulated figures for the whole province (every
unit, every flow) give next to none; a planted jump is found; no warning quotes a range that holds
its own figure. The same rule serves an arriving file and `check --period` (check/outliers.py).
"""

from __future__ import annotations

import json

import pytest

from shiwan.check.outliers import outlier
from shiwan.ref import periods
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store.db import open_db


def _store_two_years(db_path, spike: tuple[str, str, str] | None = None) -> int:
    """Simulated 2003 and 2004 figures of every unit written as one import; returns how many."""
    from shiwan.demo.samples import simulate

    with open_db(str(db_path)) as db:
        tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
        province = tree.top()
        with db.transaction():
            imp = db.insert("import_log", {
                "kind": "file", "file_name": "sim.xlsx", "file_path": "sim.xlsx", "sha256": "", "size": 0, "form": "city",
                "period": "", "submitted_on": "", "imported_at": "2005-01-01", "os_user": "", "status": "imported",
                "n_new": 0, "n_changed": 0, "n_unchanged": 0, "n_warnings": 0, "problems": "[]"})
            rows = []
            for year, seed in ((2003, 11), (2004, 12)):
                sim = simulate(tree, cat, province, {}, year, 12, seed)
                for (code, period), figs in sim.figures.items():
                    for ind_code, (month, ytd) in figs.items():
                        if spike == (code, ind_code, period):
                            month, ytd = month * 10, ytd + month * 9
                        rows.append({"u": tree.at(year).by_code[code].id, "i": cat.by_code[ind_code].id, "p": period,
                                     "m": month, "y": ytd, "imp": imp})
            db.many("INSERT INTO figure (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, "
                    "month_cell, ytd_cell, warnings) VALUES (:u, :i, :p, 0, :m, :y, :imp, 'Sheet1', 'C5', 'D5', '')", rows)
    return len(rows)


def _outliers(cli, year: int) -> list[dict]:
    found = []
    for m in range(1, 13):
        result = cli("check", "--period", periods.make(year, m), "--format", "json")
        found += [f for f in json.loads(result.stdout) if f["code"] == "quality.outlier"]
    return found


@pytest.mark.slow
def test_smooth_figures_give_next_to_no_warnings_and_a_jump_is_found(cli, db_path):
    n = _store_two_years(db_path, spike=("230100", "reemployed", "2004-07"))
    found = _outliers(cli, 2004)
    flows = n // 2 * 12 // 19  # figures of 2004 that are flows, roughly
    assert any(f["unit_code"] == "230100" and f["indicator"] == "reemployed" and f["period"] == "2004-07"
               for f in found), found
    assert len(found) <= max(3, flows // 200), len(found)  # fewer than 1 in 200 on smooth data


def test_a_warned_figure_lies_outside_the_range_its_message_prints():
    history = [30, 31, 29, 30, 32, 30, 31, 30]
    assert outlier(55, history) is None  # under twice the usual month: not news
    low, high = outlier(75, history)
    assert not low <= 75 <= high and float(int(high)) == high  # printed as it is tested, whole numbers
    assert outlier(60, [30.0] * 8) is None  # a steady history still allows twice its month
    assert outlier(61, [30.0] * 8) == (0, 60)  # (a median under 100 has no floor)
    low, high = outlier(500, [123.45, 123.46] * 4, decimals=2)  # 万元: the range rounded outward to the cent
    assert (round(low, 2), round(high, 2)) == (12.34, 246.91)
    assert outlier(5, [450, 440, 460, 455, 445, 450]) == (45, 900)  # a digit lost: 450 typed 45 ... or 5
    assert outlier(90, [30, 31, 29, 30, 32, 30]) is not None
    assert outlier(200, [450, 440, 460, 455, 445, 450]) is None  # a slow month, not a typing error
    assert outlier(100, [5, 3, 4]) is None  # too little history to judge


def test_small_counts_are_not_judged():
    assert outlier(12, [1, 0, 2, 1, 0, 1, 2, 1]) is None
