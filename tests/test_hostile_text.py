"""Text from a submitted file or a typed name, made harmless wherever it goes out: no live formulas in
csv or xlsx, no terminal control sequences, no workbook broken by a control character, no file name
steering out of its folder, no 32 K-character quotes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from shiwan.base.safetext import FORMULA_STARTS

RETURNS = Path(__file__).parent / "fixtures" / "returns"
FORMULA = '=HYPERLINK("evil.example","点此")'
ESC_CLEAR = "\x1b[2J"
ESC_TITLE = "\x1b]0;pwned\x07"


def daoli_return(folder: Path, name: str, *, sent: str = "2003年7月9日") -> Path:
    """道里区's June return under a hostile file name, sent late (the deadline is 7月5日)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (RETURNS / "道里区_2003-06.csv").read_bytes().decode("utf-8-sig").replace("2003年7月3日", sent)
    path = folder / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def xlsx_return(folder: Path, name: str, sheet: str) -> Path:
    """南岗区's June return as a workbook whose sheet has a hostile name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in (["“十万行动”月报表"], ["2003年6月"], ["填报单位:南岗区总工会"], ["序号", "指标名称", "计量单位", "本月", "本年累计"],
                [1, "实现再就业人数", "人", 12, 60], [None, "填表人:赵某  报出日期:2003年7月9日"]):
        ws.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def assert_no_live_formula(csv_text: str) -> list[list[str]]:
    """No cell of a csv that a spreadsheet would run: text starting = + - @ TAB CR is neutralised,
    and a cell starting with - is a number."""
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                float(cell)  # a negative number, not text
    return rows


def test_formula_text_is_neutralised_in_every_csv(cli, tmp_path):
    mail = tmp_path / "mail"
    daoli_return(mail, f"{FORMULA}道里区_2003-06.csv")
    xlsx_return(mail, "@SUM(1+1)南岗区2003年6月.xlsx", "=1+2")
    result = cli("import", mail, "--json")
    assert [r["status"] for r in json.loads(result.stdout)] == ["imported", "imported"], result.output
    outputs = {
        "export": cli("export", "--period", "2003-06", "--format", "csv").stdout,
        "imports list": cli("imports", "list", "--format", "csv").stdout,
        "imports show": cli("imports", "show", "1", "--format", "csv").stdout,
        "history": cli("history", "--unit", "230102", "-i", "reemployed", "--format", "csv").stdout,
        "completeness": cli("report", "completeness", "--period", "2003-06", "-f", "csv").stdout,
    }
    for what, text in outputs.items():
        rows = assert_no_live_formula(text)
        assert any(cell.startswith("'=") or cell.startswith("'@") for row in rows for cell in row), what
    export = assert_no_live_formula(outputs["export"])
    head = export[0]
    sources = {(r[head.index("file")], r[head.index("sheet")]) for r in export[1:]}
    assert (f"'{FORMULA}道里区_2003-06.csv", f"'{FORMULA}道里区_2003-06") in sources
    assert ("'@SUM(1+1)南岗区2003年6月.xlsx", "'=1+2") in sources
    late = [r for r in assert_no_live_formula(outputs["completeness"]) if r[0] == "late"]
    assert late, outputs["completeness"]
    # and the numbers stay numbers
    assert any(r[head.index("ytd")] == "201" for r in export[1:])


def formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def cell_values(path: Path) -> list[object]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_a_unit_named_like_a_formula_stays_text_in_every_workbook(cli, tmp_path):
    assert cli("units", "add", "990001", FORMULA, "--parent", "230000").exit_code == 0
    mail = tmp_path / "mail"
    daoli_return(mail, f"{FORMULA}道里区_2003-06.csv")
    assert cli("import", mail).exit_code == 0
    books = {
        "progress": ("report", "progress", "--period", "2003-06", "-o", tmp_path / "progress.xlsx"),
        "completeness": ("report", "completeness", "--period", "2003-06", "-o", tmp_path / "completeness.xlsx"),
        "city template": ("template", "city", "--unit", "230000", "--period", "2003-06", "-o", tmp_path / "city.xlsx"),
        "county template": ("template", "county", "--unit", "990001", "--period", "2003-06", "-o", tmp_path / "county.xlsx"),
        "targets template": ("template", "targets", "--unit", "230000", "--year", "2003", "-o", tmp_path / "targets.xlsx"),
    }
    for what, args in books.items():
        result = cli(*args)
        assert result.exit_code == 0, (what, result.output)
        path = Path(args[-1])
        assert not [f for f in formula_cells(path) if "SUM(" not in f], what
        texts = [v for v in cell_values(path) if isinstance(v, str)]
        assert any(FORMULA in v for v in texts), what
    wb = openpyxl.load_workbook(tmp_path / "city.xlsx")
    named = [c for row in wb.worksheets[0].iter_rows() for c in row if c.value == FORMULA]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)


def name_unit(db, code: str, name: str) -> None:
    """Give a unit a hostile name the way no command would (`units add` refuses control characters):
    as a database edited by hand, or filled by another tool, holds it."""
    from sqlalchemy import create_engine, text

    from shiwan.store.db import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(str(db)))
    with engine.begin() as con:
        con.execute(text("UPDATE unit SET name = :n WHERE code = :c"), {"n": name, "c": code})
    engine.dispose()


def test_units_add_refuses_control_characters(cli):
    for name in (f"道里{ESC_CLEAR}区", "甲\n乙", "  "):
        result = cli("units", "add", "990002", name, "--parent", "230000")
        assert result.exit_code == 2 and "\x1b" not in result.output, result.output
    assert "990002" not in cli("units", "list", "--format", "csv").stdout


def test_control_characters_never_reach_the_terminal(cli, db_path, tmp_path):
    assert cli("units", "add", "990002", "新区", "--parent", "230000").exit_code == 0
    name_unit(db_path, "990002", f"{ESC_TITLE}道里{ESC_CLEAR}区\n伪造一行")
    mail = tmp_path / "mail"
    daoli_return(mail, f"{ESC_CLEAR}道里区\n_2003-06.csv")
    outputs = [
        cli("import", mail),
        cli("units", "list"),
        cli("units", "list", "--format", "md"),
        cli("imports", "list"),
        cli("imports", "show", "1"),
        cli("export", "--period", "2003-06", "--format", "table"),
        cli("report", "completeness", "--period", "2003-06"),
        cli("template", "county", "--unit", f"{ESC_TITLE}x", "--period", "2003-06"),
    ]
    for result in outputs:
        assert "\x1b" not in result.output and "\x07" not in result.output, result.output
    text = "".join(r.output for r in outputs)
    assert "\\x1b[2J" in text and "\\x1b]0;pwned\\x07" in text and "道里区\\n_2003-06.csv" in text
    # a newline in a name cannot forge a row of a table
    listed = cli("units", "list").stdout
    assert not any(line.startswith("伪造一行") for line in listed.splitlines())


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_on_a_terminal_every_format_escapes(fmt):
    """Tables, and csv or json printed on a terminal rather than into a file, whose text is kept
    as stored when it goes to a file or a pipe."""
    from shiwan.base.table import Column, Table
    from shiwan.render.output import render

    table = Table([Column("name", "名称")], [{"name": f"甲{ESC_CLEAR}乙{ESC_TITLE}\x9b31m"}], title=f"标题{ESC_TITLE}")
    buf = Terminal()
    render(table, fmt, buf, terminal=True, width=60)
    assert ESC_CLEAR not in buf.getvalue() and ESC_TITLE not in buf.getvalue() and "\x9b" not in buf.getvalue()
    assert ("\\u001b[2J" if fmt == "json" else "\\x1b[2J") in buf.getvalue()
    piped = io.StringIO()
    render(table, fmt, piped)
    assert (ESC_CLEAR in piped.getvalue()) == (fmt == "csv")


def test_a_control_character_in_a_name_does_not_break_a_workbook(cli, db_path, tmp_path):
    assert cli("units", "add", "990003", "坏名字", "--parent", "230000").exit_code == 0
    name_unit(db_path, "990003", f"坏{ESC_CLEAR}名\x07字")
    mail = tmp_path / "mail"
    daoli_return(mail, f"迟报{ESC_CLEAR}道里区_2003-06.csv")
    assert cli("import", mail).exit_code == 0
    for kind in ("completeness", "progress"):
        out = tmp_path / f"{kind}.xlsx"
        result = cli("report", kind, "--period", "2003-06", "-f", "xlsx", "-o", out)
        assert result.exit_code == 0, result.output
        texts = [v for v in cell_values(out) if isinstance(v, str)]
        assert any("坏\\x1b[2J名\\x07字" in v for v in texts), kind
    late = cell_values(tmp_path / "completeness.xlsx")
    assert any(isinstance(v, str) and "迟报\\x1b[2J道里区" in v for v in late)
    out = tmp_path / "t.xlsx"
    assert cli("template", "county", "--unit", "990003", "--period", "2003-06", "-o", out).exit_code == 0


def test_a_long_quote_is_cut(cli):
    result = cli("template", "county", "--unit", "X" * 32000, "--period", "2003-06")
    assert result.exit_code == 1
    assert len(result.output) < 1000 and "…(+" in result.output


@pytest.mark.parametrize("name", ["../../逃出", "/etc/x", "..", "a/../../b"])
def test_a_unit_name_cannot_steer_a_template_out_of_its_folder(cli, tmp_path, monkeypatch, name):
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert cli("units", "add", "990009", name, "--parent", "230000").exit_code == 0
    for args in (("template", "county", "--unit", "990009", "--period", "2003-06"),
                 ("template", "targets", "--unit", "990009", "--year", "2003")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.xlsx"))
    assert len(written) == 2 and all(p.parent == Path("work/here") for p in written), written
