"""`shiwan send`: the return a unit sends up, written from the database on the standard template.

A clean summary (or unit return) as `template` writes it, filled in: every stored figure in its
cell, a unit that did not report marked `未报` across its row, the 合计 row as the sum of the rows
that reported, the 报出日期 in the footer. The hidden `_shiwan` sheet names form, unit, period and
catalog as a template's does, and adds `source = shiwan send`, the 报出日期, and `not_given`: the
cells left blank because no figure was reported (a blank cell is otherwise a zero). A second hidden
sheet, `_shiwan_sources`, says where each figure came from (unit, channel, import, file, sheet, cell).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from shiwan.base.i18n import speaking, t
from shiwan.read.readers import cell_name, parse_cell_name
from shiwan.recognize import META_SHEET
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.render.files import put, save_workbook
from shiwan.render.templates import build_template, footer_cell, template_cells
from shiwan.tally.sending import Outgoing, SentRow

SOURCE = "shiwan send"
SOURCES_SHEET = "_shiwan_sources"
CELLS_PER_META_ROW = 2000  # `not_given` is split over rows well below a cell's 32,767 characters
TOTAL_ROW = 5  # 0-based row of the 合计 in a city summary (rows 4-5 header, units from row 6)
SOURCE_COLUMNS = ("cell_month", "cell_ytd", "unit_code", "indicator", "channel", "import_id", "file", "sheet",
                  "month_cell", "ytd_cell")


def write_send(db, out: Outgoing, output: Path, submitted: date) -> Path:
    """Write `out` to `output` (.xlsx); the 报出日期 is `submitted`. The return is the official form, in
    Chinese whatever language the clerk reads, so that the office it goes to reads it back."""
    with speaking("zh"):
        return _write(db, out, output, submitted)


def _write(db, out: Outgoing, output: Path, submitted: date) -> Path:
    tree = UnitTree.from_db(db).at(out.period)
    cat = Catalog.from_db(db)
    wb = build_template(db, tree, cat, out.form, out.unit, out.period)
    ws = wb.worksheets[0]
    members = [r.unit for r in out.rows] if out.form == "city" else None
    cells = template_cells(cat, out.form, members)
    not_given: list[str] = []
    sources: list[list[object]] = []
    for row in out.rows:
        key = row.unit.code if out.form == "city" else ""
        if row.figures is None:
            _not_reported(ws, cells, key)
            continue
        for ind in cat.with_parts():
            fig = row.figures.get(ind.code)
            slots = ("month", "ytd") if ind.kind == "flow" else ("ytd",)
            for slot in slots:
                ref = cells[(key, ind.code, slot)]
                value = getattr(fig, slot) if fig else None
                if value is None:
                    not_given += _blank_cells(ref, out.form, ind.kind)
                else:
                    ws[ref] = int(value) if not ind.decimals else value
            if fig:
                sources += _sources(row, ind.code, fig, cells, key, ind.kind)
    if out.form == "city":
        _totals(ws, cat, cells, out.rows)
    _lock(ws, cells.values())
    _footer(ws, submitted)
    _meta(wb[META_SHEET], submitted, not_given)
    _sources_sheet(wb, sources)
    return save_workbook(wb, output)


def _blank_cells(ref: str, form: str, kind: str) -> list[str]:
    """The cells of a figure not given: a stock of a unit return is one cell merged over 本月 and
    本年累计, which a reader may name by either."""
    if form == "county" and kind == "stock":
        r, c = parse_cell_name(ref)
        return [ref, cell_name(r, c + 1)]
    return [ref]


def _not_reported(ws, cells: dict, key: str) -> None:
    """The row of a unit that did not report: 未报 across its figure cells."""
    refs = [ref for (k, _code, _slot), ref in cells.items() if k == key]
    spots = sorted(parse_cell_name(r) for r in refs)
    r, first, last = spots[0][0], spots[0][1], spots[-1][1]
    ws.cell(r + 1, first + 1, "未报")
    ws.merge_cells(start_row=r + 1, start_column=first + 1, end_row=r + 1, end_column=last + 1)


def _totals(ws, cat: Catalog, cells: dict, rows: list[SentRow]) -> None:
    """The 合计 row: each column the sum of the rows that gave it, blank where none did."""
    sums: dict[str, float] = {}
    decimals: dict[str, int] = {}
    for row in rows:
        for ind in cat.with_parts():
            fig = (row.figures or {}).get(ind.code)
            for slot in (("month", "ytd") if ind.kind == "flow" else ("ytd",)):
                value = getattr(fig, slot) if fig else None
                col = parse_cell_name(cells[(row.unit.code, ind.code, slot)])[1]
                ref = cell_name(TOTAL_ROW, col)
                decimals[ref] = ind.decimals
                if value is not None:
                    sums[ref] = sums.get(ref, 0.0) + value
    for ref in decimals:
        v = sums.get(ref)
        ws[ref] = None if v is None else (round(v, decimals[ref]) if decimals[ref] else int(round(v)))


def _lock(ws, refs) -> None:
    """A sent return is final: its figure cells are locked like the rest (the sender sends a corrected
    file rather than the receiver editing this one)."""
    from openpyxl.styles import Protection

    for ref in refs:
        ws[ref].protection = Protection(locked=True)


def _footer(ws, submitted: date) -> None:
    ref = footer_cell(ws)
    if ref is None:
        return
    cell = ws[ref]
    cell.value = cell.value.replace("    年  月  日", f"{submitted.year}年{submitted.month}月{submitted.day}日")
    note = ws.cell(cell.row + 1, cell.column)
    if isinstance(note.value, str):
        note.value = t("send.note")


def _meta(meta, submitted: date, not_given: list[str]) -> None:
    from shiwan.base.settings import os_user

    meta.append(["source", SOURCE])
    meta.append(["submitted_on", submitted.isoformat()])
    meta.append(["sent_at", datetime.now().astimezone().isoformat(timespec="seconds")])
    meta.append(["sent_by", os_user()])
    for n in range(0, len(not_given), CELLS_PER_META_ROW):
        meta.append(["not_given", " ".join(not_given[n:n + CELLS_PER_META_ROW])])


def _sources(row: SentRow, code: str, fig, cells: dict, key: str, kind: str) -> list[list[object]]:
    month_ref = cells.get((key, code, "month"), "") if kind == "flow" else ""
    ytd_ref = cells[(key, code, "ytd")]
    return [[month_ref if fig.month is not None else "", ytd_ref if fig.ytd is not None else "", s.unit_code, code,
             "own" if s.channel == 0 else "summary", s.import_id, s.file, s.sheet, s.month_cell, s.ytd_cell]
            for s in fig.sources]


def _sources_sheet(wb, sources: list[list[object]]) -> None:
    ws = wb.create_sheet(SOURCES_SHEET)
    ws.append(list(SOURCE_COLUMNS))
    for n, r in enumerate(sources, 2):
        for c, value in enumerate(r, 1):
            put(ws, n, c, value)  # a file or sheet name from a return is text, never a formula
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
