"""HTML tables as grids: what web systems export and call “.xls”.

Cells spanning rows or columns (rowspan/colspan) become merged ranges; their value sits in the
top-left cell, as in a spreadsheet. Text outside the tables (headings, paragraphs) is kept as lines
so that titles and footers can be read like those of a real spreadsheet.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "br", "li", "title", "center"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[object]], list[tuple[int, int, int, int]]]] = []
        self.before: list[str] = []
        self.after: list[str] = []
        self._depth = 0  # nested table depth
        self._rows: list[list[object]] = []
        self._merged: list[tuple[int, int, int, int]] = []
        self._occupied: set[tuple[int, int]] = set()
        self._row = -1
        self._col = 0
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._text: list[str] = []
        self._skip = 0  # inside <script>/<style>

    # text outside tables
    def _flush_text(self) -> None:
        line = " ".join("".join(self._text).split())
        self._text = []
        if line:
            (self.after if self.tables else self.before).append(line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
            return
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._flush_text()
                self.after = []
                self._rows, self._merged, self._occupied = [], [], set()
                self._row = -1
            return
        if self._depth == 1:
            if tag == "tr":
                self._row += 1
                self._col = 0
                while len(self._rows) <= self._row:
                    self._rows.append([])
            elif tag in ("td", "th"):
                if self._row < 0:
                    self._row = 0
                    self._rows.append([])
                a = dict(attrs)
                self._span = (_int(a.get("rowspan")), _int(a.get("colspan")))
                self._cell = []
            elif tag == "br" and self._cell is not None:
                self._cell.append("\n")
        elif self._depth == 0 and tag in _BLOCK:
            self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
            return
        if tag == "table":
            if self._depth == 1:
                self._end_cell()
                self.tables.append(([r for r in self._rows], self._merged))
            self._depth = max(0, self._depth - 1)
            return
        if self._depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self._depth == 0 and tag in _BLOCK:
            self._flush_text()

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        text = "".join(self._cell).strip()
        rs, cs = self._span
        r = self._row
        while (r, self._col) in self._occupied:
            self._col += 1
        c = self._col
        row = self._rows[r]
        while len(row) <= c:
            row.append(None)
        row[c] = text or None
        if rs > 1 or cs > 1:
            self._merged.append((r, c, r + rs - 1, c + cs - 1))
            for i in range(r, r + rs):
                for j in range(c, c + cs):
                    self._occupied.add((i, j))
            for i in range(r + 1, r + rs):
                while len(self._rows) <= i:
                    self._rows.append([])
        self._col = c + cs
        self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._depth == 0:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush_text()


def _int(v: str | None) -> int:
    try:
        n = int(str(v).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), 1000)


def parse_tables(text: str) -> tuple[list[tuple[list[list[object]], list[tuple[int, int, int, int]]]], list[str], list[str]]:
    """(tables as (rows, merged ranges), lines before the first table, lines after the last)."""
    p = _Parser()
    p.feed(text)
    p.close()
    # Rows occupied only by spans from above still need their row lists padded.
    tables = [(rows, merged) for rows, merged in p.tables if any(any(v is not None for v in r) for r in rows)]
    return tables, p.before, p.after
