"""The command line itself: help texts, lazy imports, languages, exit statuses, init."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from shiwan.cli import app

from conftest import Cli, query

HEAVY = ("sqlmodel", "sqlalchemy", "openpyxl", "python_calamine", "pydantic")


def all_commands():
    import typer.main

    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append((path, cmd))

    walk(root, [])
    return out


def test_every_command_has_help_text():
    commands = all_commands()
    assert len(commands) >= 12
    for path, cmd in commands:
        assert (cmd.help or "").strip(), f"shiwan {' '.join(path)} has no help"
        for param in cmd.params:
            if param.name not in ("help",) and getattr(param, "param_type_name", "") == "option":
                assert (param.help or "").strip(), f"shiwan {' '.join(path)} {param.opts} has no help"


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=lambda p: " ".join(p))
def test_every_command_help_runs(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output or "用法" in result.output


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\nsys.argv=['shiwan','--help']\nfrom shiwan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "shiwan" in out.stdout


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("shiwan ")


def test_usage_error_exit_2(cli):
    assert cli("report", "progress", "--bogus").exit_code == 2
    assert cli("export").exit_code == 2  # --period is required
    assert cli("export", "--period", "2003-13").exit_code == 2


def test_missing_database_is_a_clear_message(tmp_path):
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "units", "list"])
    assert result.exit_code == 1
    assert "shiwan init" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "none.db").exists()


def test_not_a_database_is_a_clear_message(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("hello")
    result = CliRunner().invoke(app, ["--db", str(bad), "units", "list"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_shiwan_db_environment(db_path, monkeypatch):
    monkeypatch.setenv("SHIWAN_DB", str(db_path))
    result = CliRunner().invoke(app, ["units", "list", "--under", "230400", "--format", "json"])
    assert result.exit_code == 0
    assert "鹤岗市" in result.stdout


def test_languages(cli, monkeypatch):
    zh = cli("units", "list", "--under", "230400")
    assert "单位名称" in zh.stdout and "向阳区" in zh.stdout
    en = cli("units", "list", "--under", "230400", lang="en")
    assert "unit" in en.stdout and "单位名称" not in en.stdout
    # --lang anywhere on the line, and SHIWAN_LANG
    again = cli("units", "list", "--lang", "en", "--under", "230400")
    assert again.stdout == en.stdout
    monkeypatch.setenv("SHIWAN_LANG", "en")
    assert cli("units", "list", "--under", "230400").stdout == en.stdout
    missing = cli("imports", "show", "99")
    assert missing.exit_code == 1 and "no import #99" in missing.output


def test_init_is_harmless_to_rerun(cli, db_path):
    before = query(db_path, "SELECT COUNT(*) FROM unit"), query(db_path, "SELECT COUNT(*) FROM target")
    result = cli("init")
    assert result.exit_code == 0
    assert (query(db_path, "SELECT COUNT(*) FROM unit"), query(db_path, "SELECT COUNT(*) FROM target")) == before
    # every division since 1981, a county's row cut where its area changed: 135 of them stand in 2024
    assert before[0] == [(303,)]
    assert query(db_path, "SELECT COUNT(*) FROM unit WHERE first_year <= 2024 AND last_year >= 2024") == [(135,)]


def test_init_loads_defaults(cli, db_path):
    assert query(db_path, "SELECT COUNT(*) FROM indicator WHERE parent_id IS NULL") == [(19,)]
    parts = query(db_path, "SELECT i.code, p.code, i.part_name FROM indicator i JOIN indicator p ON p.id = i.parent_id "
                           "ORDER BY i.sort_order")
    assert parts[:2] == [("reemployed.female", "reemployed", "女性"), ("reemployed.age4050", "reemployed", "4050人员")]
    assert len(parts) == 5
    assert query(db_path, "SELECT severity FROM rule WHERE code = 'trained.female_le_trained'") == [("error",)]
    assert query(db_path, "SELECT kind, decimals FROM indicator WHERE code = 'fund_amount'") == [("flow", 2)]
    assert query(db_path, "SELECT kind FROM indicator WHERE code = 'bases'") == [("stock",)]
    camp = query(db_path, "SELECT code, name, start_period, end_period, total_target, illustrative FROM campaign")
    assert camp == [("shiwan", "十万行动", "2003-01", "2005-12", 100000.0, 1)]
    cities = query(db_path, "SELECT COUNT(*) FROM unit WHERE level = 'city' AND first_year <= 2003 AND last_year >= 2003")
    assert cities == [(13,)]
    # annual targets of the 13 cities add up to the province's
    for year in (2003, 2004, 2005):
        rows = query(db_path, "SELECT u.level, SUM(t.value) FROM target t JOIN unit u ON u.id = t.unit_id "
                              "JOIN indicator i ON i.id = t.indicator_id WHERE t.year = ? AND i.code = 'reemployed' "
                              "GROUP BY u.level", (year,))
        d = dict(rows)
        assert d["city"] == d["province"]


def test_init_with_other_units(tmp_path):
    units = tmp_path / "jilin.csv"
    units.write_text("code,name,level,parent_code\n220000,吉林省,province,\n220100,长春市,city,220000\n"
                     "220102,南关区,county,220100\n", encoding="utf-8")
    cli = Cli(tmp_path / "jl.db")
    result = cli("init", "--units", units)
    assert result.exit_code == 0, result.output
    assert query(tmp_path / "jl.db", "SELECT code FROM unit ORDER BY code") == [("220000",), ("220100",), ("220102",)]
    assert query(tmp_path / "jl.db", "SELECT COUNT(*) FROM campaign") == [(0,)]
    listing = cli("units", "list", "--format", "csv").stdout
    assert "长春市" in listing


def test_init_with_bad_units_file_changes_nothing(tmp_path):
    units = tmp_path / "bad.csv"
    units.write_text("code,name,level,parent_code\n220000,吉林省,provinz,\n", encoding="utf-8")
    result = Cli(tmp_path / "x.db")("init", "--units", units)
    assert result.exit_code == 1
    assert "provinz" in result.output and "Traceback" not in result.output


def test_units_add_and_alias_matching(cli, db_path, tmp_path):
    result = cli("units", "add", "239901", "省煤矿工会", "--parent", "230000", "--level", "other", "--alias", "煤矿工会")
    assert result.exit_code == 0, result.output
    assert query(db_path, "SELECT name, level, aliases FROM unit WHERE code = '239901'") == [("省煤矿工会", "other", "煤矿工会")]
    assert cli("units", "add", "239901", "重复", "--parent", "230000").exit_code == 1
    assert cli("units", "add", "239902", "X", "--parent", "999999").exit_code == 1
    # a unit that is not a division keeps its own code and span: 239001 was 绥芬河市 in 1986-1989 only
    assert cli("units", "add", "239001", "X", "--parent", "230000", "--from", "1988").exit_code == 1
    r = cli("units", "add", "239001", "省铁路工会", "--parent", "230000", "--from", "2003", "--until", "2005")
    assert r.exit_code == 0, r.output
    assert query(db_path, "SELECT first_year, last_year FROM unit WHERE code = '239001' ORDER BY first_year") == [
        (1986, 1989), (2003, 2005)]
    listed = {r["unit_code"]: r["unit_name"] for r in cli.json("units", "list", "--at", "2004", "--format", "json")[1]}
    assert listed["239001"] == "省铁路工会" and "239901" in listed
    assert "239001" not in {r["unit_code"] for r in cli.json("units", "list", "--at", "2006", "--format", "json")[1]}


def test_indicators_list(cli):
    result = cli("indicators", "list", "--format", "json")
    import json

    rows = json.loads(result.stdout)
    # each indicator followed by its breakdowns (其中)
    assert [r["indicator"] for r in rows][:5] == ["reemployed", "reemployed.female", "reemployed.age4050",
                                             "reemployed.zero_job_family", "referrals"]
    assert {r["indicator"]: r["parent"] for r in rows}["reemployed.female"] == "reemployed"
    assert {r["indicator"]: r["kind"] for r in rows}["bases"] == "stock"


@pytest.mark.sqlite_only
def test_a_table_changed_by_hand_is_one_clear_line_unless_debug(db_path):
    import sqlite3

    con = sqlite3.connect(db_path)
    con.execute("DROP TABLE figure_history")
    con.commit()
    con.close()
    cli = Cli(db_path)
    result = cli("--lang", "en", "history", "--unit", "230100")
    assert result.exit_code == 1
    assert "are not what this program expects (no such table: figure_history)" in result.output
    assert "shiwan db check" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(sqlite3.OperationalError, match="figure_history"):
        CliRunner().invoke(app, ["--db", str(db_path), "--debug", "history", "--unit", "230100"],
                           catch_exceptions=False)


def test_output_into_a_closed_pipe_is_quiet(db_path):
    import os

    env = dict(os.environ, SHIWAN_DB=str(db_path))
    proc = subprocess.run(f"{sys.executable} -m shiwan units list --format csv | head -1", shell=True,
                          capture_output=True, text=True, env=env)
    assert proc.stdout.lstrip("\ufeff").startswith("unit_code,")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "错误" not in proc.stderr
