"""Issue 12: what -o writes, one vocabulary of JSON keys, and the small things a newcomer tripped over."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

from shiwan.cli import app
from test_reports import import_summary

from conftest import snapshot
from helpers import city_summary, sheet_rows


@pytest.fixture
def filled(cli, tmp_path):
    import_summary(cli, tmp_path, "230400", "2003-06", {"230400": {"reemployed": (5, 45)}}, indicators=("reemployed",))
    return cli


def test_output_extension_refusals_and_stdout(filled, tmp_path):
    cli = filled
    for bad, fragment in ((tmp_path / "x.doc", ".doc"), (tmp_path / "x", "“”"), (tmp_path / "nowhere" / "x.csv", "nowhere")):
        result = cli("report", "progress", "-o", bad)
        assert result.exit_code == 2 and fragment in result.stderr, (bad, result.stderr)
        assert not bad.exists() and not (tmp_path / "nowhere").exists()  # nothing written, no folder made
    mismatch = cli("report", "progress", "-f", "csv", "-o", tmp_path / "x.json")
    assert mismatch.exit_code == 2 and not (tmp_path / "x.json").exists()
    dash = cli("report", "progress", "-o", "-", "-f", "json")
    assert dash.exit_code == 0 and json.loads(dash.stdout)[0]["unit_code"] == "230100"
    assert not (tmp_path / "-").exists()
    text = tmp_path / "p.txt"
    assert cli("report", "progress", "-o", text).exit_code == 0 and text.read_text(encoding="utf-8").startswith("黑龙江省")
    for args in (("export", "--period", "2003-06"), ("targets", "export"), ("template", "county", "--unit", "230402",
                                                                                 "--period", "2003-06")):
        assert cli(*args, "-o", tmp_path / "missing" / "f.csv").exit_code == 2, args
    assert cli("template", "county", "--unit", "230402", "--period", "2003-06", "-o", tmp_path / "missing" / "t.xlsx").exit_code == 2
    assert not (tmp_path / "missing").exists()
    out = cli("export", "--period", "2003-06", "-o", tmp_path / "e.json")
    assert out.exit_code == 0 and json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))[0]["unit_code"] == "230400"


def test_a_workbook_to_stdout(filled, tmp_path):
    result = CliRunner().invoke(app, ["--db", str(filled.db), "report", "progress", "-f", "xlsx", "-o", "-"])
    assert result.exit_code == 0
    path = tmp_path / "out.xlsx"
    path.write_bytes(result.stdout_bytes)
    assert openpyxl.load_workbook(path).active["A1"].value.endswith("进展情况统计表")


def test_pdf_through_libreoffice_or_refused(filled, tmp_path, monkeypatch):
    pdf = tmp_path / "p.pdf"
    if shutil.which("soffice"):
        result = filled("report", "progress", "-o", pdf)
        assert result.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no LibreOffice anywhere
    other = tmp_path / "q.pdf"
    result = filled("report", "progress", "-o", other)
    assert result.exit_code == 1 and "LibreOffice" in result.stderr and not other.exists()


# the keys a script meets across commands, one name for one thing
FORBIDDEN = {"id", "unit", "code", "name", "name_en", "source_file", "source_sheet", "source_cell", "by", "at", "set_by"}


def _keys(obj, out: set, path: str = "") -> set:
    if isinstance(obj, dict):
        if path == "assessment":
            return out  # campaign show: the scoring scheme as its own file spells it
        for k, v in obj.items():
            if not (k == "code" and path.endswith(("errors", "warnings", "problems", "check"))):
                out.add(k)
            _keys(v, out, k)
    elif isinstance(obj, list):
        for v in obj:
            _keys(v, out, path)
    return out


def test_one_vocabulary_of_json_keys(filled, tmp_path):
    cli = filled
    bad = sheet_rows([["鹤岗市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数"], ["市本级", "x"]], tmp_path / "bad.xlsx")
    city_summary(tmp_path / "in" / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4)])
    (tmp_path / "in" / "说明.doc").write_bytes(b"x")
    imported = json.loads(cli("import", tmp_path / "in", bad, "--json").stdout)
    assert {"unit_code", "unit_name", "import_id", "file", "status"} <= set(imported[0])
    import_id = imported[0]["import_id"]
    outputs = [imported]
    for args in (("imports", "list"), ("imports", "show", str(import_id)), ("units", "list", "--under", "230400"),
                 ("indicators", "list"), ("campaign", "list"), ("campaign", "show"), ("targets", "list", "--year", "2003"),
                 ("period", "list"), ("config", "list"), ("history", "--unit", "230400"),
                 ("export", "--period", "2003-06"), ("check", "--period", "2003-06"),
                 ("report", "progress"), ("report", "completeness"), ("report", "assessment")):
        result = cli(*args, "--format", "json")
        assert result.exit_code in (0, 1), (args, result.output)
        outputs.append(json.loads(result.stdout))
    keys = set().union(*(_keys(o, set()) for o in outputs))
    assert not keys & FORBIDDEN, keys & FORBIDDEN
    assert {"unit_code", "unit_name", "import_id", "indicator", "indicator_name", "campaign", "user", "file", "sheet"} <= keys


def test_a_dry_run_says_what_would_happen(cli, tmp_path):
    path = city_summary(tmp_path / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4)])
    out = cli("check", path).stdout
    assert "可导入" in out and "已导入" not in out
    assert "已导入" in cli("import", path).stdout


def test_targets_import_dry_run_says_nothing_was_written(cli, tmp_path):
    path = sheet_rows([["黑龙江省2003年“十万行动”目标任务分解表"], ["单位", "实现再就业人数"], ["哈尔滨市", 8000]],
                      tmp_path / "t.xlsx")
    before = snapshot(cli.db)
    dry = cli("targets", "import", path, "--dry-run")
    assert dry.exit_code == 0 and "未写入" in dry.stderr and snapshot(cli.db) == before
    real = cli("targets", "import", path)
    assert "未写入" not in real.stderr and snapshot(cli.db) != before


def test_imports_show_of_a_refused_import_says_it_wrote_nothing(cli, tmp_path):
    bad = sheet_rows([["鹤岗市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数"], ["市本级", "x"]], tmp_path / "bad.xlsx")
    cli("import", bad)
    import_id = json.loads(cli("imports", "list", "--format", "json").stdout)[0]["import_id"]
    out = cli("imports", "show", str(import_id)).stdout
    assert "没有写入任何数字" in out and "指标" not in out.split("没有写入")[1]


def test_small_usage_errors_name_the_right_thing(cli, monkeypatch):
    result = cli("period", "lock", "2003-13")
    assert result.exit_code == 2 and "PERIOD" in result.output and "--period" not in result.output
    negative = cli("targets", "set", "230100", "reemployed", "2003", "-5")
    assert negative.exit_code == 2 and "目标不能是负数" in negative.stderr and "No such option" not in negative.output
    assert "文件中读不出时才用" not in cli("history", "--help").stdout
    monkeypatch.setenv("SHIWAN_LANG", "xx")
    bad = CliRunner().invoke(app, ["--db", str(cli.db), "units", "list"])
    assert bad.exit_code == 2 and "SHIWAN_LANG" in bad.output


def test_english_leaves_no_chinese_words_of_its_own(filled, tmp_path):
    import_summary(filled, tmp_path, "230100", "2003-06", {"230100": {"bases": (None, 1), "markets": (None, 1),
                                                                      "entities": (None, 1)}},
                   indicators=("bases", "markets", "entities"))
    out = filled("report", "progress", "-i", "reemployed", lang="en").stdout
    assert "(January–June 2003)" in out
    checklist = filled("report", "checklist", lang="en").stdout
    assert "三个扶持建立" not in checklist and "three supports" in checklist


def test_empty_folder_message_on_stderr(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("import", tmp_path / "empty")
    assert result.exit_code == 1 and not result.stdout and result.stderr

