"""`send`: the return a unit sends up to the level above, written from this database; and the
`--mapping` file that `export` and `import` read DHIS2 codes from."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import ShiwanGroup, error_line, h, open_database, output_plan, period_option, stderr

app = typer.Typer(cls=ShiwanGroup)

MappingOpt = Annotated[Path | None, typer.Option("--mapping", help=h(
    "DHIS2 编码映射文件(TOML 或 CSV:本系统的单位、指标代码对应对方的 orgUnit、dataElement、categoryOptionCombo);不给则用本系统代码",
    "DHIS2 mapping file (TOML or CSV: shiwan's unit and indicator codes to orgUnit, dataElement, categoryOptionCombo); "
    "shiwan's own codes without one"))]


@app.command(help=h("报出:从本库按标准模板写出上报的报表(市:本级及各县(区)的汇总表;县:本单位月报),注明每个数字的来源,未报的单位标“未报”",
                    "send: write the unit's return for a month on the standard template (a city: its summary of 本级 and every county; "
                    "a county: its own return) from the figures stored here, each with its source; units that did not report marked 未报"),
             short_help=h("报出:从本库写出上报的汇总表或月报(标准模板,注明来源,未报标“未报”)",
                          "send: the return for the level above, written from this database"))
def send(
    period: Annotated[str, typer.Option("--period", help=h("期别 YYYY-MM", "period YYYY-MM"))],
    unit: Annotated[str | None, typer.Option("--unit", help=h("报出单位代码(默认:本月所有数字所属的最低一级单位)",
                                                              "the sending unit's code (default: the lowest unit every figure of the month lies under)"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("输出文件 .xlsx(默认按单位和期别命名)", "output .xlsx file"))] = None,
    submitted: Annotated[str | None, typer.Option("--date", help=h("报出日期 YYYY-MM-DD(默认今天)", "the 报出日期 YYYY-MM-DD (default today)"))] = None,
) -> None:
    from shiwan.render.sendfile import write_send
    from shiwan.tally.sending import outgoing

    p = period_option(period)
    assert p is not None
    day = _date(submitted)
    if output is not None:
        output_plan(None, output, ("xlsx",))
    with open_database() as db:
        out = outgoing(db, p, unit)
        if output is None:
            from shiwan.render.files import safe_name

            output = Path(safe_name(f"{out.unit.name}_{p}_{'汇总表' if out.form == 'city' else '月报'}") + ".xlsx")
        write_send(db, out, output, day)
    missing = sum(1 for r in out.rows if r.figures is None)
    stderr().print(t("send.written", path=str(output), unit=out.unit.name, period=p, form=t(f"form.{out.form}"),
                     units=len(out.rows), missing=missing, figures=out.figure_count))


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(t("send.date", value=text), param_hint="--date") from None


def load_mapping_option(db, path: Path | None):
    """The mapping `--mapping` names, read and checked against this database (None without one); a
    file that cannot be used is one clear line and exit status 1."""
    if path is None:
        return None
    from shiwan.ref.catalog import Catalog
    from shiwan.ref.dhis2map import MappingError, load_mapping
    from shiwan.ref.units import UnitTree

    if not path.is_file():
        error_line(t("import.missing_path", path=str(path)))
        raise typer.Exit(1)
    try:
        return load_mapping(path, Catalog.from_db(db), UnitTree.from_db(db))
    except MappingError as exc:
        error_line(str(exc))
        raise typer.Exit(1) from None
