"""A sheet as the recogniser reads it: cells, their text, and what a merged range covers.

Files keep merges differently: .xlsx and .xls list them, .ods and CSV do not (a title spanned over
five columns is one filled cell and four empty ones). `spanning` finds the header cell that covers a
cell from above either way.
"""

from __future__ import annotations

from typing import Any

from shiwan.read.readers import Sheet, cell_name

MAX_MERGE_CELLS = 4096


class Grid:
    """Read access to one sheet with its merged ranges."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.name = sheet.name
        self.height = sheet.height
        self.width = sheet.width
        self.no_value = set(sheet.formulas_without_value)
        self._merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for m in sheet.merged:
            r1, c1, r2, c2 = m
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= MAX_MERGE_CELLS:
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        self._merge_at[(r, c)] = m

    def cell(self, r: int, c: int) -> Any:
        return self.sheet.cell(r, c)

    def row(self, r: int) -> list[Any]:
        return self.sheet.rows[r] if 0 <= r < self.height else []

    def text(self, r: int, c: int) -> str:
        """The cell as text ('' when empty); whole floats without their `.0`."""
        return text_of(self.sheet.cell(r, c))

    def merge(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        return self._merge_at.get((r, c))

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        m = self._merge_at.get((r, c))
        return (m[0], m[1]) if m else (r, c)

    def columns_of(self, r: int, c: int) -> range:
        """The columns a header cell covers (its merged range, or itself)."""
        m = self._merge_at.get((r, c))
        return range(m[1], m[3] + 1) if m else range(c, c + 1)

    def spanning(self, r: int, c: int) -> tuple[int, int]:
        """The header cell that covers (r, c) from above: its merged range, or, where the file keeps no
        merges, the nearest filled cell to its left in the same row."""
        tl = self.top_left(r, c)
        if tl != (r, c) or self.sheet.cell(r, c) is not None:
            return tl
        for j in range(c - 1, -1, -1):
            if self.sheet.cell(r, j) is not None:
                return self.top_left(r, j)
        return (r, c)

    def filled(self, r: int) -> list[tuple[int, Any]]:
        """(column, value) of the row's non-empty cells."""
        return [(c, v) for c, v in enumerate(self.row(r)) if v is not None and not (isinstance(v, str) and not v.strip())]

    def row_texts(self, r: int) -> list[tuple[int, str]]:
        return [(c, v) for c, v in enumerate(self.row(r)) if isinstance(v, str) and v.strip()]

    def is_blank_row(self, r: int) -> bool:
        return not self.filled(r)


def text_of(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def is_number(v: Any) -> bool:
    """A number, or text that reads as one (`1,234`, `１２`), or a dash for zero."""
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        from shiwan.ref.text import squash

        s = squash(v).replace(",", "").lstrip("'")
        return bool(s) and (s.replace(".", "", 1).isdigit() or s in ("-", "—", "－", "--", "——"))
    return False


def cell_at(r: int | None, c: int | None) -> str:
    return cell_name(r, c) if r is not None and c is not None else ""
