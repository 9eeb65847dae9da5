"""`report progress|campaign|completeness|trend|checklist|assessment`: the statistician's tables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import (
    ShiwanGroup,
    error_line,
    h,
    open_database,
    output_plan,
    span_option,
    stderr,
)

app = typer.Typer(cls=ShiwanGroup)

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
    pdf = "pdf"


class TimeBasis(StrEnum):
    month = "month"
    days = "days"


ReportFmtOpt = Annotated[ReportFmt | None, typer.Option("--format", "-f", help=h("table、csv、json、md、xlsx 或 pdf(默认按 -o 的扩展名,否则 table)",
                                                                                "table, csv, json, md, xlsx or pdf (default: from -o's extension, else table)"))]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help=h("写入文件,格式按扩展名(.txt .csv .json .md .xlsx,装有 LibreOffice 时 .pdf);- 为标准输出",
                                                                        "write to this file, the format from its extension (.txt .csv .json .md .xlsx, .pdf where LibreOffice is installed); - is standard output"))]
UnderOpt = Annotated[str | None, typer.Option("--under", help=h("列出此单位的下级(默认全省各市)", "list the units below this one (default: the province's cities)"))]
ReportPeriodOpt = Annotated[str | None, typer.Option("--period", help=h("期别:月 2004-06、季 2004Q2(2004年二季度)、半年 2004H1(上半年)或年 2004(默认:有数据的最近一个月)",
                                                                         "period: a month 2004-06, quarter 2004Q2, half year 2004H1 or year 2004 (default: the latest month with data)"))]


REPORT_FORMATS = ("table", "csv", "json", "md", "xlsx", "pdf")


def _plan(fmt: ReportFmt | None, output: Path | None) -> tuple[str, Path | None]:
    """Checked before the report is computed: a bad -o costs nothing."""
    return output_plan(fmt.value if fmt else None, output, REPORT_FORMATS)


def _report_out(report, plan: tuple[str, Path | None]) -> None:
    from shiwan.render.report import write_report

    fmt, output = plan
    path = write_report(report, fmt, output)
    if path is not None:
        stderr().print(t("cli.written", path=str(path)))


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

    plan = _plan(fmt, output)
    with open_database() as db:
        rep = progress_report(db, period=span_option(period), under=under, indicators=indicator or None,
                              time_basis=time_basis.value)
    _report_out(rep, plan)


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

    plan = _plan(fmt, output)
    with open_database() as db:
        rep = campaign_report(db, period=span_option(period), under=under, campaign=campaign)
    _report_out(rep, plan)


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

    plan = _plan(fmt, output)
    with open_database() as db:
        rep = completeness_report(db, period=span_option(period), under=under, deadline_day=deadline_day)
    _report_out(rep, plan)


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

    plan = _plan(fmt, output)
    with open_database() as db:
        rep = trend_report(db, indicator=indicator, unit=unit, first=span_option(first, "--from"), last=span_option(last, "--to"))
    _report_out(rep, plan)


@report_app.command("checklist", help=h("三个扶持建立:各市本级是否已有再就业基地、扶贫解困市场、自办经济实体,及职介、培训机构资质认证情况",
                                        "三个扶持建立: whether each city's own office has a base, a market and an entity; certification of agencies"))
def report_checklist(
    period: ReportPeriodOpt = None,
    under: UnderOpt = None,
    fmt: ReportFmtOpt = None,
    output: OutputOpt = None,
) -> None:
    from shiwan.reports import checklist_report

    plan = _plan(fmt, output)
    with open_database() as db:
        rep = checklist_report(db, period=span_option(period), under=under)
    _report_out(rep, plan)


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
    from shiwan.ref.scheme import SchemeError
    from shiwan.reports import resolve_period
    from shiwan.tally.assessment import assessment_report
    from shiwan.tally.report import resolve_span

    plan = _plan(fmt, output)
    with open_database() as db:
        p = resolve_span(db, span_option(as_of, "--as-of")).last if as_of else None  # a quarter: as of its end
        y = year or int((p or resolve_period(db, None))[:4])
        try:
            rep = assessment_report(db, year=y, as_of=p, under=under, scheme_path=scheme)
        except SchemeError as exc:
            error_line(str(exc))
            raise typer.Exit(1) from None
    _report_out(rep, plan)


