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


def test_json_is_what_json_dumps_writes_byte_for_byte():
    """`to_json` writes plain rows itself (json's indented encoder is pure Python, token by token);
    what it writes is exactly json.dumps(ensure_ascii=False, indent=2, default=str), and values it
    does not write itself (NaN, non-text keys, dates, enums) go to json.dumps whole."""
    import datetime
    import enum

    from shiwan.render.output import to_json

    class Kind(enum.StrEnum):
        a = "a"

    samples = [[], {}, [[]], {"a": {}}, "s", 3, 1.0, (1, 2), [float("nan")], {1: 2}, {"d": datetime.date(2003, 6, 1)},
               [1, 2.5, -0.0, 1e300, 1e-7, True, False, None, "quote \" newline \n \u2028 é 合计 \x00 \\"],
               {"x": [{"y": [1, [2, {}]], "z": None}], "k": Kind.a, "n": -12},
               [{"file": "甲.xlsx", "n": 3, "ok": True, "none": None, "f": 2.5, "periods": ["2003-06"], "errors": []}]]
    for value in samples:
        assert to_json(value) == json.dumps(value, ensure_ascii=False, indent=2, default=str), value
