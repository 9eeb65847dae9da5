"""`config list|set`: the settings of one database (the completeness deadline day)."""

from __future__ import annotations

from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import (
    Fmt,
    FormatOpt,
    ShiwanGroup,
    emit_table,
    h,
    open_database,
    stderr,
)

app = typer.Typer(cls=ShiwanGroup)

config_app = typer.Typer(cls=ShiwanGroup, help=h("本数据库的设置(如报送截止日)", "settings of this database (the deadline day)"),
                         no_args_is_help=True)
app.add_typer(config_app, name="config")

_SETTINGS = {"deadline_day": (1, 28)}


@config_app.command("list", help=h("列出设置", "list the settings"))
def config_list(fmt: FormatOpt = Fmt.table) -> None:
    from shiwan.base.table import Column, Table

    with open_database() as db:
        rows = [{"key": k, "value": db.meta(k) or ""} for k in _SETTINGS]
    emit_table(Table([Column("key", t("col.setting")), Column("value", t("col.value"))], rows), fmt.value)


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
    with open_database() as db, db.transaction():
        db.set_meta(key, str(int(value)))
    stderr().print(t("config.done", key=key, value=int(value)))


