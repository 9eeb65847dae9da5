"""The `shiwan` command line: the app, its global options, and the commands gathered from
`shiwan.commands` in the order the help lists them. Commands parse and print; the work happens in
the library.

Heavy modules (SQLAlchemy, SQLModel, openpyxl, calamine) are imported inside the commands that need
them, so that `shiwan --help` and tab completion stay instant.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from shiwan.base.i18n import get_lang, set_lang, t
from shiwan.commands import config, db, demo, exchange, reports, returns, review, setup, targets
from shiwan.commands.base import ShiwanGroup, error_line, h, quiet_stdout, state
from shiwan.commands.lazy import LazyCommands, settings_of


class _Root(ShiwanGroup):
    """The top group: its commands are those of `shiwan.commands`, built when named."""

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(_TREE, settings_of(app))


app = typer.Typer(
    cls=_Root,
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
    state["db"] = db
    state["debug"] = debug
    if lang:
        from shiwan.base.i18n import normalize_lang

        try:
            set_lang(normalize_lang(lang))
        except ValueError:
            raise typer.BadParameter(h("应为 zh 或 en", "expected zh or en"), param_hint="--lang") from None
    else:
        import os

        from shiwan.base.i18n import normalize_lang

        env = os.environ.get("SHIWAN_LANG")
        if env:  # as strict as --lang: a typo is said, not silently Chinese
            try:
                normalize_lang(env)
            except ValueError:
                raise typer.BadParameter(h(f"“{env}”应为 zh 或 en", f"“{env}”: expected zh or en"),
                                         param_hint="SHIWAN_LANG") from None
        set_lang(None)


def _gather(*modules) -> list:
    """Every command and command group of the modules, in the order of the help (typer's: the
    commands, then the groups). They stay typer's records until a command line names one."""
    return [*(c for m in modules for c in m.app.registered_commands),
            *(g for m in modules for g in m.app.registered_groups)]


_TREE = _gather(setup, returns, exchange, review, reports, targets, config, db, demo)


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="shiwan")
    except KeyboardInterrupt:
        error_line(t("interrupted"))
        sys.exit(130)
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(141)


__all__ = ["app", "main", "get_lang"]
