"""The command tree built on demand.

typer turns every command function into a click command up front, reading the signature and type
hints of every one of them: for shiwan's 40 commands that was 70 ms of every command line, `--help`
included, before anything ran. Here a group holds its commands as typer's own records and builds
the click command of a name only when the line names it; the list in a help text or a completion
is made from each command's help text alone. The commands built are typer's own, built by typer's
own functions, so a command's options, help and behaviour are exactly typer's.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

from typer import main as typer_main
from typer.core import TyperCommand
from typer.models import CommandInfo, TyperInfo

Info = CommandInfo | TyperInfo


def info_name(info: Info) -> str:
    if isinstance(info, CommandInfo):
        return info.name or typer_main.get_command_name(info.callback.__name__)
    return typer_main.solve_typer_info_defaults(info).name or ""


class LazyCommands(MutableMapping[str, Any]):
    """name → click command, in the order given, each built the first time it is asked for."""

    def __init__(self, infos: Iterable[Info], settings: dict[str, Any]) -> None:
        self._infos: dict[str, Info | None] = {info_name(i): i for i in infos}
        self._built: dict[str, Any] = {}
        self._settings = settings

    def __getitem__(self, name: str) -> Any:
        cmd = self._built.get(name)
        if cmd is None:
            info = self._infos[name]
            cmd = self._built[name] = build(info, self._settings)
        return cmd

    def __setitem__(self, name: str, cmd: Any) -> None:
        self._infos[name] = None
        self._built[name] = cmd

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def summary(self, name: str) -> Any:
        """A command with the name, help and flags of the real one, and no parameters: enough to
        be listed. The real one where it is already built."""
        if name in self._built or name not in self._infos:
            return self.get(name)
        info = self._infos[name]
        if isinstance(info, CommandInfo):
            text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
            return TyperCommand(name, help=text, short_help=info.short_help, hidden=info.hidden,
                                deprecated=info.deprecated)
        solved = typer_main.solve_typer_info_defaults(info)
        return TyperCommand(name, help=solved.help, short_help=solved.short_help, hidden=solved.hidden,
                            deprecated=solved.deprecated)


def build(info: Info, settings: dict[str, Any]) -> Any:
    if isinstance(info, CommandInfo):
        return typer_main.get_command_from_info(
            info, pretty_exceptions_short=settings["pretty_exceptions_short"],
            rich_markup_mode=settings["rich_markup_mode"])
    return lazy_group(info, settings)


def lazy_group(info: TyperInfo, settings: dict[str, Any]) -> Any:
    """typer's group for a sub-app, built with none of its commands, which are then given lazily
    (in typer's order: the commands, then the sub-groups)."""
    inst = info.typer_instance
    bare = copy.copy(inst)
    bare.registered_commands = []
    bare.registered_groups = []
    shell = copy.copy(info)
    shell.typer_instance = bare
    group = typer_main.get_group_from_info(shell, **settings)
    group.commands = LazyCommands([*inst.registered_commands, *inst.registered_groups], settings)
    return group


def settings_of(app: Any) -> dict[str, Any]:
    return {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode,
            "suggest_commands": app.suggest_commands}
