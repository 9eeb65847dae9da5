"""`template`, `import`, `check`, `imports`, `export`, `period`, `history`: returns in and out, and their history."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.errors import UsageError
from shiwan.base.i18n import t
from shiwan.commands.base import (
    Fmt,
    FormatOpt,
    JsonOpt,
    ShiwanGroup,
    emit_table,
    h,
    open_database,
    output_plan,
    period_option,
    span_option,
    stderr,
    write_to_stdout,
)
from shiwan.commands.exchange import MappingOpt

app = typer.Typer(cls=ShiwanGroup)

# -- templates ----------------------------------------------------------------------------------------------------


class TemplateForm(StrEnum):
    county = "county"
    city = "city"
    targets = "targets"


@app.command(help=h("生成标准报表模板(county:县级报表;city:市汇总表;targets:目标分解表),含隐藏的元数据,导入时无需猜测",
                    "write a standard return template (county return, city summary, or target allocation sheet)"))
def template(
    form: Annotated[TemplateForm, typer.Argument(help=h("county、city 或 targets", "county, city or targets"))],
    unit: Annotated[str | None, typer.Option("--unit", help=h("报送单位代码", "reporting unit code"))] = None,
    period: Annotated[str | None, typer.Option("--period", help=h("期别 YYYY-MM", "period YYYY-MM"))] = None,
    year: Annotated[int | None, typer.Option("--year", help=h("目标年度(targets 用)", "target year (targets)"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("输出文件(默认按单位和期别命名)", "output file"))] = None,
) -> None:
    from shiwan.render.templates import write_template

    if output is not None:
        output_plan(None, output, ("xlsx",))
    with open_database() as db:
        if output is not None and str(output) == "-":
            write_to_stdout(lambda path: write_template(db, form.value, unit=unit, period=period_option(period),
                                                        year=year, output=path))
            return
        path = write_template(db, form.value, unit=unit, period=period_option(period), year=year, output=output)
    stderr().print(t("template.written", path=str(path)))



# -- import --------------------------------------------------------------------------------------------------------


class Measure(StrEnum):
    ytd = "ytd"
    month = "month"


def _do_import(paths: list[str], unit: str | None, period: str | None, measure: Measure | None, as_json: bool,
               dry_run: bool, mapping: Path | None = None) -> None:
    from shiwan.commands.exchange import load_mapping_option

    with open_database() as db:
        code = run_import(db, paths, unit=unit, period=period_option(period), measure=measure.value if measure else None,
                          as_json=as_json, dry_run=dry_run, mapping=load_mapping_option(db, mapping))
    raise typer.Exit(code)


PathsArg = Annotated[list[str], typer.Argument(help=h("报表文件、文件夹或通配符(如 收件/*.xls)", "files, folders or globs"))]
UnitOpt = Annotated[str | None, typer.Option("--unit", help=h("报送单位代码(文件中读不出时才用)", "reporting unit code, where the file does not say"))]
PeriodOpt = Annotated[str | None, typer.Option("--period", help=h("期别 YYYY-MM(文件中读不出时才用)", "period YYYY-MM, where the file does not say"))]
MeasureOpt = Annotated[Measure | None, typer.Option("--measure", help=h("单行表头的数字是本年累计(ytd)还是本月(month)", "one-row headers hold ytd or month figures"))]


@app.command("import", help=h("导入报表(文件、文件夹或通配符)。每个文件要么全部导入、要么全部不导入;出错时指明文件、工作表和单元格。",
                              "import returns (files, folders, globs); all or nothing per file, every error named by file, sheet and cell"))
def import_(
    paths: PathsArg,
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    measure: MeasureOpt = None,
    as_json: JsonOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=h("只检查,不写入数据库", "check only; write nothing"))] = False,
    mapping: MappingOpt = None,
) -> None:
    _do_import(paths, unit, period, measure, as_json, dry_run, mapping)


@app.command(help=h("检查报表文件但不导入(= import --dry-run);或用 --period 检查库中已有数据的规则、前后月份和县市一致性",
                    "check files without importing them (= import --dry-run), or with --period check the stored data"))
def check(
    paths: Annotated[list[str] | None, typer.Argument(help=h("要检查的报表文件或文件夹", "files or folders to check"))] = None,
    period: PeriodOpt = None,
    under: Annotated[str | None, typer.Option("--under", help=h("只检查此单位以下(与 --period 同用)", "only below this unit (with --period)"))] = None,
    unit: UnitOpt = None,
    measure: MeasureOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[Fmt | None, typer.Option("--format", "-f", help=h("检查库中数据时的输出格式", "output format for stored-data checks"))] = None,
    mapping: MappingOpt = None,
) -> None:
    if paths:
        _do_import(paths, unit, period, measure, as_json, dry_run=True, mapping=mapping)
    if not period:
        from shiwan.base.errors import UsageError

        raise UsageError("cli.check_needs")
    from shiwan.tally.quality import check_stored, problems_table

    with open_database() as db:
        found = check_stored(db, span_option(period), under)
        if as_json or (fmt and fmt.value == "json"):
            from shiwan.render.output import to_json

            typer.echo(to_json([p.to_json() for p in found]))
        elif found or (fmt and fmt.value != "table"):
            emit_table(problems_table(found), fmt.value if fmt else "table")
        if not found:
            stderr().print(t("check.clean", period=period))
    raise typer.Exit(1 if any(p.severity == "error" for p in found) else 0)


imports_app = typer.Typer(cls=ShiwanGroup, help=h("导入记录:查看、详情、撤销", "the import log: list, show, revert"), no_args_is_help=True)
app.add_typer(imports_app, name="imports")


@imports_app.command("list", help=h("列出导入记录(最新的在前)", "list imports, newest first"))
def imports_list(
    period: Annotated[str | None, typer.Option("--period", help=h("只看此期别的 YYYY-MM", "only this period's YYYY-MM"))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=h("只看此单位的", "only this unit's"))] = None,
    limit: Annotated[int, typer.Option("--limit", help=h("最多列出条数", "at most this many"))] = 50,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.importlog import imports_table

    with open_database() as db:
        emit_table(imports_table(db, period=period_option(period), unit=unit, limit=limit), fmt.value)


@imports_app.command("show", help=h("一次导入的详情:文件、哈希、单位、期别,以及它新增或修改的每个数字", "one import: file, hash, unit, period, and every figure it set or changed"))
def imports_show(
    import_id: Annotated[int, typer.Argument(help=h("导入编号", "import id"))],
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.render.importview import show_import

    with open_database() as db:
        show_import(db, import_id, fmt.value)


@imports_app.command("revert", help=h("撤销一次导入:恢复它所替换的数字(撤销本身也记入日志)", "revert an import: restore the figures it replaced (the revert is logged too)"))
def imports_revert(import_id: Annotated[int, typer.Argument(help=h("导入编号", "import id"))]) -> None:
    from shiwan.store.importlog import revert_import

    with open_database() as db:
        rep = revert_import(db, import_id)
    stderr().print(t("revert.done", id=import_id, revert_id=rep.revert_id, restored=rep.restored, removed=rep.removed,
                      kept=rep.kept))


# -- export --------------------------------------------------------------------------------------------------------


class FigureFmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    dhis2_json = "dhis2-json"
    dhis2_csv = "dhis2-csv"


@app.command(help=h("导出某期已报的原始数字(本级数,不汇总),每个单位×指标一行,并注明来源文件和单元格;csv/json 可由 import 读回,"
                    "dhis2-json/dhis2-csv 为 DHIS2 的 dataValueSet",
                    "export the figures as reported (own-level, not aggregated), with their source file and cell; csv/json "
                    "import back, dhis2-json/dhis2-csv are DHIS2 data value sets"))
def export(
    period: Annotated[str, typer.Option("--period", help=h("期别 YYYY-MM(或季 2004Q2、半年 2004H1、年 2004:其中各月)", "period YYYY-MM (or a quarter 2004Q2, half year 2004H1, year 2004: each of its months)"))],
    unit: Annotated[str | None, typer.Option("--unit", help=h("只导出此单位及其下级", "only this unit and those below it"))] = None,
    fmt: Annotated[FigureFmt | None, typer.Option("--format", "-f", help=h("输出格式:csv(默认)、json、table、dhis2-json、dhis2-csv",
                                                                        "csv (default), json, table, dhis2-json or dhis2-csv"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件(.csv .json .txt;- 为标准输出)", "write to this file (.csv .json .txt; - is standard output)"))] = None,
    mapping: MappingOpt = None,
) -> None:
    from shiwan.commands.exchange import load_mapping_option
    from shiwan.tally.export import export_table

    requested = fmt.value if fmt else None
    dhis2 = requested is not None and requested.startswith("dhis2-")
    if mapping is not None and not dhis2:
        raise UsageError("export.mapping_needs_dhis2")
    chosen, output = output_plan(requested.removeprefix("dhis2-") if requested else None, output, ("table", "csv", "json"))
    if fmt is None and (output is None or str(output) == "-"):
        chosen = "csv"
    with open_database() as db:
        if dhis2:
            _export_dhis2(db, span_option(period), unit, requested, output, load_mapping_option(db, mapping))
            return
        table = export_table(db, span_option(period), unit)
    emit_table(table, chosen, output)


def _export_dhis2(db, period: str | None, unit: str | None, fmt: str, output: Path | None, mapping) -> None:
    from shiwan.render.dhis2 import to_dhis2_csv, to_dhis2_json
    from shiwan.tally.dhis2 import dhis2_set

    assert period is not None
    data = dhis2_set(db, period, unit, mapping)
    text = to_dhis2_json(data) if fmt == "dhis2-json" else to_dhis2_csv(data)
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    from shiwan.render.files import write_text

    write_text(output, text)
    stderr().print(t("cli.written", path=str(output)))


period_app = typer.Typer(cls=ShiwanGroup, help=h("期别锁定:锁定后该月不能再导入或撤销", "period locks: a locked month refuses imports and reverts"),
                         no_args_is_help=True)
app.add_typer(period_app, name="period")


LockUnitOpt = Annotated[str | None, typer.Option("--unit", help=h("只锁定此单位(及其下级)的该月;不给则锁定全部单位",
                                                                  "only this unit's month (and the units below it); without it, every unit's"))]


@period_app.command("lock", help=h("锁定期别(如已上报签字的月份);--unit 只锁定一个单位的该月", "lock a period (a month that has been signed off); --unit: one unit's month"))
def period_lock(
    period: Annotated[str, typer.Argument(help=h("期别 YYYY-MM", "period YYYY-MM"))],
    unit: LockUnitOpt = None,
    note: Annotated[str, typer.Option("--note", help=h("备注", "a note"))] = "",
) -> None:
    from shiwan.store.audit import lock_period

    p = period_option(period, "PERIOD")
    with open_database() as db:
        by, at = lock_period(db, p, note, unit)
    stderr().print(t("lock.done", period=p + (f" {unit}" if unit else ""), by=by, at=at))


@period_app.command("unlock", help=h("解锁期别(或 --unit 一个单位的该月)", "unlock a period (or with --unit, one unit's month)"))
def period_unlock(
    period: Annotated[str, typer.Argument(help=h("期别 YYYY-MM", "period YYYY-MM"))],
    unit: LockUnitOpt = None,
    note: Annotated[str, typer.Option("--note", help=h("备注(如解锁原因)", "a note (why)"))] = "",
) -> None:
    from shiwan.store.audit import unlock_period

    p = period_option(period, "PERIOD")
    with open_database() as db:
        by, at = unlock_period(db, p, note, unit)
    stderr().print(t("lock.undone", period=p + (f" {unit}" if unit else ""), by=by, at=at))


@period_app.command("list", help=h("列出每次锁定和解锁(谁、何时)", "every lock and unlock, with who and when"))
def period_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.store.audit import locks_table

    with open_database() as db:
        emit_table(locks_table(db), fmt.value)


@app.command(help=h("数据变更历史:某单位某指标每一个值、何时由哪次导入(文件、单元格、操作人)设定",
                    "history: every value a figure has had, when, from which import, file cell and user"))
def history(
    unit: Annotated[str, typer.Option("--unit", help=h("单位代码", "unit code"))],
    indicator: Annotated[str | None, typer.Option("--indicator", "-i", help=h("指标代码", "indicator code"))] = None,
    period: Annotated[str | None, typer.Option("--period", help=h("只看此期别 YYYY-MM", "only this period YYYY-MM"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.audit import history_table

    with open_database() as db:
        table = history_table(db, unit, indicator, period_option(period))
    emit_table(table, fmt.value)
    if not table.rows and fmt.value == "table":
        stderr().print(t("history.none"))


def run_import(db, paths: list[str], *, unit: str | None, period: str | None, measure: str | None,
               as_json: bool, dry_run: bool, mapping=None) -> int:
    """Import (or check) the files; print the outcome; return the exit status (0 ok, 1 refused)."""
    from shiwan.base.problems import error
    from shiwan.imports import (
        BatchStopped,
        FileResult,
        ImportOptions,
        collect_files,
        import_files,
        skipped_json,
    )
    from shiwan.render.output import is_terminal, to_json

    found = collect_files(paths)
    results: list[FileResult] = []
    opts = ImportOptions(unit=unit, period=period, measure=measure, mapping=mapping)
    progress = None
    if is_terminal(sys.stderr) and found.files:
        from shiwan.render.importview import ImportProgress

        progress = ImportProgress(len(found.files), dry_run)
    stopped: BaseException | None = None
    try:
        results = import_files(db, found.files, opts, dry_run=dry_run, progress=progress.update if progress else None)
    except BatchStopped as exc:  # say what went in and what did not, then what stopped the batch
        results, stopped = exc.results, exc.cause
    finally:
        if progress:
            progress.stop()
    for m in found.missing:
        r = FileResult(file=m)
        r.problems.append(error("import.missing_path", path=m))
        results.append(r)
    if as_json:
        rows = [r.to_json() for r in results] + [skipped_json(f, why) for f, why in found.skipped]
        sys.stdout.write(to_json(rows) + "\n")
    else:
        from shiwan.render.importview import print_summary

        print_summary(results, dry_run=dry_run, skipped=found.skipped)
    if stopped is not None:
        raise stopped
    return 1 if any(r.status == "rejected" for r in results) or not results else 0
