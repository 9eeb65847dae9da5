"""Issue 3: layouts, units and periods, refusals, batches, the import log, check, interruption."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import query, snapshot
from helpers import city_summary, sheet_rows

FIXTURES = Path(__file__).parent / "fixtures" / "returns"


def outcome(cli, *paths, extra=()):
    result = cli("import", *paths, *extra, "--json")
    return result.exit_code, {Path(r["file"]).name: r for r in json.loads(result.stdout)}


def one(cli, path, *extra):
    code, out = outcome(cli, path, extra=extra)
    return code, next(iter(out.values()))


def test_mixed_folder_in_one_command(cli, db_path, tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    # good files
    city_summary(mail / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    shutil.copy(FIXTURES / "哈尔滨市2003年6月.xls", mail / "哈尔滨市2003年6月.xls")
    # a duplicate of an earlier import, and a correction of another
    city_summary(tmp_path / "earlier" / "鸡西.xlsx", [("市本级", 7, 63, 0, 0)], title="鸡西市总工会统计表",
                 reporter="填报单位:鸡西市总工会", footer="报出日期:2003年7月2日")
    city_summary(tmp_path / "earlier" / "七台河.xlsx", [("市本级", 1, 10, 0, 0)], title="七台河市总工会统计表",
                 reporter="填报单位:七台河市总工会", footer="报出日期:2003年7月2日")
    assert cli("import", tmp_path / "earlier").exit_code == 0
    shutil.copy(tmp_path / "earlier" / "鸡西.xlsx", mail / "鸡西(重发).xlsx")
    city_summary(mail / "七台河(更正).xlsx", [("市本级", 2, 11, 0, 0)], title="七台河市总工会统计表",
                 reporter="填报单位:七台河市总工会", footer="报出日期:2003年7月6日")
    # a bad cell, a truncated file, an ambiguous unit, an unknown unit
    city_summary(mail / "双鸭山市2003年6月.xlsx", [("市本级", 5, "三十", 1, 4)], title="双鸭山市总工会统计表",
                 reporter="填报单位:双鸭山市总工会", total=(5, 30, 1, 4))
    data = (mail / "鹤岗市2003年6月.xlsx").read_bytes()
    (mail / "截断的.xlsx").write_bytes(data[: len(data) // 2])
    sheet_rows([["“十万行动”月报表"], ["2003年6月"], ["填报单位:向阳区总工会"],
                ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 3, 20]],
               mail / "向阳区月报.xlsx")
    sheet_rows([["“十万行动”月报表"], ["2003年6月"], ["填报单位:阳光区总工会"],
                ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 3, 20]],
               mail / "阳光区月报.xlsx")
    # 太平区 stood until 2003 (merged into 道外区 in 2004): its 2003 return is a return like any other
    sheet_rows([["“十万行动”月报表"], ["2003年6月"], ["填报单位:太平区总工会"],
                ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 3, 20]],
               mail / "太平区月报.xlsx")
    before_log = query(db_path, "SELECT COUNT(*) FROM import_log")[0][0]
    code, out = outcome(cli, mail)
    assert code == 1
    status = {k: v["status"] for k, v in out.items()}
    assert status == {
        "鹤岗市2003年6月.xlsx": "imported", "哈尔滨市2003年6月.xls": "imported", "鸡西(重发).xlsx": "unchanged",
        "七台河(更正).xlsx": "revised", "双鸭山市2003年6月.xlsx": "rejected", "截断的.xlsx": "rejected",
        "向阳区月报.xlsx": "rejected", "阳光区月报.xlsx": "rejected", "太平区月报.xlsx": "imported",
    }
    assert out["双鸭山市2003年6月.xlsx"]["errors"][0]["cell"] == "D6"
    assert out["截断的.xlsx"]["errors"][0]["code"] == "read.truncated"
    amb = out["向阳区月报.xlsx"]["errors"][0]
    assert amb["code"] == "layout.ambiguous_unit" and "230402" in amb["message"] and "230803" in amb["message"]
    unknown = out["阳光区月报.xlsx"]["errors"][0]
    assert unknown["code"] == "layout.unknown_unit" and "shiwan units add" in unknown["message"]
    # the unchanged file wrote nothing; the refusals are logged, the others imported
    logged = query(db_path, "SELECT status, COUNT(*) FROM import_log WHERE id > ? GROUP BY status", (before_log,))
    assert dict(logged) == {"imported": 3, "revised": 1, "rejected": 4}
    assert out["太平区月报.xlsx"]["unit_code"] == "230105"
    assert query(db_path, "SELECT f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id JOIN indicator i "
                          "ON i.id = f.indicator_id WHERE u.code = '230900' AND i.code = 'reemployed'") == [(11.0,)]


def test_ambiguous_name_resolved_within_the_city(cli, tmp_path):
    path = city_summary(tmp_path / "佳木斯.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)],
                        title="佳木斯市总工会统计表", reporter="填报单位:佳木斯市总工会")
    code, r = one(cli, path)
    assert code == 0 and r["status"] == "imported"
    rows = json.loads(cli("export", "--period", "2003-06", "--format", "json").stdout)
    assert {x["unit_code"] for x in rows} == {"230800", "230803"}


def test_ambiguous_county_return_with_unit_option(cli, tmp_path):
    path = sheet_rows([["“十万行动”月报表"], ["2003年6月"], ["填报单位:向阳区总工会"],
                       ["序号", "指标名称", "计量单位", "本月", "本年累计"], [1, "实现再就业人数", "人", 3, 20]],
                      tmp_path / "x.xlsx")
    code, r = one(cli, path)
    assert code == 1
    # the clerk says which one; the file's own name for it is ambiguous, so the option decides
    code, r = one(cli, path, "--unit", "230803")
    assert code == 0 and r["unit_code"] == "230803", r


def test_unit_from_file_name_and_period_option(cli, tmp_path):
    rows = [["单位", "实现再就业人数", None], [None, "本月", "本年累计"], ["市本级", 5, 30], ["向阳区", 3, 20]]
    path = sheet_rows(rows, tmp_path / "鹤岗市.xlsx", merges=["B1:C1"])
    code, r = one(cli, path)
    assert code == 1 and r["errors"][0]["code"] == "layout.no_period"
    code, r = one(cli, path, "--period", "2003-06")
    assert code == 0 and (r["unit_code"], r["period"]) == ("230400", "2003-06")


def test_unit_inferred_from_rows(cli, tmp_path):
    rows = [["2003年6月"], ["单位", "实现再就业人数", None], [None, "本月", "本年累计"], ["工农区", 5, 30], ["南山区", 3, 20]]
    code, r = one(cli, sheet_rows(rows, tmp_path / "returns.xlsx", merges=["B2:C2"]))
    assert code == 0 and r["unit_code"] == "230400"


def test_period_conflict_with_option(cli, tmp_path):
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4)])
    code, r = one(cli, path, "--period", "2003-05")
    assert code == 1 and r["errors"][0]["code"] == "layout.period_conflict"


def test_one_row_header_needs_measure(cli, db_path, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数", "职业培训人数"], ["市本级", 30, 4], ["向阳区", 20, 2],
            ["合计", 50, 6]]
    path = sheet_rows(rows, tmp_path / "鹤岗.xlsx")
    code, r = one(cli, path)
    assert code == 1 and r["errors"][0]["code"] == "layout.measure_unknown" and "--measure" in r["errors"][0]["message"]
    code, r = one(cli, path, "--measure", "month")
    assert code == 0
    got = query(db_path, "SELECT f.month, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id JOIN indicator i "
                         "ON i.id = f.indicator_id WHERE u.code = '230402' AND i.code = 'reemployed'")
    assert got == [(20.0, None)]


def test_one_row_header_with_measure_in_header(cli, db_path, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["2003年6月"], ["单位", "实现再就业人数(本年累计)", "本月实现再就业人数"], ["市本级", 30, 4]]
    code, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert code == 0, r
    got = query(db_path, "SELECT f.month, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id WHERE u.code = '230400'")
    assert got == [(4.0, 30.0)]


def test_values_as_clerks_type_them(cli, db_path, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", "扶持资金(万元)", "职业培训人数"],
            ["市本级", "1,234", "１２.５", "-"], ["向阳区", " 20 ", None, "—"], ["合计", 1254, 12.5, 0]]
    code, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert code == 0, r
    got = dict(((u, i), y) for u, i, y in query(
        db_path, "SELECT u.code, i.code, f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id "
                 "JOIN indicator i ON i.id = f.indicator_id"))
    assert got == {("230400", "reemployed"): 1234.0, ("230400", "fund_amount"): 12.5, ("230400", "trained"): 0.0,
                   ("230402", "reemployed"): 20.0, ("230402", "fund_amount"): 0.0, ("230402", "trained"): 0.0}


@pytest.mark.parametrize("bad,code", [("12o", "value.not_number"), (-3, "value.negative"), (2.5, "value.fraction"),
                                      ("3%", "value.percent"), (True, "value.not_number")])
def test_bad_values_name_the_cell(cli, db_path, tmp_path, bad, code):
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"], ["市本级", 30], ["向阳区", bad]]
    before = snapshot(db_path)
    c, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert c == 1 and [(e["cell"], e["code"]) for e in r["errors"]] == [("B5", code)]
    assert snapshot(db_path) == before


def test_date_in_number_cell(cli, tmp_path):
    import datetime

    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数"], ["市本级", datetime.date(2003, 6, 1)]]
    c, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert c == 1 and r["errors"][0]["code"] == "value.date" and r["errors"][0]["cell"] == "B4"


def test_two_decimals_for_money(cli, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "扶持资金"], ["市本级", 1.234]]
    c, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert c == 1 and r["errors"][0]["code"] == "value.decimals"


def test_unknown_column_is_a_warning_and_skipped(cli, db_path, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", "慰问困难职工户数", "上年同期"],
            ["市本级", 30, 12, 25]]
    c, r = one(cli, sheet_rows(rows, tmp_path / "鹤岗.xlsx"))
    assert c == 0
    codes = {w["code"]: w for w in r["warnings"]}
    assert codes["layout.unknown_column"]["cell"] == "C3" and "慰问困难职工户数" in codes["layout.unknown_column"]["message"]
    assert codes["layout.column_skipped"]["cell"] == "D3"
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(1,)]


def test_subitem_rule_error_and_warning(cli, db_path, tmp_path):
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "职业介绍人次", "介绍上岗人次"], ["市本级", 30, 31]]
    c, r = one(cli, sheet_rows(rows, tmp_path / "a.xlsx"))
    assert c == 1 and r["errors"][0]["cell"] == "C4" and "介绍上岗人次" in r["errors"][0]["message"]
    rows = [["鹤岗市总工会统计表"], ["(2003年1-6月)"], ["单位", "实现再就业人数", "基地安置人数"], ["市本级", 30, 31]]
    c, r = one(cli, sheet_rows(rows, tmp_path / "b.xlsx"))
    assert c == 0 and r["status"] == "imported"
    assert r["warnings"][0]["cell"] == "C4" and "基地安置人数" in r["warnings"][0]["message"]
    problems = json.loads(query(db_path, "SELECT problems FROM import_log WHERE status = 'imported'")[0][0])
    assert problems[0]["severity"] == "warning"


def test_month_above_ytd_is_an_error(cli, tmp_path):
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 50, 30, 1, 4)])
    c, r = one(cli, path)
    assert c == 1 and r["errors"][0]["code"] == "check.month_gt_ytd" and r["errors"][0]["cell"] == "C6"


def test_empty_template_and_empty_book(cli, tmp_path):
    tpl = tmp_path / "blank.xlsx"
    cli("template", "county", "--unit", "230102", "--period", "2003-06", "-o", tpl)
    c, r = one(cli, tpl)
    assert c == 1 and r["errors"][0]["code"] == "layout.all_blank"
    c, r = one(cli, sheet_rows([], tmp_path / "empty.xlsx"))
    assert c == 1 and r["errors"][0]["code"] in ("layout.empty_book", "layout.no_indicators")


def test_missing_path(cli, tmp_path):
    c, out = outcome(cli, tmp_path / "nowhere.xlsx")
    assert c == 1 and next(iter(out.values()))["errors"][0]["code"] == "import.missing_path"


def test_check_writes_nothing(cli, db_path, tmp_path):
    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4)])
    before = snapshot(db_path), query(db_path, "SELECT COUNT(*) FROM import_log")
    result = cli("check", path, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["status"] == "imported"
    assert cli("import", path, "--dry-run").exit_code == 0
    bad = city_summary(tmp_path / "bad.xlsx", [("市本级", 5, "x", 1, 4)], total=(5, 0, 1, 4))
    assert cli("check", bad).exit_code == 1
    assert (snapshot(db_path), query(db_path, "SELECT COUNT(*) FROM import_log")) == before


def test_imports_list_show_revert(cli, db_path, tmp_path):
    a = city_summary(tmp_path / "a" / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    b = city_summary(tmp_path / "b" / "鹤岗.xlsx", [("市本级", 6, 31, 1, 4), ("向阳区", 3, 20, 0, 2)])
    first = json.loads(cli("import", a, "--json").stdout)[0]["import_id"]
    second = json.loads(cli("import", b, "--json").stdout)[0]["import_id"]
    listing = json.loads(cli("imports", "list", "--format", "json").stdout)
    assert [x["import_id"] for x in listing] == [second, first]
    assert listing[0]["status"] == "revised" and listing[0]["file"] == "鹤岗.xlsx"
    shown = json.loads(cli("imports", "show", str(second), "--format", "json").stdout)
    assert shown["import"]["sha256"] and shown["import"]["user"]
    changed = [f for f in shown["figures"] if f["action"] == "changed"]
    assert [(f["unit_code"], f["indicator"], f["ytd"], f["old_ytd"]) for f in changed] == [("230400", "reemployed", 31.0, 30.0)]
    text = cli("imports", "show", str(second)).stdout
    assert "鹤岗.xlsx" in text and "D6" in text
    # revert the revision: the old value comes back; revert the first: its figures go away
    assert cli("imports", "revert", str(second)).exit_code == 0
    def ytd():
        return query(db_path, "SELECT f.ytd FROM figure f JOIN unit u ON u.id = f.unit_id JOIN indicator i "
                              "ON i.id = f.indicator_id WHERE u.code = '230400' AND i.code = 'reemployed'")
    assert ytd() == [(30.0,)]
    assert cli("imports", "revert", str(second)).exit_code == 1  # already reverted
    assert cli("imports", "revert", str(first)).exit_code == 0
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(0,)]
    statuses = dict(query(db_path, "SELECT id, status FROM import_log"))
    assert statuses[first] == statuses[second] == "reverted"
    assert list(statuses.values()).count("revert") == 2
    # the same file imports again after its revert
    assert json.loads(cli("import", a, "--json").stdout)[0]["status"] == "imported"


def test_outdated_file_does_not_replace_a_later_one(cli, tmp_path):
    new = city_summary(tmp_path / "new" / "鹤岗.xlsx", [("市本级", 6, 31, 1, 4)], footer="报出日期:2003年7月6日")
    old = city_summary(tmp_path / "old" / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4)], footer="报出日期:2003年7月3日")
    assert cli("import", new).exit_code == 0
    c, r = one(cli, old)
    assert c == 1 and r["errors"][0]["code"] == "import.outdated"


def test_two_versions_in_one_batch_never_let_the_older_win(cli, db_path, tmp_path):
    # files go in by path; the older version, coming second, is refused rather than applied over the newer
    city_summary(tmp_path / "in" / "a_later.xlsx", [("市本级", 6, 31, 1, 4)], footer="报出日期:2003年7月6日")
    city_summary(tmp_path / "in" / "b_earlier.xlsx", [("市本级", 5, 30, 1, 4)], footer="报出日期:2003年7月3日")
    c, out = outcome(cli, tmp_path / "in")
    assert c == 1
    assert out["a_later.xlsx"]["status"] == "imported"
    assert out["b_earlier.xlsx"]["status"] == "rejected"
    assert out["b_earlier.xlsx"]["errors"][0]["code"] == "import.outdated"
    assert query(db_path, "SELECT f.ytd FROM figure f JOIN indicator i ON i.id = f.indicator_id "
                          "WHERE i.code = 'reemployed'") == [(31.0,)]


def test_months_apply_in_the_order_their_paths_name(cli, db_path, tmp_path):
    # 2003年12月 sorts before 2003年6月 as text; the period in the name puts June first
    city_summary(tmp_path / "in" / "鹤岗市2003年12月.xlsx", [("市本级", 5, 90, 1, 4)], period_line="2003年12月")
    city_summary(tmp_path / "in" / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4)], period_line="2003年6月")
    from shiwan.imports import apply_order_key

    keys = sorted((tmp_path / "in").iterdir(), key=apply_order_key)
    assert [k.name for k in keys] == ["鹤岗市2003年6月.xlsx", "鹤岗市2003年12月.xlsx"]
    c, out = outcome(cli, tmp_path / "in")
    assert c == 0, out


def test_interrupted_import_leaves_nothing_half_written(db_path, tmp_path, monkeypatch):
    from shiwan.imports import Importer, import_files
    from shiwan.recognize import Options
    from shiwan.store.db import open_db

    path = city_summary(tmp_path / "鹤岗.xlsx", [("市本级", 5, 30, 1, 4), ("向阳区", 3, 20, 0, 2)])
    real = Importer._write

    def write_then_interrupt(self, plan, import_id):
        real(self, plan, import_id)  # the rows are written inside the transaction...
        raise KeyboardInterrupt  # ...and then the clerk presses Ctrl-C

    monkeypatch.setattr(Importer, "_write", write_then_interrupt)
    db = open_db(str(db_path))
    with pytest.raises(KeyboardInterrupt):
        import_files(db, [path], Options())
    db.close()
    assert query(db_path, "SELECT COUNT(*) FROM figure") == [(0,)]
    assert query(db_path, "SELECT COUNT(*) FROM import_log") == [(0,)]


def test_quoted_glob_and_folder_skipping(cli, tmp_path):
    city_summary(tmp_path / "mail" / "鹤岗市2003年6月.xlsx", [("市本级", 5, 30, 1, 4)])
    (tmp_path / "mail" / "说明.docx").write_bytes(b"PK")
    (tmp_path / "mail" / "~$鹤岗市2003年6月.xlsx").write_bytes(b"lock")
    code, out = outcome(cli, str(tmp_path / "mail" / "*.xlsx"))
    assert code == 0 and set(out) == {"鹤岗市2003年6月.xlsx", "~$鹤岗市2003年6月.xlsx"}
    assert (out["~$鹤岗市2003年6月.xlsx"]["status"], out["~$鹤岗市2003年6月.xlsx"]["reason"]) == ("skipped", "lock_file")
    result = cli("import", tmp_path / "mail")
    assert "说明.docx" in result.stderr and "说明.docx" not in result.stdout  # named as passed over, on stderr
    code, out = outcome(cli, str(tmp_path / "mail"))
    assert {k: v["status"] for k, v in out.items()} == {"鹤岗市2003年6月.xlsx": "unchanged", "说明.docx": "skipped",
                                                         "~$鹤岗市2003年6月.xlsx": "skipped"}
    assert out["说明.docx"]["reason"] == "extension" and out["说明.docx"]["message"]


def _rglob_listing(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """What a folder gives, spelled out the slow way: `sorted(folder.rglob("*"))`, then one test per path."""
    files, skipped = [], []
    for f in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in f.relative_to(folder).parts[:-1]):
            continue
        if f.is_dir():
            if f.name.startswith("."):
                skipped.append((str(f), "hidden"))
            continue
        if not f.is_file():
            continue
        why = ("lock_file" if f.name.startswith("~$") else "hidden" if f.name.startswith(".")
               else None if f.suffix.lower() in {".xlsx", ".xls", ".csv", ".ods", ".txt"} else "extension")
        (skipped.append((str(f), why)) if why else files.append(str(f)))
    return files, skipped


def test_a_folder_is_listed_in_the_order_and_with_the_skips_of_its_sorted_paths(tmp_path):
    """`collect_files` walks a folder with one scandir per folder; what it lists, in what order, and
    what it passes over are those of the sorted paths under it (`a/b/…` before `a-c/…`), symbolic
    links included, and a file reached twice (through a link) is listed once."""
    import os

    from shiwan.imports import collect_files

    d = tmp_path / "in"
    for rel in ("a/b/x.xlsx", "a-c/y.xlsx", "a/.hid/z.xlsx", "a/~$lock.xlsx", "a/.h.xlsx", "a/n.txt", "a/n.pdf",
                "a/B.XLS", "z.csv", "a b/q.ods", "a/b/c/d/e.xlsx"):
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text("x")
    (d / "empty").mkdir()
    (d / ".hidden_dir").mkdir()
    os.symlink(d / "a", d / "link_to_a")  # a link to a folder is not followed
    os.symlink(d / "nowhere", d / "broken.xlsx")
    files, skipped = _rglob_listing(d)
    got = collect_files([str(d)])
    assert [str(f) for f in got.files] == files
    assert [(str(f), why) for f, why in got.skipped] == skipped
    assert files.index(str(d / "a/b/x.xlsx")) < files.index(str(d / "a-c/y.xlsx"))
    os.symlink(d / "z.csv", d / "a" / "zz.csv")  # the same file twice: listed once, where first reached
    got = collect_files([str(d), str(d / "a")])
    assert [str(f) for f in got.files] == [f for f in _rglob_listing(d)[0] if f != str(d / "z.csv")]
