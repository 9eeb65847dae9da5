"""What every command shares: help texts in the user's language, the global options, errors turned
into one clear line and an exit status, opening the database, printing a table.

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

from shiwan.base.i18n import t
from shiwan.commands.lazy import LazyCommands

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
            error_line(t("interrupted"))
            raise typer.Exit(130) from None
        except Exception as exc:
            mod = type(exc).__module__ or ""
            if mod.startswith(("typer", "click")):
                raise
            _fail(exc, ctx)

    # the commands are built when named (commands/lazy.py); a list of them needs their help texts only
    _listing = False

    def get_command(self, ctx, cmd_name: str):
        if self._listing and isinstance(self.commands, LazyCommands):
            return self.commands.summary(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx, incomplete: str):
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False


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


state: dict[str, Any] = {"db": None, "debug": False}


def _fail(exc: Exception, ctx) -> None:
    from shiwan.base.errors import UserError
    from shiwan.store.db import DatabaseMissing, SchemaMismatch

    if isinstance(exc, BrokenPipeError):  # `| head`: the reader has all it wants
        quiet_stdout()
        raise typer.Exit(141)
    if isinstance(exc, UserError):
        error_line(exc.text())
        raise typer.Exit(exc.exit_code)
    from shiwan.base.settings import shown_location

    if isinstance(exc, DatabaseMissing):
        error_line(t("db.missing", location=shown_location(exc.location)))
        raise typer.Exit(1)
    if isinstance(exc, SchemaMismatch):
        from shiwan.ref.constants import SCHEMA_VERSION

        error_line(t(exc.message_key, location=shown_location(exc.location), found=exc.found, want=SCHEMA_VERSION))
        raise typer.Exit(1)
    from shiwan.store.failures import environment_error

    known = environment_error(exc, shown_location(db_location_arg()))
    if known is not None and not state["debug"]:
        error_line(known.text())
        raise typer.Exit(known.exit_code)
    if state["debug"]:
        raise exc
    error_line(t("internal", error=f"{type(exc).__name__}: {exc}"))
    raise typer.Exit(1)


def quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def error_line(text: str) -> None:
    from shiwan.render.console import stderr_console

    stderr_console().print(f"[bold red]✗[/] {escape_markup(text)}", markup=True)


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def stderr():
    """The console for messages: control characters escaped, Rich markup off unless asked for."""
    from shiwan.render.console import stderr_console

    return stderr_console()


def db_location_arg() -> str:
    from shiwan.base.settings import db_location

    return db_location(state["db"])


def open_database():
    from shiwan.store.db import open_db

    return open_db(db_location_arg())


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


class ExportFmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


JsonOpt = Annotated[bool, typer.Option("--json", help=h("以 JSON 输出结果(供脚本使用)", "print the summary as JSON"))]
FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help=h("输出格式:table(表格)、csv、json、md", "output format"))]


# what each -o extension writes
OUTPUT_EXTENSIONS = {"csv": "csv", "json": "json", "md": "md", "txt": "table", "xlsx": "xlsx", "pdf": "pdf"}


def output_plan(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> tuple[str, Path | None]:
    """The format and the file of a --format/--output pair, checked before any work is done: `-o -`
    is standard output; the format comes from the extension when --format is not given; an unknown
    extension, one that contradicts --format, a folder that does not exist, or a PDF without
    LibreOffice is refused."""
    from shiwan.base.errors import UsageError, UserError

    if output is None or str(output) == "-":
        return fmt or "table", output
    ext = output.suffix.lower().lstrip(".")
    by_ext = OUTPUT_EXTENSIONS.get(ext)
    if by_ext is None or by_ext not in allowed:
        known = ", ".join(f".{e}" for e, f in OUTPUT_EXTENSIONS.items() if f in allowed)
        raise UsageError("cli.output_extension", path=str(output), ext=f".{ext}" if ext else "", known=known)
    if fmt and fmt != by_ext and not (fmt == "table" and ext == "txt"):
        raise UsageError("cli.output_mismatch", path=str(output), fmt=fmt)
    folder = output.parent
    if not folder.is_dir():
        raise UsageError("cli.output_folder", path=str(output), folder=str(folder))
    if output.is_dir():
        raise UsageError("cli.output_is_folder", path=str(output))
    if by_ext == "pdf":
        from shiwan.render.pdf import soffice

        if soffice() is None:
            raise UserError("output.pdf_needs_libreoffice")
    return by_ext, output


def write_to_stdout(write) -> None:
    """Run `write(path)` on a file of its own and copy what it wrote to standard output (a workbook
    for `-o -`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="shiwan-") as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.flush()


def emit_table(table, fmt: str, output: Path | None = None) -> None:
    from shiwan.render.output import render

    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        from shiwan.render.files import atomic_file

        with atomic_file(output) as fh:
            render(table, fmt, fh)
        stderr().print(t("cli.written", path=str(output)))
    else:
        render(table, fmt)


def period_option(value: str | None, param: str = "--period") -> str | None:
    """`value` as a period, or a usage error naming `param` (the option, or the argument, it came in)."""
    if value is None:
        return None
    from shiwan.ref.periods import PeriodError, parse_period

    try:
        return parse_period(value)
    except PeriodError:
        raise typer.BadParameter(h(f"“{value}”不是期别,应为 YYYY-MM", f"“{value}” is not a period (YYYY-MM)"),
                                 param_hint=param) from None




def span_option(value: str | None, param: str = "--period") -> str | None:
    """A report period as typed (`2004-06`, `2004Q2`, `2004年二季度`, `2004H1`, `上半年`, `2004`),
    checked here so that a typo is a usage error; the report reads it again against its data."""
    if value is None:
        return None
    from shiwan.ref.periods import PeriodError, parse_span

    try:
        parse_span(value, default_year=2000)  # a year is needed only to check `上半年`, `二季度`
    except PeriodError:
        raise typer.BadParameter(t("period.bad", value=value), param_hint=param) from None
    return value
