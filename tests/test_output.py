"""Tables for people and for scripts, rendered the way Rich's own tests do: into a StringIO."""

from __future__ import annotations

import io
import json

from rich.cells import cell_len

from shiwan.base.table import Column, Table
from shiwan.render.output import render, to_csv, to_text
from shiwan.render.report import write_report
from shiwan.reports import Col, Report, Section

ROWS = [
    {"code": "230100", "name": "哈尔滨市", "ytd": 12345, "_shown": "哈尔滨市(本级)"},
    {"code": "232700", "name": "大兴安岭地区", "ytd": 7, "_shown": "大兴安岭地区"},
]


def table() -> Table:
    return Table([Column("code", "代码"), Column("_shown", "单位名称"),
                  Column("ytd", "本年累计", align="right", fmt=lambda v: f"{v:,}")], ROWS, title="测试")


def test_plain_text_is_complete_and_aligned_for_wide_characters():
    text = to_text(table())
    lines = text.splitlines()
    assert lines[0] == "测试"
    body = lines[1:]
    # every line of the table has its columns at the same display positions
    header, rule, first, second = body
    assert cell_len(rule) == cell_len(first.rstrip()) or cell_len(first) <= cell_len(rule)
    assert first.endswith("12,345") and second.endswith("7")
    assert cell_len(first) == cell_len(second)
    assert "哈尔滨市(本级)" in first and "大兴安岭地区" in second


def test_terminal_table_never_drops_data_when_narrow():
    buf = io.StringIO()
    render(table(), "table", buf, terminal=True, width=30)
    out = buf.getvalue()
    assert "…" not in out
    flat = "".join(out.split())
    # cells wrap inside their column, so a value's characters come in order, interleaved with others
    values = ("230100", "232700", "12,345", "7", "哈尔滨市(本级)", "大兴安岭地区")
    for v in values:
        it = iter(flat)
        assert all(ch in it for ch in v), v
    # and nothing is cropped: every character of every value is there
    from collections import Counter

    assert not Counter("".join(values)) - Counter(flat)


def test_scripts_get_keys_not_display_columns():
    csv_text = to_csv(table())
    assert csv_text.startswith("\ufeffcode,name,ytd\n")
    assert "_shown" not in csv_text
    buf = io.StringIO()
    render(table(), "json", buf)
    assert json.loads(buf.getvalue())[0] == {"code": "230100", "name": "哈尔滨市", "ytd": 12345}


def test_report_colours_ahead_and_behind_on_a_terminal():
    rows = [{"_label": "甲市", "completion": 0.6, "time_progress": 0.5, "gap_pp": 10.0, "row_type": "unit"},
            {"_label": "乙市", "completion": 0.4, "time_progress": 0.5, "gap_pp": -10.0, "row_type": "unit"}]
    cols = [Col("_label", "单位"), Col("completion", "完成率", "pct"), Col("gap_pp", "进度差", "pp")]
    rep = Report("progress", "标题", "(2003年1-6月)", "填报单位:测试", [Section("实现再就业人数(人)", cols, rows)])
    buf = io.StringIO()
    from rich.console import Console

    console = Console(file=buf, width=80, force_terminal=True, color_system="standard")
    write_report(rep, "table", stream=console.file, terminal=True, width=80)
    out = buf.getvalue()
    assert "超10.0" in out and "落后10.0" in out and "60.0%" in out and "40.0%" in out
    plain = io.StringIO()
    write_report(rep, "table", stream=plain, terminal=False)
    assert "\x1b[" not in plain.getvalue()
    assert plain.getvalue().splitlines()[:3] == ["标题", "(2003年1-6月)", "填报单位:测试"]
