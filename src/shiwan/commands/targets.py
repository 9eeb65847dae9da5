"""`campaign`, `targets`: campaigns and the targets handed down the hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import (
    ExportFmt,
    Fmt,
    FormatOpt,
    JsonOpt,
    ShiwanGroup,
    emit_table,
    error_line,
    escape_markup,
    h,
    open_database,
    output_plan,
    stderr,
)

app = typer.Typer(cls=ShiwanGroup)

# -- campaigns and targets ---------------------------------------------------------------------------------------

campaign_app = typer.Typer(cls=ShiwanGroup, help=h("专项工作(如“十万行动”):列出、查看、载入", "campaigns: list, show, load"),
                           no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("list", help=h("列出数据库中的专项工作", "list the campaigns"))
def campaign_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.tally.campaigns import campaigns_table

    with open_database() as db:
        emit_table(campaigns_table(db), fmt.value)


@campaign_app.command("show", help=h("查看一个专项:期限、考核指标、总目标、各年目标、评分办法", "one campaign: span, headline indicator, targets, scheme"))
def campaign_show(
    code: Annotated[str | None, typer.Argument(help=h("专项代码(默认当前专项)", "campaign code (default: the default one)"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.render.campaignview import show_campaign

    with open_database() as db:
        show_campaign(db, code, fmt.value)


@campaign_app.command("load", help=h("从文件(TOML)载入或更新一个专项工作及其目标", "load or update a campaign and its targets from a TOML file"))
def campaign_load(path: Annotated[Path, typer.Argument(help=h("专项文件", "campaign file"))]) -> None:
    from shiwan.base.settings import os_user
    from shiwan.ref.campaigns import CampaignFileError, load_campaign_file, save_campaign
    from shiwan.store.initdb import now_iso

    if not path.is_file():
        error_line(t("import.missing_path", path=str(path)))
        raise typer.Exit(1)
    with open_database() as db:
        try:
            camp = load_campaign_file(path)
            with db.transaction():
                added, updated = save_campaign(db, camp, user=os_user(), now=now_iso(), replace_targets=True)
        except CampaignFileError as exc:
            error_line(str(exc))
            raise typer.Exit(1) from None
    stderr().print(t("campaign.loaded", code=camp.code, added=added, updated=updated))


targets_app = typer.Typer(cls=ShiwanGroup, help=h("目标任务:导入分解表、设定、列出、导出", "targets: import an allocation sheet, set, list, export"),
                          no_args_is_help=True)
app.add_typer(targets_app, name="targets")


def print_problems(problems) -> None:
    con = stderr()
    for p in problems:
        mark = "[red]✗[/]" if p.is_error else "[yellow]![/]"
        place = p.place()
        con.print(f"{mark} {escape_markup(place + ': ' if place else '')}{escape_markup(p.message())}", markup=True)


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
    from shiwan.imports import import_targets

    if not path.is_file():
        error_line(t("import.missing_path", path=str(path)))
        raise typer.Exit(1)
    with open_database() as db:
        res = import_targets(db, path, unit=unit, year=year, campaign_total=campaign_total, campaign=campaign,
                             dry_run=dry_run)
    if as_json:
        from shiwan.render.output import to_json

        typer.echo(to_json(res.to_json()))
    else:
        print_problems(res.problems)
        if res.status != "rejected":
            from shiwan.recognize.targets import year_text

            stderr().print(t("targets.done_dry" if dry_run else "targets.done", file=path.name, added=res.added,
                              changed=res.changed, unchanged=res.unchanged, unit=res.unit, year=year_text(res.year)))
    raise typer.Exit(1 if res.status == "rejected" else 0)


@targets_app.command("set", context_settings={"ignore_unknown_options": True}, help=h("设定一个目标:单位 指标 年度(或 campaign 表示专项全程) 数值", "set one target: UNIT INDICATOR YEAR|campaign VALUE"))
def targets_set(
    unit: Annotated[str, typer.Argument(help=h("单位代码", "unit code"))],
    indicator: Annotated[str, typer.Argument(help=h("指标代码", "indicator code"))],
    year: Annotated[str, typer.Argument(help=h("年度,或 campaign", "year, or campaign"))],
    value: Annotated[str, typer.Argument(help=h("目标数", "the target"))],
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项代码", "campaign code"))] = None,
) -> None:
    from shiwan.store.targets import set_target

    with open_database() as db:
        old, warns = set_target(db, unit, indicator, year, value, campaign)
    stderr().print(t("targets.set_done", unit=unit, indicator=indicator, year=year, value=value,
                      old="—" if old is None else f"{old:g}"))
    print_problems(warns)


@targets_app.command("list", help=h("列出目标,并提示分解不足或超出", "list targets, with under- and over-allocation"))
def targets_list(
    year: Annotated[str | None, typer.Option("--year", help=h("年度,或 campaign", "year, or campaign"))] = None,
    under: Annotated[str | None, typer.Option("--under", help=h("只列此单位及其下级", "only this unit and below"))] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help=h("专项代码", "campaign code"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.targets import parse_target_year
    from shiwan.tally.targets import targets_table

    with open_database() as db:
        table, warns = targets_table(db, year=parse_target_year(year) if year else None, under=under, campaign=campaign)
    emit_table(table, fmt.value)
    if fmt.value == "table":
        print_problems(warns)


@targets_app.command("export", help=h("导出目标(csv、json,或可再导入的 xlsx 分解表)", "export targets (csv, json, or an xlsx allocation sheet that imports back)"))
def targets_export(
    year: Annotated[str | None, typer.Option("--year", help=h("年度,或 campaign", "year, or campaign"))] = None,
    under: Annotated[str | None, typer.Option("--under", help=h("只导出此单位及其下级", "only this unit and below"))] = None,
    fmt: Annotated[ExportFmt | None, typer.Option("--format", "-f", help=h("csv(默认)、json、table", "csv (default), json, table"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件(.csv .json .txt,.xlsx 为可再导入的分解表;- 为标准输出)",
                                                                        "write to a file (.csv .json .txt, .xlsx: an allocation sheet that imports back; - is standard output)"))] = None,
) -> None:
    from shiwan.render.targetsheet import export_targets_xlsx
    from shiwan.store.targets import parse_target_year
    from shiwan.tally.targets import targets_table

    chosen, output = output_plan(fmt.value if fmt else None, output, ("table", "csv", "json", "xlsx"))
    if fmt is None and (output is None or str(output) == "-"):
        chosen = "csv"
    with open_database() as db:
        y = parse_target_year(year) if year else None
        if chosen == "xlsx":
            path = export_targets_xlsx(db, year=y, under=under, output=output)
            stderr().print(t("cli.written", path=str(path)))
            return
        table, _ = targets_table(db, year=y, under=under)
    emit_table(table, chosen, output)


