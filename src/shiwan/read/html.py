"""HTML tables as grids: what web systems export and call “.xls”.

Read with lxml's HTML parser, which mends what browsers mend: omitted `</td>` and `</tr>` (valid
HTML, common in web exports), stray tags, unclosed cells. Cells spanning rows or columns
(rowspan/colspan) become merged ranges whose value sits in the top-left cell, as in a spreadsheet.
Excel's own "save as web page" keeps a cell's number in its `x:num` attribute; that is taken over the
displayed text. Text outside the tables (headings, paragraphs, a table's caption) is kept as lines so
that titles and footers read like those of a real spreadsheet. A page laid out with tables inside
tables gives the innermost ones.
"""

from __future__ import annotations

import re

Rows = list[list[object]]
Merged = list[tuple[int, int, int, int]]

MAX_SPAN = 1000
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_tables(text: str) -> tuple[list[tuple[Rows, Merged]], list[str], list[str]]:
    """(tables as (rows, merged ranges), lines before the first table, lines after the last)."""
    import lxml.html
    from lxml import etree

    text = _XML_DECL.sub("", text)
    if not text.strip():
        return [], [], []
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return [], [], []
    for bad in root.xpath("//script|//style|//comment()"):
        bad.drop_tree()
    leaves = [t for t in root.iter("table") if not t.xpath(".//table")]
    tables, kept = [], []
    for t in leaves:
        rows, merged = _grid(t)
        if any(any(v is not None for v in r) for r in rows):
            tables.append((rows, merged))
            kept.append(t)
    before, after = _lines_around(root, kept)
    if kept:  # a table's caption is its title: a line above it
        caption = kept[0].find("caption")
        if caption is not None and _text(caption):
            before.append(_text(caption).replace("\n", " "))
    return tables, before, after


def _grid(table) -> tuple[Rows, Merged]:
    rows: Rows = []
    merged: Merged = []
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        while len(rows) <= r:
            rows.append([])
        c = 0
        for cell in tr.xpath("./td|./th"):
            while (r, c) in taken:
                c += 1
            rs, cs = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            row = rows[r]
            while len(row) <= c:
                row.append(None)
            row[c] = _value(cell)
            if rs > 1 or cs > 1:
                merged.append((r, c, r + rs - 1, c + cs - 1))
                for i in range(r, r + rs):
                    for j in range(c, c + cs):
                        taken.add((i, j))
                while len(rows) < r + rs:
                    rows.append([])
            c += cs
    return rows, merged


def _value(cell) -> object:
    raw = cell.get("x:num")
    if raw is not None:
        try:
            return float(raw)
        except ValueError:
            pass
    text = _text(cell)
    return text or None


def _text(el) -> str:
    """An element's text with `<br>` as a line break, spaces (and &nbsp;) collapsed within lines."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = el.text_content().replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip()).strip()


def _lines_around(root, tables: list) -> tuple[list[str], list[str]]:
    """Text outside the data tables, before the first and after the last, one line per block element
    or `<br>`; text in layout tables around them counts as outside."""
    marks: list[object] = []  # text, _BREAK, or a table's index
    index = {id(t): n for n, t in enumerate(tables)}

    def walk(el) -> None:
        if el.tag == "head":  # the page's <title> is the browser tab's, not the table's
            return
        if id(el) in index:
            marks.append(index[id(el)])
        elif isinstance(el.tag, str):
            if el.tag in _BREAKS:
                marks.append(_BREAK)
            marks.append(el.text or "")
            for child in el:
                walk(child)
            if el.tag in _BREAKS:
                marks.append(_BREAK)
        marks.append(el.tail or "")

    walk(root)
    lines: list[list[str]] = [[]]  # lines between tables: [before, between..., after]
    current: list[str] = []

    def flush(into: list[str]) -> None:
        line = " ".join("".join(current).replace("\xa0", " ").split())
        if line:
            into.append(line)
        current.clear()

    for m in marks:
        if isinstance(m, int):
            flush(lines[-1])
            lines.append([])
        elif m is _BREAK:
            flush(lines[-1])
        else:
            current.append(str(m))
    flush(lines[-1])
    return lines[0], lines[-1]


_BREAK = object()
_BREAKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "center", "li", "title", "br", "tr", "table", "caption"}


def _span(v: str | None) -> int:
    try:
        n = int(str(v).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), MAX_SPAN)
