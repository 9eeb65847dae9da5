"""Issue 12: tables on a terminal of 80, 100 and 140 columns never break a number, a code or a date.

Rendered the way Rich's own tests do, into `Console(file=StringIO(), width=...)`: every report of the
demo's data and the lists a clerk reads (indicators, units, the import log, export). Every value must
come out whole on one line, no line may be wider than the terminal, nothing is cut off (`…`).
"""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len

from shiwan.render.cells import shown
from shiwan.render.output import render
from shiwan.render.report import write_report
from shiwan.store.db import open_db

# what is printed is the same whatever the database: these run once, on the demo's own SQLite file
pytestmark = pytest.mark.sqlite_only

WIDTHS = (80, 100, 140)
WHOLE = re.compile(r"[\d,.%:/-]|超|落后|^[a-z_]+$")  # numbers, rates, gaps, dates, fractions, codes


def _reports(db):
    from shiwan.tally.assessment import assessment_report
    from shiwan.tally.campaign import campaign_report
    from shiwan.tally.checklist import checklist_report
    from shiwan.tally.completeness import completeness_report
    from shiwan.tally.progress import progress_report
    from shiwan.tally.trend import trend_report

    return {
        "progress": progress_report(db, period="2003-06"),
        "progress_city": progress_report(db, period="2003-06", under="230100"),
        "progress_all": progress_report(db, period="2003-06", indicators=["reemployed", "referral_placed", "bases",
                                                                            "fund_amount"]),
        "campaign": campaign_report(db, period="2003-06"),
        "completeness": completeness_report(db, period="2003-06"),
        "trend": trend_report(db, indicator="reemployed"),
        "checklist": checklist_report(db, period="2003-06"),
        "assessment": assessment_report(db, year=2003, as_of="2003-06"),
    }


def _tables(db):
    from shiwan.store.importlog import imports_table
    from shiwan.tally.export import export_table
    from shiwan.tally.listing import indicators_table, units_table

    return {"indicators": indicators_table(db), "units": units_table(db, "230100"),
            "imports": imports_table(db, limit=30), "export": export_table(db, "2003-06", "230500")}


@pytest.fixture(scope="module")
def demo(demo_db):
    with open_db(str(demo_db)) as db:
        yield _reports(db), _tables(db)


def _check(out: str, width: int, values: list[str], what: str) -> None:
    lines = out.splitlines()
    assert lines, what
    assert "…" not in out, what
    for line in lines:
        assert cell_len(line) <= width, (what, width, line)
    for v in values:
        if v and WHOLE.search(v):
            assert any(v in line for line in lines), (what, width, v)


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_keep_every_value_whole(demo, width):
    reports, _ = demo
    for name, rep in reports.items():
        buf = io.StringIO()
        write_report(rep, "table", stream=buf, terminal=True, width=width)
        values = [shown(c, r) for s in rep.sections for r in s.rows for c in s.columns]
        _check(buf.getvalue(), width, values, name)


@pytest.mark.parametrize("width", WIDTHS)
def test_lists_keep_every_value_whole(demo, width):
    _, tables = demo
    for name, table in tables.items():
        buf = io.StringIO()
        render(table, "table", buf, terminal=True, width=width)
        values = [table.shown(c, r) for r in table.rows for c in table.columns if not c.key.startswith(("file", "path"))]
        _check(buf.getvalue(), width, values, name)


def test_a_wide_table_splits_with_the_unit_column_again(demo):
    reports, _ = demo
    rep = reports["progress"]
    buf = io.StringIO()
    write_report(rep, "table", stream=buf, terminal=True, width=80)
    out = buf.getvalue()
    # at 80 columns a flow's nine columns do not fit: each such section comes in two tables, both with the
    # units; a 其中 breakdown's five columns fit in one
    wide = [s for s in rep.sections if len(s.columns) >= 9]
    assert wide and out.count("佳木斯市") == 2 * len(wide) + (len(rep.sections) - len(wide))
    assert "825ᵃ" in out and "未报,数据截至5月" in out
    wide = io.StringIO()
    write_report(rep, "table", stream=wide, terminal=True, width=140)
    assert wide.getvalue().count("佳木斯市") == len(rep.sections)  # 140 columns: one table a section


def test_prose_wraps_where_a_line_may_break():
    from shiwan.render.terminal import wrap

    text = "无本级目标:为13个单位中6个有目标单位的目标之和,完成率只按这6个单位的数计算 referral_placed 2003-06 100,000"
    for width in (10, 17, 30):
        lines = wrap(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for token in ("13", "referral_placed", "2003-06", "100,000"):
            assert any(token in line for line in lines), (width, token, lines)
