"""`init`, `units`, `indicators`: the database, its units and its catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import (
    Fmt,
    FormatOpt,
    ShiwanGroup,
    db_location_arg,
    emit_table,
    error_line,
    h,
    open_database,
    stderr,
)

app = typer.Typer(cls=ShiwanGroup)

# -- init ---------------------------------------------------------------------------------------------------


@app.command(help=h("创建数据库并载入内置数据:黑龙江历年的单位及存续年份、指标目录、“十万行动”示例目标。重复运行无害。",
                    "Create the database and load the defaults: Heilongjiang's units over the years, the indicator catalog, the demo campaign. Safe to re-run."))
def init(
    units: Annotated[Path | None, typer.Option("--units", help=h("改用此 CSV 载入单位(code,name,level,parent_code;可加 first_year,last_year,successors 列,否则一直存续)",
                                                                 "load units from this CSV instead (code,name,level,parent_code; with first_year,last_year,successors columns, else standing always)"))] = None,
    catalog: Annotated[Path | None, typer.Option("--catalog", help=h("改用此指标目录文件(TOML)", "load this indicator catalog (TOML)"))] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help=h("载入此专项工作文件(TOML)", "load this campaign file (TOML)"))] = None,
) -> None:
    from shiwan.ref.campaigns import CampaignFileError
    from shiwan.ref.catalog import CatalogError
    from shiwan.ref.unitsfile import UnitsFileError
    from shiwan.store.initdb import init_database

    for p in (units, catalog, campaign):
        if p is not None and not p.is_file():
            error_line(t("import.missing_path", path=str(p)))
            raise typer.Exit(1)
    try:
        rep = init_database(db_location_arg(), units=units, catalog=catalog, campaign=campaign)
    except (UnitsFileError, CatalogError, CampaignFileError) as exc:
        error_line(str(exc))
        raise typer.Exit(1) from None
    con = stderr()
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


@units_app.command("list", help=h("列出单位树:数据库中历年的全部单位及其存续年份;--at 只列某期存续的单位",
                                    "show the unit tree: every unit the database has had, with the years it stood; --at: those standing then"))
def units_list(
    under: Annotated[str | None, typer.Option("--under", help=h("只列出此单位及其下级(单位代码)", "only this unit and those below it (code)"))] = None,
    at: Annotated[str | None, typer.Option("--at", help=h("只列出此期存续的单位(如 2003-06、2003)", "only the units standing at this period (2003-06, 2003)"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.commands.base import span_option
    from shiwan.tally.listing import units_table

    with open_database() as db:
        emit_table(units_table(db, under, span_option(at, "--at")), fmt.value)


@units_app.command("add", help=h("添加一个单位(如产业工会,或行政区划调整后的新单位)", "add a unit (an industry union, a new division)"))
def units_add(
    code: Annotated[str, typer.Argument(help=h("单位代码", "unit code"))],
    name: Annotated[str, typer.Argument(help=h("单位名称,如 道里区", "unit name"))],
    parent: Annotated[str, typer.Option("--parent", help=h("上级单位代码", "parent unit code"))],
    level: Annotated[str | None, typer.Option("--level", help=h("级别:province/city/county/other(默认按上级推断)",
                                                               "level: province/city/county/other (default: from the parent)"))] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help=h("别名(可多次给出)", "another name (repeatable)"))] = None,
    first_year: Annotated[int | None, typer.Option("--from", min=1900, max=2200, help=h("自哪一年起存续(默认一直存续)", "first year it stands (default: always)"))] = None,
    last_year: Annotated[int | None, typer.Option("--until", min=1900, max=2200, help=h("存续到哪一年(默认至今)", "last year it stands (default: still standing)"))] = None,
) -> None:
    from shiwan.tally.listing import add_unit

    with open_database() as db:
        u = add_unit(db, code, name, parent, level, alias or [], first_year, last_year)
    stderr().print(t("units.added", code=u[0], name=u[1], parent=u[2]))


indicators_app = typer.Typer(cls=ShiwanGroup, help=h("指标目录", "the indicator catalog"), no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("list", help=h("列出指标目录:代码、名称、别名、计量单位、类型", "show the catalog: codes, names, aliases, units, kinds"))
def indicators_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.tally.listing import indicators_table

    with open_database() as db:
        emit_table(indicators_table(db), fmt.value)
