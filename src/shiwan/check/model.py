"""Incoming figures beside what is stored for them: what the checks look at.

A `Change` is one figure of a recognised return with the stored value of its key (if any); a
`MonthValue` is one month's figure of a series, stored or incoming, that knows where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shiwan.recognize import FigureIn


@dataclass
class Stored:
    id: int
    month: float | None
    ytd: float | None
    import_id: int
    sheet: str
    month_cell: str
    ytd_cell: str


@dataclass
class Change:
    """One incoming figure and what is stored for its key."""

    period: str
    sheet: str
    figure: FigureIn
    indicator_id: int
    old: Stored | None
    changed: bool
    warnings: list[dict[str, Any]] = field(default_factory=list)


class MonthValue:
    """A stored (or incoming) month's figure; where it came from is worked out only when a message needs it."""

    __slots__ = ("month", "ytd", "_where")

    def __init__(self, month: float | None, ytd: float | None, where: tuple):
        self.month, self.ytd, self._where = month, ytd, where

    @property
    def source(self) -> str:
        """`file › sheet › cell` of the 累计 (or 本月) value."""
        db, import_id, sheet, cell = self._where
        name = ""
        if db is not None:  # asked only when a message names it
            name = db.scalar("SELECT file_name FROM import_log WHERE id = :i", {"i": import_id}) or ""
        return " › ".join(x for x in (name, sheet, cell) if x)


