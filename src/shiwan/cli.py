"""The `shiwan` command line: parses options and prints; the work happens in the library modules.

Heavy modules (SQLAlchemy, SQLModel, openpyxl, calamine) are imported inside the commands that need
them, so that `shiwan --help` and tab completion stay instant.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from shiwan.base.i18n import get_lang, set_lang, t

# -- language of the help texts (decided once, at start-up) -----------------------------------------


def _boot_lang() -> str:
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1].lower().startswith("en") else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1].lower().startswith("en") else "zh"
    return "en" if os.environ.get("SHIWAN_LANG", "").lower().startswith("en") else "zh"


_HELP_EN = _boot_lang() == "en"


def h(zh: str, en: str) -> str:
    """A help text in the language the user asked for."""
    return en if _HELP_EN else zh


# -- global options, error handling ----------------------------------------------------------------------

_GLOBAL_WITH_VALUE = ("--db", "--lang")
_GLOBAL_FLAGS = ("--debug",)


class ShiwanGroup(TyperGroup):
    """Accepts the global options anywhere on the line, and turns errors into clear messages."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = _hoist_globals(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # Ctrl-C: the file in progress was rolled back
            _err_line(t("interrupted"))
            raise typer.Exit(130) from None
        except Exception as exc:
            mod = type(exc).__module__ or ""
            if mod.startswith(("typer", "click")):
                raise
            _fail(exc, ctx)


def _hoist_globals(args: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        if a in _GLOBAL_WITH_VALUE and i + 1 < len(args):
            front += [a, args[i + 1]]
            i += 2
            continue
        if any(a.startswith(g + "=") for g in _GLOBAL_WITH_VALUE) or a in _GLOBAL_FLAGS:
            front.append(a)
            i += 1
            continue
        rest.append(a)
        i += 1
    return front + rest


_state: dict[str, Any] = {"db": None, "debug": False}


def _fail(exc: Exception, ctx) -> None:
    from shiwan.base.errors import UserError
    from shiwan.store.db import DatabaseMissing, SchemaMismatch

    if isinstance(exc, BrokenPipeError):  # `| head`: the reader has all it wants
        _quiet_stdout()
        raise typer.Exit(141)
    if isinstance(exc, UserError):
        _err_line(exc.text())
        raise typer.Exit(exc.exit_code)
    if isinstance(exc, DatabaseMissing):
        _err_line(t("db.missing", location=exc.location))
        raise typer.Exit(1)
    if isinstance(exc, SchemaMismatch):
        _err_line(t("db.not_shiwan", location=exc.location) if exc.found is None
                  else t("db.schema", location=exc.location, found=exc.found))
        raise typer.Exit(1)
    if _state["debug"]:
        raise exc
    _err_line(t("internal", error=f"{type(exc).__name__}: {exc}"))
    raise typer.Exit(1)


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _err_line(text: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]✗[/] {_escape(text)}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


app = typer.Typer(
    cls=ShiwanGroup,
    name="shiwan",
    help=h("shiwan:工会“十万行动”等专项工作的月报导入、进度统计与目标考核工具。",
           "shiwan: monthly returns, progress against target and assessment for trade-union campaigns."),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from shiwan import __version__

        typer.echo(f"shiwan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[str | None, typer.Option("--db", metavar="PATH", help=h("数据库文件(默认 ./shiwan.db,或环境变量 SHIWAN_DB)",
                                                         "database file (default ./shiwan.db, or SHIWAN_DB)"))] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", help=h("界面语言:zh(默认)或 en;也可设 SHIWAN_LANG",
                                                             "language: zh (default) or en; or set SHIWAN_LANG"))] = None,
    debug: Annotated[bool, typer.Option("--debug", help=h("出错时显示程序内部的详细信息", "show internal details on errors"))] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=h("显示版本号", "show the version"))] = False,
) -> None:
    _state["db"] = db
    _state["debug"] = debug
    if lang:
        from shiwan.base.i18n import normalize_lang

        try:
            set_lang(normalize_lang(lang))
        except ValueError:
            raise typer.BadParameter(h("应为 zh 或 en", "expected zh or en"), param_hint="--lang") from None
    else:
        set_lang(None)


def _location() -> str:
    from shiwan.base.settings import db_location

    return db_location(_state["db"])


def _open():
    from shiwan.store.db import open_db

    return open_db(_location())


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


class ExportFmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help=h("输出格式:table(表格)、csv、json、md", "output format"))]


def _emit(table, fmt: str, output: Path | None = None) -> None:
    from shiwan.render.output import render

    if output is not None:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            render(table, fmt, fh)
        _stderr().print(t("cli.written", path=str(output)))
    else:
        render(table, fmt)


# -- init ---------------------------------------------------------------------------------------------------


@app.command(help=h("创建数据库并载入内置数据:黑龙江135个单位、指标目录、“十万行动”示例目标。重复运行无害。",
                    "Create the database and load the defaults: Heilongjiang's 135 units, the indicator catalog, the demo campaign. Safe to re-run."))
def init(
    units: Annotated[Path | None, typer.Option("--units", help=h("改用此 CSV 载入单位(code,name,level,parent_code)",
                                                                 "load units from this CSV instead (code,name,level,parent_code)"))] = None,
    catalog: Annotated[Path | None, typer.Option("--catalog", help=h("改用此指标目录文件(TOML)", "load this indicator catalog (TOML)"))] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help=h("载入此专项工作文件(TOML)", "load this campaign file (TOML)"))] = None,
) -> None:
    from shiwan.ref.campaigns import CampaignFileError
    from shiwan.ref.catalog import CatalogError
    from shiwan.ref.units import UnitsFileError
    from shiwan.store.initdb import init_database

    for p in (units, catalog, campaign):
        if p is not None and not p.is_file():
            _err_line(t("import.missing_path", path=str(p)))
            raise typer.Exit(1)
    try:
        rep = init_database(_location(), units=units, catalog=catalog, campaign=campaign)
    except (UnitsFileError, CatalogError, CampaignFileError) as exc:
        _err_line(str(exc))
        raise typer.Exit(1) from None
    con = _stderr()
    if rep.created:
        con.print(t("init.created", location=rep.location))
    else:
        con.print(t("init.exists", location=rep.location))
    if rep.units_added or rep.units_updated:
        con.print(t("init.units", added=rep.units_added, updated=rep.units_updated))
    if rep.indicators_added or rep.indicators_updated:
        con.print(t("init.indicators", added=rep.indicators_added, updated=rep.indicators_updated))
    if rep.campaign:
        con.print(t("init.campaign", code=rep.campaign, added=rep.targets_added, updated=rep.targets_updated))
    if rep.skipped_campaign:
        con.print(t("init.campaign_skipped", code=rep.skipped_campaign))
    if rep.created:
        con.print(t("init.next"))


# -- units and indicators ---------------------------------------------------------------------------------------

units_app = typer.Typer(cls=ShiwanGroup, help=h("单位(工会组织)的查看与维护", "list and maintain units"), no_args_is_help=True)
app.add_typer(units_app, name="units")


@units_app.command("list", help=h("列出单位树(可限定某单位以下)", "show the unit tree (optionally below one unit)"))
def units_list(
    under: Annotated[str | None, typer.Option("--under", help=h("只列出此单位及其下级(单位代码)", "only this unit and those below it (code)"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.tally.listing import units_table

    with _open() as db:
        _emit(units_table(db, under), fmt.value)


@units_app.command("add", help=h("添加一个单位(如产业工会,或行政区划调整后的新单位)", "add a unit (an industry union, a new division)"))
def units_add(
    code: Annotated[str, typer.Argument(help=h("单位代码", "unit code"))],
    name: Annotated[str, typer.Argument(help=h("单位名称,如 道里区", "unit name"))],
    parent: Annotated[str, typer.Option("--parent", help=h("上级单位代码", "parent unit code"))],
    level: Annotated[str | None, typer.Option("--level", help=h("级别:province/city/county/other(默认按上级推断)",
                                                               "level: province/city/county/other (default: from the parent)"))] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help=h("别名(可多次给出)", "another name (repeatable)"))] = None,
) -> None:
    from shiwan.tally.listing import add_unit

    with _open() as db:
        u = add_unit(db, code, name, parent, level, alias or [])
    _stderr().print(t("units.added", code=u[0], name=u[1], parent=u[2]))


indicators_app = typer.Typer(cls=ShiwanGroup, help=h("指标目录", "the indicator catalog"), no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("list", help=h("列出指标目录:代码、名称、别名、计量单位、类型", "show the catalog: codes, names, aliases, units, kinds"))
def indicators_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.tally.listing import indicators_table

    with _open() as db:
        _emit(indicators_table(db), fmt.value)


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

    with _open() as db:
        path = write_template(db, form.value, unit=unit, period=_period_opt(period), year=year, output=output)
    _stderr().print(t("template.written", path=str(path)))


def _period_opt(value: str | None) -> str | None:
    if value is None:
        return None
    from shiwan.ref.periods import PeriodError, parse_period

    try:
        return parse_period(value)
    except PeriodError:
        raise typer.BadParameter(h(f"“{value}”不是期别,应为 YYYY-MM", f"“{value}” is not a period (YYYY-MM)"),
                                 param_hint="--period") from None


# -- import --------------------------------------------------------------------------------------------------------


class Measure(StrEnum):
    ytd = "ytd"
    month = "month"


def _do_import(paths: list[str], unit: str | None, period: str | None, measure: Measure | None, as_json: bool,
               dry_run: bool) -> None:
    from shiwan.render.importview import run_import

    with _open() as db:
        code = run_import(db, paths, unit=unit, period=_period_opt(period), measure=measure.value if measure else None,
                          as_json=as_json, dry_run=dry_run)
    raise typer.Exit(code)


PathsArg = Annotated[list[str], typer.Argument(help=h("报表文件、文件夹或通配符(如 收件/*.xls)", "files, folders or globs"))]
UnitOpt = Annotated[str | None, typer.Option("--unit", help=h("报送单位代码(文件中读不出时才用)", "reporting unit code, where the file does not say"))]
PeriodOpt = Annotated[str | None, typer.Option("--period", help=h("期别 YYYY-MM(文件中读不出时才用)", "period YYYY-MM, where the file does not say"))]
MeasureOpt = Annotated[Measure | None, typer.Option("--measure", help=h("单行表头的数字是本年累计(ytd)还是本月(month)", "one-row headers hold ytd or month figures"))]
JsonOpt = Annotated[bool, typer.Option("--json", help=h("以 JSON 输出结果(供脚本使用)", "print the summary as JSON"))]


@app.command("import", help=h("导入报表(文件、文件夹或通配符)。每个文件要么全部导入、要么全部不导入;出错时指明文件、工作表和单元格。",
                              "import returns (files, folders, globs); all or nothing per file, every error named by file, sheet and cell"))
def import_(
    paths: PathsArg,
    unit: UnitOpt = None,
    period: PeriodOpt = None,
    measure: MeasureOpt = None,
    as_json: JsonOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=h("只检查,不写入数据库", "check only; write nothing"))] = False,
) -> None:
    _do_import(paths, unit, period, measure, as_json, dry_run)


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
) -> None:
    if paths:
        _do_import(paths, unit, period, measure, as_json, dry_run=True)
    if not period:
        from shiwan.base.errors import UsageError

        raise UsageError("cli.check_needs")
    from shiwan.tally.quality import check_stored, problems_table

    with _open() as db:
        found = check_stored(db, _period_opt(period), under)
        if as_json or (fmt and fmt.value == "json"):
            from shiwan.render.output import to_json

            typer.echo(to_json([p.to_json() for p in found]))
        elif found or (fmt and fmt.value != "table"):
            _emit(problems_table(found), fmt.value if fmt else "table")
        if not found:
            _stderr().print(t("check.clean", period=period))
    raise typer.Exit(1 if any(p.severity == "error" for p in found) else 0)


imports_app = typer.Typer(cls=ShiwanGroup, help=h("导入记录:查看、详情、撤销", "the import log: list, show, revert"), no_args_is_help=True)
app.add_typer(imports_app, name="imports")


@imports_app.command("list", help=h("列出导入记录(最新的在前)", "list imports, newest first"))
def imports_list(
    period: PeriodOpt = None,
    unit: Annotated[str | None, typer.Option("--unit", help=h("只看此单位的", "only this unit's"))] = None,
    limit: Annotated[int, typer.Option("--limit", help=h("最多列出条数", "at most this many"))] = 50,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.importlog import imports_table

    with _open() as db:
        _emit(imports_table(db, period=_period_opt(period), unit=unit, limit=limit), fmt.value)


@imports_app.command("show", help=h("一次导入的详情:文件、哈希、单位、期别,以及它新增或修改的每个数字", "one import: file, hash, unit, period, and every figure it set or changed"))
def imports_show(
    import_id: Annotated[int, typer.Argument(help=h("导入编号", "import id"))],
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.importlog import show_import

    with _open() as db:
        show_import(db, import_id, fmt.value)


@imports_app.command("revert", help=h("撤销一次导入:恢复它所替换的数字(撤销本身也记入日志)", "revert an import: restore the figures it replaced (the revert is logged too)"))
def imports_revert(import_id: Annotated[int, typer.Argument(help=h("导入编号", "import id"))]) -> None:
    from shiwan.store.importlog import revert_import

    with _open() as db:
        rep = revert_import(db, import_id)
    _stderr().print(t("revert.done", id=import_id, revert_id=rep.revert_id, restored=rep.restored, removed=rep.removed,
                      kept=rep.kept))


# -- export --------------------------------------------------------------------------------------------------------


@app.command(help=h("导出某期已报的原始数字(本级数,不汇总),每个单位×指标一行,并注明来源文件和单元格",
                    "export the figures as reported (own-level, not aggregated), with their source file and cell"))
def export(
    period: Annotated[str, typer.Option("--period", help=h("期别 YYYY-MM", "period YYYY-MM"))],
    unit: Annotated[str | None, typer.Option("--unit", help=h("只导出此单位及其下级", "only this unit and those below it"))] = None,
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help=h("输出格式:csv(默认)、json、table", "csv (default), json or table"))] = ExportFmt.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件", "write to this file"))] = None,
) -> None:
    from shiwan.tally.export import export_table

    with _open() as db:
        table = export_table(db, _period_opt(period), unit)
    _emit(table, fmt.value, output)


period_app = typer.Typer(cls=ShiwanGroup, help=h("期别锁定:锁定后该月不能再导入或撤销", "period locks: a locked month refuses imports and reverts"),
                         no_args_is_help=True)
app.add_typer(period_app, name="period")


@period_app.command("lock", help=h("锁定期别(如已上报签字的月份)", "lock a period (a month that has been signed off)"))
def period_lock(
    period: Annotated[str, typer.Argument(help=h("期别 YYYY-MM", "period YYYY-MM"))],
    note: Annotated[str, typer.Option("--note", help=h("备注", "a note"))] = "",
) -> None:
    from shiwan.store.audit import lock_period

    p = _period_opt(period)
    with _open() as db:
        by, at = lock_period(db, p, note)
    _stderr().print(t("lock.done", period=p, by=by, at=at))


@period_app.command("unlock", help=h("解锁期别", "unlock a period"))
def period_unlock(
    period: Annotated[str, typer.Argument(help=h("期别 YYYY-MM", "period YYYY-MM"))],
    note: Annotated[str, typer.Option("--note", help=h("备注(如解锁原因)", "a note (why)"))] = "",
) -> None:
    from shiwan.store.audit import unlock_period

    p = _period_opt(period)
    with _open() as db:
        by, at = unlock_period(db, p, note)
    _stderr().print(t("lock.undone", period=p, by=by, at=at))


@period_app.command("list", help=h("列出每次锁定和解锁(谁、何时)", "every lock and unlock, with who and when"))
def period_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.store.audit import locks_table

    with _open() as db:
        _emit(locks_table(db), fmt.value)


@app.command(help=h("数据变更历史:某单位某指标每一个值、何时由哪次导入(文件、单元格、操作人)设定",
                    "history: every value a figure has had, when, from which import, file cell and user"))
def history(
    unit: Annotated[str, typer.Option("--unit", help=h("单位代码", "unit code"))],
    indicator: Annotated[str | None, typer.Option("--indicator", "-i", help=h("指标代码", "indicator code"))] = None,
    period: PeriodOpt = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.audit import history_table

    with _open() as db:
        table = history_table(db, unit, indicator, _period_opt(period))
    _emit(table, fmt.value)
    if not table.rows and fmt.value == "table":
        _stderr().print(t("history.none"))


# -- reports ---------------------------------------------------------------------------------------------------------

report_app = typer.Typer(cls=ShiwanGroup, help=h("统计报表:进度、专项、报送情况、趋势、三个扶持建立、考核",
                                                 "reports: progress, campaign, completeness, trend, checklist, assessment"),
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


class ReportFmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"


class TimeBasis(StrEnum):
    month = "month"
    days = "days"


ReportFmtOpt = Annotated[ReportFmt | None, typer.Option("--format", "-f", help=h("table、csv、json、md 或 xlsx(默认按 -o 的扩展名,否则 table)",
                                                                                "table, csv, json, md or xlsx (default: from -o's extension, else table)"))]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件(按扩展名选择格式)", "write to this file (format from its extension)"))]
UnderOpt = Annotated[str | None, typer.Option("--under", help=h("列出此单位的下级(默认全省各市)", "list the units below this one (default: the province's cities)"))]
ReportPeriodOpt = Annotated[str | None, typer.Option("--period", help=h("期别 YYYY-MM(默认:有数据的最近一个月)", "period YYYY-MM (default: the latest month with data)"))]


def _report_out(report, fmt: ReportFmt | None, output: Path | None) -> None:
    from shiwan.render.report import write_report

    chosen = fmt.value if fmt else None
    if chosen is None and output is not None:
        ext = output.suffix.lower().lstrip(".")
        chosen = ext if ext in ("csv", "json", "md", "xlsx") else "table"
    path = write_report(report, chosen or "table", output)
    if path is not None:
        _stderr().print(t("cli.written", path=str(path)))


@report_app.command("progress", help=h("进度表:本月、本年累计、年度目标、完成率、时间进度、进度差、同比、排名",
                                       "progress: month, year to date, target, completion, time progress, gap, year on year, rank"))
def report_progress(
    period: ReportPeriodOpt = None,
    under: UnderOpt = None,
    indicator: Annotated[list[str] | None, typer.Option("--indicator", "-i", help=h("指标代码(可多次给出;默认主要指标)", "indicator code (repeatable; default: the headline set)"))] = None,
    time_basis: Annotated[TimeBasis, typer.Option("--time-basis", help=h("时间进度:month(月数/12)或 days(已过天数/全年天数)", "time progress: month/12 or days elapsed"))] = TimeBasis.month,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import progress_report

    with _open() as db:
        rep = progress_report(db, period=_period_opt(period), under=under, indicators=indicator or None,
                              time_basis=time_basis.value)
    _report_out(rep, fmt, output)


@report_app.command("campaign", help=h("专项工作进度:自开展以来累计完成、占目标比例、时间过半情况、进度差、剩余每月需完成数",
                                       "campaign progress: achieved since the start, share of target, months elapsed, gap, needed per remaining month"))
def report_campaign(
    period: ReportPeriodOpt = None,
    under: UnderOpt = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项工作代码(默认当前专项)", "campaign code (default: the default campaign)"))] = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import campaign_report

    with _open() as db:
        rep = campaign_report(db, period=_period_opt(period), under=under, campaign=campaign)
    _report_out(rep, fmt, output)


@report_app.command("completeness", help=h("报送情况:应报、实报、及时、迟报、未报,附催报名单和迟报名单",
                                           "completeness: returns expected, received, on time, late, missing, with the lists"))
def report_completeness(
    period: ReportPeriodOpt = None,
    under: UnderOpt = None,
    deadline_day: Annotated[int | None, typer.Option("--deadline-day", min=1, max=28, help=h("报送截止日(次月几日,默认5日)", "deadline day of the following month (default 5)"))] = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.tally.completeness import completeness_report

    with _open() as db:
        rep = completeness_report(db, period=_period_opt(period), under=under, deadline_day=deadline_day)
    _report_out(rep, fmt, output)


@report_app.command("trend", help=h("趋势:某指标逐月的本月数和本年累计(终端条形图;xlsx 含折线图)",
                                    "trend: an indicator month by month (bar chart in the terminal, line chart in xlsx)"))
def report_trend(
    indicator: Annotated[str, typer.Option("--indicator", "-i", help=h("指标代码", "indicator code"))] = "reemployed",
    unit: Annotated[str | None, typer.Option("--unit", help=h("单位代码(含其下级;默认全省)", "unit code (with its subtree; default: the province)"))] = None,
    first: Annotated[str | None, typer.Option("--from", help=h("起始期别 YYYY-MM(默认当年1月)", "first period (default: January)"))] = None,
    last: Annotated[str | None, typer.Option("--to", help=h("截止期别 YYYY-MM(默认最近有数据的月份)", "last period (default: the latest with data)"))] = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import trend_report

    with _open() as db:
        rep = trend_report(db, indicator=indicator, unit=unit, first=_period_opt(first), last=_period_opt(last))
    _report_out(rep, fmt, output)


@report_app.command("checklist", help=h("三个扶持建立:各市本级是否已有再就业基地、扶贫解困市场、自办经济实体,及职介、培训机构资质认证情况",
                                        "三个扶持建立: whether each city's own office has a base, a market and an entity; certification of agencies"))
def report_checklist(
    period: ReportPeriodOpt = None,
    under: UnderOpt = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import checklist_report

    with _open() as db:
        rep = checklist_report(db, period=_period_opt(period), under=under)
    _report_out(rep, fmt, output)


@report_app.command("assessment", help=h("目标考核评分表:按评分办法计算各单位得分、加减分、总分、排名和等级",
                                          "assessment: each unit's score by the scheme, bonus and deductions, total, rank and band"))
def report_assessment(
    year: Annotated[int | None, typer.Option("--year", help=h("考核年度(默认最近有数据的年度)", "the year (default: the latest with data)"))] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=h("统计截止期别 YYYY-MM(年中考核)", "as of this month (a mid-year assessment)"))] = None,
    under: UnderOpt = None,
    scheme: Annotated[Path | None, typer.Option("--scheme", help=h("评分办法文件(TOML;默认专项自带的)", "scheme file (TOML; default: the campaign's)"))] = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import resolve_period
    from shiwan.tally.assessment import SchemeError, assessment_report

    with _open() as db:
        p = _period_opt(as_of)
        y = year or int((p or resolve_period(db, None))[:4])
        try:
            rep = assessment_report(db, year=y, as_of=p, under=under, scheme_path=scheme)
        except SchemeError as exc:
            _err_line(str(exc))
            raise typer.Exit(1) from None
    _report_out(rep, fmt, output)


# -- campaigns and targets ---------------------------------------------------------------------------------------

campaign_app = typer.Typer(cls=ShiwanGroup, help=h("专项工作(如“十万行动”):列出、查看、载入", "campaigns: list, show, load"),
                           no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("list", help=h("列出数据库中的专项工作", "list the campaigns"))
def campaign_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.tally.campaigns import campaigns_table

    with _open() as db:
        _emit(campaigns_table(db), fmt.value)


@campaign_app.command("show", help=h("查看一个专项:期限、考核指标、总目标、各年目标、评分办法", "one campaign: span, headline indicator, targets, scheme"))
def campaign_show(
    code: Annotated[str | None, typer.Argument(help=h("专项代码(默认当前专项)", "campaign code (default: the default one)"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.tally.campaigns import show_campaign

    with _open() as db:
        show_campaign(db, code, fmt.value)


@campaign_app.command("load", help=h("从文件(TOML)载入或更新一个专项工作及其目标", "load or update a campaign and its targets from a TOML file"))
def campaign_load(path: Annotated[Path, typer.Argument(help=h("专项文件", "campaign file"))]) -> None:
    from shiwan.base.settings import os_user
    from shiwan.ref.campaigns import CampaignFileError, load_campaign_file, save_campaign
    from shiwan.store.initdb import now_iso

    if not path.is_file():
        _err_line(t("import.missing_path", path=str(path)))
        raise typer.Exit(1)
    with _open() as db:
        try:
            camp = load_campaign_file(path)
            with db.transaction():
                added, updated = save_campaign(db, camp, user=os_user(), now=now_iso(), replace_targets=True)
        except CampaignFileError as exc:
            _err_line(str(exc))
            raise typer.Exit(1) from None
    _stderr().print(t("campaign.loaded", code=camp.code, added=added, updated=updated))


targets_app = typer.Typer(cls=ShiwanGroup, help=h("目标任务:导入分解表、设定、列出、导出", "targets: import an allocation sheet, set, list, export"),
                          no_args_is_help=True)
app.add_typer(targets_app, name="targets")


def _print_problems(problems) -> None:
    con = _stderr()
    for p in problems:
        mark = "[red]✗[/]" if p.is_error else "[yellow]![/]"
        place = p.place()
        con.print(f"{mark} {_escape(place + ': ' if place else '')}{_escape(p.message())}")


@targets_app.command("import", help=h("导入目标任务分解表(各单位向下,各指标横排;年度或专项全程写在标题中或用选项给出)",
                                      "import a target allocation sheet (units down, indicators across; the year in the title or an option)"))
def targets_import(
    path: Annotated[Path, typer.Argument(help=h("分解表文件", "allocation sheet"))],
    year: Annotated[int | None, typer.Option("--year", help=h("目标年度", "target year"))] = None,
    campaign_total: Annotated[bool, typer.Option("--campaign-total", help=h("是专项全程的目标", "targets for the whole campaign"))] = False,
    unit: Annotated[str | None, typer.Option("--unit", help=h("分解单位代码(表中读不出时)", "allocating unit code, where the sheet does not say"))] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项代码", "campaign code"))] = None,
    as_json: JsonOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=h("只检查,不写入", "check only"))] = False,
) -> None:
    from shiwan.store.targets import import_targets

    if not path.is_file():
        _err_line(t("import.missing_path", path=str(path)))
        raise typer.Exit(1)
    with _open() as db:
        res = import_targets(db, path, unit=unit, year=year, campaign_total=campaign_total, campaign=campaign,
                             dry_run=dry_run)
    if as_json:
        from shiwan.render.output import to_json

        typer.echo(to_json(res.to_json()))
    else:
        _print_problems(res.problems)
        if res.status != "rejected":
            from shiwan.store.targets import _year_text

            _stderr().print(t("targets.done", file=path.name, added=res.added, changed=res.changed,
                              unchanged=res.unchanged, unit=res.unit, year=_year_text(res.year)))
    raise typer.Exit(1 if res.status == "rejected" else 0)


@targets_app.command("set", help=h("设定一个目标:单位 指标 年度(或 campaign 表示专项全程) 数值", "set one target: UNIT INDICATOR YEAR|campaign VALUE"))
def targets_set(
    unit: Annotated[str, typer.Argument(help=h("单位代码", "unit code"))],
    indicator: Annotated[str, typer.Argument(help=h("指标代码", "indicator code"))],
    year: Annotated[str, typer.Argument(help=h("年度,或 campaign", "year, or campaign"))],
    value: Annotated[str, typer.Argument(help=h("目标数", "the target"))],
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项代码", "campaign code"))] = None,
) -> None:
    from shiwan.store.targets import set_target

    with _open() as db:
        old, warns = set_target(db, unit, indicator, year, value, campaign)
    _stderr().print(t("targets.set_done", unit=unit, indicator=indicator, year=year, value=value,
                      old="—" if old is None else f"{old:g}"))
    _print_problems(warns)


@targets_app.command("list", help=h("列出目标,并提示分解不足或超出", "list targets, with under- and over-allocation"))
def targets_list(
    year: Annotated[str | None, typer.Option("--year", help=h("年度,或 campaign", "year, or campaign"))] = None,
    under: Annotated[str | None, typer.Option("--under", help=h("只列此单位及其下级", "only this unit and below"))] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项代码", "campaign code"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.targets import _parse_year, targets_table

    with _open() as db:
        table, warns = targets_table(db, year=_parse_year(year) if year else None, under=under, campaign=campaign)
    _emit(table, fmt.value)
    if fmt.value == "table":
        _print_problems(warns)


@targets_app.command("export", help=h("导出目标(csv、json,或可再导入的 xlsx 分解表)", "export targets (csv, json, or an xlsx allocation sheet that imports back)"))
def targets_export(
    year: Annotated[str | None, typer.Option("--year", help=h("年度,或 campaign", "year, or campaign"))] = None,
    under: Annotated[str | None, typer.Option("--under", help=h("只导出此单位及其下级", "only this unit and below"))] = None,
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help=h("csv(默认)、json、table", "csv (default), json, table"))] = ExportFmt.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件(.xlsx 为分解表)", "write to a file (.xlsx: an allocation sheet)"))] = None,
) -> None:
    from shiwan.store.targets import _parse_year, export_targets_xlsx, targets_table

    with _open() as db:
        y = _parse_year(year) if year else None
        if output is not None and output.suffix.lower() == ".xlsx":
            path = export_targets_xlsx(db, year=y, under=under, output=output)
            _stderr().print(t("cli.written", path=str(path)))
            return
        table, _ = targets_table(db, year=y, under=under)
    _emit(table, fmt.value, output)


config_app = typer.Typer(cls=ShiwanGroup, help=h("本数据库的设置(如报送截止日)", "settings of this database (the deadline day)"),
                         no_args_is_help=True)
app.add_typer(config_app, name="config")

_SETTINGS = {"deadline_day": (1, 28)}


@config_app.command("list", help=h("列出设置", "list the settings"))
def config_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.render.output import Column, Table

    with _open() as db:
        rows = [{"key": k, "value": db.meta(k) or ""} for k in _SETTINGS]
    _emit(Table([Column("key", t("col.setting")), Column("value", t("col.value"))], rows), fmt.value)


@config_app.command("set", help=h("修改设置,如 shiwan config set deadline_day 10(次月10日前报送算及时)",
                                  "change a setting, e.g. shiwan config set deadline_day 10"))
def config_set(
    key: Annotated[str, typer.Argument(help=h("设置项:deadline_day", "setting: deadline_day"))],
    value: Annotated[str, typer.Argument(help=h("新的值", "the new value"))],
) -> None:
    from shiwan.base.errors import UsageError

    if key not in _SETTINGS:
        raise UsageError("config.unknown", key=key, known=", ".join(_SETTINGS))
    lo, hi = _SETTINGS[key]
    if not value.isdigit() or not lo <= int(value) <= hi:
        raise UsageError("config.range", key=key, lo=lo, hi=hi)
    with _open() as db, db.transaction():
        db.set_meta(key, str(int(value)))
    _stderr().print(t("config.done", key=key, value=int(value)))


# -- demo ----------------------------------------------------------------------------------------------------------------


@app.command(help=h("演示:新建演示数据库,生成半年的市汇总表和县级报表(真实 .xlsx 文件),导入后显示全省进度表",
                    "demo: build a demo database, write half a year of returns as real .xlsx files, import them, show the province's progress"))
def demo(
    directory: Annotated[Path, typer.Option("--dir", help=h("演示文件夹(不会动你的 shiwan.db)", "demo folder (your shiwan.db is not touched)"))] = Path("shiwan-demo"),
    months: Annotated[int, typer.Option("--months", min=1, max=12, help=h("生成几个月的报表", "how many months of returns"))] = 6,
    seed: Annotated[int, typer.Option("--seed", help=h("随机数种子(相同种子生成相同数据)", "random seed (same seed, same data)"))] = 2003,
) -> None:
    from shiwan.demo.run import run_demo

    code = run_demo(directory, months=months, seed=seed)
    raise typer.Exit(code)


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="shiwan")
    except KeyboardInterrupt:
        _err_line(t("interrupted"))
        sys.exit(130)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(141)


__all__ = ["app", "main", "get_lang"]
