"""Cells that show an error (`#REF!`, `#DIV/0!`, `#N/A`, `#VALUE!`): python-calamine reads them as
empty, and an empty cell in a row of figures is a zero. A formula that failed is not a zero: each
such cell is given back its error text, so that the figure reader refuses it naming the cell.

- .xlsx/.xlsm: cells saved with `t="e"` in the sheet's XML;
- .xls (BIFF8): FORMULA records whose cached result is an error, and BOOLERR records holding one,
  found through xlrd, which keeps the cell type calamine drops. xlrd is run only when the bytes
  hold a record of either shape, so workbooks without errors cost nothing more.
- .ods: LibreOffice saves an error's text as the cell's text, which calamine reads as it is.
"""

from __future__ import annotations

import re
from typing import Any

_XLSX_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]+)(\d+)"')
_V_TEXT = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
# FORMULA (0x0006) with an error result: row, col, xf, then 02 00 <code> 00 00 00 FF FF; BOOLERR (0x0205)
# with fError = 1.
_XLS_ERROR_RECORD = re.compile(rb"\x06\x00.\x00.{6}\x02\x00[\x00-\x2a]\x00\x00\x00\xff\xff|\x05\x02\x08\x00.{6}.\x01",
                               re.S)
_XLS_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
              0x2A: "#N/A"}


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _put(rows: list[list[Any]], r: int, c: int, text: str) -> None:
    while len(rows) <= r:
        rows.append([])
    row = rows[r]
    if len(row) <= c:
        row.extend([None] * (c + 1 - len(row)))
    if row[c] is None:
        row[c] = text


def mark_xlsx_errors(sheet, xml: bytes) -> None:
    """Give the error cells of one sheet's XML their error text."""
    if b't="e"' not in xml:
        return
    for m in _XLSX_ERROR_CELL.finditer(xml):
        ref = _R_ATTR.search(m.group(1))
        if not ref:
            continue
        v = _V_TEXT.search(m.group(2))
        text = v.group(1).decode("utf-8", "replace") if v and v.group(1) else "#ERROR"
        _put(sheet.rows, int(ref.group(2)) - 1, _col_index(ref.group(1)), text)


def mark_xls_errors(data: bytes, book) -> None:
    """Give the error cells of a BIFF8 workbook their error text (through xlrd, only when there are any)."""
    if not _XLS_ERROR_RECORD.search(data):
        return
    import io

    try:
        import xlrd

        wb = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False, logfile=io.StringIO())
    except Exception:
        return  # calamine read it; xlrd cannot: nothing more to learn here
    by_name = {s.name: s for s in book.sheets}
    for name in wb.sheet_names():
        sheet = by_name.get(name)
        if sheet is None:
            continue
        ws = wb.sheet_by_name(name)
        for r in range(ws.nrows):
            for c, kind in enumerate(ws.row_types(r)):
                if kind == xlrd.XL_CELL_ERROR:
                    _put(sheet.rows, r, c, _XLS_CODES.get(ws.cell_value(r, c), "#ERROR"))


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
}
_ODS_ROW_GROUPS = {f"{{{_ODS['table']}}}{n}" for n in ("table-header-rows", "table-row-group", "table-rows")}
_MAX_REPEAT = 1000  # a repeated run of error cells longer than this is not a return's figures


def mark_ods_errors(zf, book) -> None:
    """Give the error cells of an .ods (LibreOffice marks them `calcext:value-type="error"` and saves an
    empty string value, which calamine reads as empty) their error text."""
    try:
        content = zf.read("content.xml")
    except KeyError:
        return
    if b'value-type="error"' not in content:
        return
    from defusedxml import ElementTree as ET

    by_name = {s.name: s for s in book.sheets}
    for table in ET.fromstring(content).iter(f"{{{_ODS['table']}}}table"):
        sheet = by_name.get(table.get(f"{{{_ODS['table']}}}name"))
        if sheet is not None:
            _ods_rows(table, sheet, 0)


def _ods_rows(parent, sheet, r: int) -> int:
    t = _ODS["table"]
    for el in parent:
        if el.tag in _ODS_ROW_GROUPS:
            r = _ods_rows(el, sheet, r)
        elif el.tag == f"{{{t}}}table-row":
            rep = int(el.get(f"{{{t}}}number-rows-repeated", "1"))
            _ods_cells(el, sheet, r, min(rep, _MAX_REPEAT))
            r += rep
    return r


def _ods_cells(row, sheet, r: int, rows: int) -> None:
    t, kind = _ODS["table"], f"{{{_ODS['calcext']}}}value-type"
    c = 0
    for cell in row:
        rep = int(cell.get(f"{{{t}}}number-columns-repeated", "1"))
        if cell.get(kind) == "error":
            text = "".join(cell.itertext()).strip() or "#ERROR"
            for dr in range(rows):
                for dc in range(min(rep, _MAX_REPEAT)):
                    _put(sheet.rows, r + dr, c + dc, text)
        c += rep
