"""A table as data: columns and rows of plain values, and how a value is shown to people.

Any stage may return a `Table` (the unit list, the import log, a report section); `render.output`
prints it for a terminal, a pipe or a script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Column:
    key: str
    header: str
    align: str = "left"  # left | right
    fmt: Callable[[Any], str] | None = None  # how a value is shown to people
    style: Callable[[Any], str | None] | None = None  # Rich style for a value (terminal only)


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]
    title: str = ""
    caption: str = ""
    row_styles: list[str | None] = field(default_factory=list)

    def shown(self, col: Column, row: dict[str, Any]) -> str:
        """A value as people read it; control characters escaped (names and cells came from files)."""
        from shiwan.base.safetext import shown

        value = row.get(col.key)
        if col.fmt is not None:
            return shown(col.fmt(value))
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return f"{int(value)}"
        return shown(str(value))



def dash(value: Any, fmt: Callable[[Any], str]) -> str:
    """A value through `fmt`, or an em dash where there is none (a missing target is not 0%)."""
    return "—" if value is None else fmt(value)


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def num(decimals: int = 0) -> Callable[[Any], str]:
    def f(value: Any) -> str:
        if value is None or value == "":
            return ""
        return f"{float(value):,.{decimals}f}"

    return f
