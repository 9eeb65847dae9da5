"""Reports as official-looking Excel workbooks (openpyxl).

Merged title, period and 填报单位/计量单位 lines, a two-row header (a section's title over its
columns), the 合计 row set off, number formats that keep the cells numeric (0.0% for rates, 2
decimals for 万元, 超/落后 for 进度差), frozen header, A4 landscape fitted to one page wide, a footer
with the generation time, and a native Excel chart (bars of completion by unit, or a line by month).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from shiwan import __version__
from shiwan.base.i18n import is_en, t
from shiwan.base.safetext import shown
from shiwan.render.cells import cell_text
from shiwan.render.files import put, save_workbook
from shiwan.tally.report import ROW_OWN, ROW_TOTAL, Col, Report, Section

FONT = "宋体"


def _num_format(col: Col) -> str | None:
    if col.kind == "pct":
        return "0.0%"
    if col.kind == "pp":
        return '+0.0;-0.0;0.0' if is_en() else '"超"0.0;"落后"0.0;"持平"'
    if col.kind in ("num", "int"):
        return "#,##0" + ("." + "0" * col.decimals if col.decimals else "")
    if col.kind == "rank":
        return "0"
    return None


def _value(col: Col, value: Any) -> Any:
    if col.kind in ("num", "int", "pct", "rank"):
        if value is None:
            return "—" if col.kind == "pct" or col.key == "target" else None
        return value
    if col.kind == "pp":
        return "—" if value is None else value
    return cell_text(col, value) or None


def _wide(report: Report) -> bool:
    """Sections that list the same rows go side by side under a two-row header."""
    if len(report.sections) == 1:
        return True
    labels = [[r.get("_label") for r in s.rows] for s in report.sections]
    return all(x == labels[0] for x in labels) and all(s.columns[0].kind == "text" for s in report.sections)


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = t(f"sheet.{report.kind}")[:31]
    if _wide(report):
        last_row, width, chart_ref = _wide_sheet(ws, report)
    else:
        last_row, width, chart_ref = _stacked_sheet(ws, report)
    row = last_row + 2
    for note in report.notes:
        put(ws, row, 1, note)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
        row += 1
    if chart_ref is not None:
        _add_chart(ws, report, chart_ref, row + 1)
    _print_setup(ws, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "title": Font(name=FONT, size=16, bold=True),
        "bold": Font(name=FONT, size=10, bold=True),
        "normal": Font(name=FONT, size=10),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center"),
        "right": Alignment(horizontal="right", vertical="center"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "head": PatternFill("solid", fgColor="DDEBF7"),
        "total": PatternFill("solid", fgColor="F2F2F2"),
    }


def _head(ws, report: Report, width: int) -> None:
    from openpyxl.styles import Alignment

    st = _styles()
    put(ws, 1, 1, report.title).font = st["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    put(ws, 2, 1, report.period_line).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    put(ws, 3, 1, report.unit_line).font = st["normal"]
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)


def _write_rows(ws, rows: list[dict], cols: list[tuple[int, Col]], first_row: int) -> int:
    st = _styles()
    r = first_row
    for row in rows:
        total = row.get("row_type") == ROW_TOTAL
        for c, col in cols:
            cell = put(ws, r, c, _value(col, row.get(col.key)))
            fmt = _num_format(col)
            if fmt and not isinstance(cell.value, str):
                cell.number_format = fmt
            cell.border = st["border"]
            cell.font = st["bold"] if total else st["normal"]
            cell.alignment = st["left"] if col.kind == "text" else st["right"]
            if total:
                cell.fill = st["total"]
            elif row.get("row_type") == ROW_OWN and c == 1:
                cell.font = st["normal"]
        r += 1
    return r - 1


def _header_cell(ws, r: int, c: int, text: str) -> None:
    st = _styles()
    cell = put(ws, r, c, text)
    cell.font, cell.alignment, cell.border, cell.fill = st["bold"], st["center"], st["border"], st["head"]


def _wide_sheet(ws, report: Report) -> tuple[int, int, tuple | None]:
    label = report.sections[0].columns[0]
    layout: list[tuple[Section, list[tuple[int, Col]]]] = []
    c = 2
    for sec in report.sections:
        cols = [(c + i, col) for i, col in enumerate(sec.columns[1:])]
        layout.append((sec, cols))
        c += len(cols)
    width = c - 1
    _head(ws, report, width)
    _header_cell(ws, 4, 1, label.header)
    _header_cell(ws, 5, 1, None)
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    for sec, cols in layout:
        if not cols:
            continue
        _header_cell(ws, 4, cols[0][0], sec.title)
        for cc, _ in cols[1:]:
            _header_cell(ws, 4, cc, None)
        if len(cols) > 1:
            ws.merge_cells(start_row=4, start_column=cols[0][0], end_row=4, end_column=cols[-1][0])
        for cc, col in cols:
            _header_cell(ws, 5, cc, col.header)
    rows = report.sections[0].rows
    last = _write_rows(ws, rows, [(1, label)], 6)
    for sec, cols in layout:
        _write_rows(ws, sec.rows, cols, 6)
    ws.freeze_panes = "B6"
    ws.print_title_rows = "4:5"
    ws.column_dimensions["A"].width = 16
    from openpyxl.utils import get_column_letter

    for cc in range(2, width + 1):
        ws.column_dimensions[get_column_letter(cc)].width = 11
    ws.row_dimensions[4].height = 30
    chart_ref = None
    for sec, cols in layout:
        if sec.chart:
            key = sec.chart[1]
            col_no = next((cc for cc, col in cols if col.key == key), None)
            if col_no is not None:
                n = sum(1 for r in sec.rows if r.get("row_type") != ROW_TOTAL)
                chart_ref = (1, col_no, 6, 6 + n - 1, sec.title, next(col.header for cc, col in cols if cc == col_no))
                break
    return last, width, chart_ref


def _stacked_sheet(ws, report: Report) -> tuple[int, int, tuple | None]:
    width = max(len(s.columns) for s in report.sections)
    _head(ws, report, width)
    r = 4
    chart_ref = None
    for sec in report.sections:
        _header_cell(ws, r, 1, sec.title)
        for c in range(2, len(sec.columns) + 1):
            _header_cell(ws, r, c, None)
        if len(sec.columns) > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(sec.columns))
        for c, col in enumerate(sec.columns, 1):
            _header_cell(ws, r + 1, c, col.header)
        first = r + 2
        if sec.rows:
            last = _write_rows(ws, sec.rows, list(enumerate(sec.columns, 1)), first)
        else:
            ws.cell(first, 1, t("xlsx.none"))
            last = first
        if sec.chart and chart_ref is None and sec.rows:
            key = sec.chart[1]
            col_no = next((i for i, col in enumerate(sec.columns, 1) if col.key == key), None)
            n = sum(1 for x in sec.rows if x.get("row_type") != ROW_TOTAL)
            if col_no and n:
                chart_ref = (1, col_no, first, first + n - 1, sec.title, sec.columns[col_no - 1].header)
        r = last + 2
    ws.freeze_panes = "A6"
    from openpyxl.utils import get_column_letter

    ws.column_dimensions["A"].width = 16
    for cc in range(2, width + 1):
        ws.column_dimensions[get_column_letter(cc)].width = 13
    return r - 2, width, chart_ref


def _add_chart(ws, report: Report, ref: tuple, anchor_row: int) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    label_col, value_col, first, last, title, header = ref
    if report.kind == "trend":
        chart = LineChart()
        chart.y_axis.title = shown(header)
    else:
        chart = BarChart()
        chart.type = "bar"
        chart.gapWidth = 40
        chart.x_axis.scaling.orientation = "maxMin"  # units top-down, as in the table
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.title = shown(header)
        chart.y_axis.numFmt = "0%" if report.kind in ("progress", "campaign", "completeness") else "General"
    chart.title = shown(f"{title} — {header}")
    chart.style = 10
    data = Reference(ws, min_col=value_col, min_row=first, max_row=last)
    cats = Reference(ws, min_col=label_col, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(cats)
    chart.legend = None
    chart.height = max(7.5, 0.75 * (last - first + 1) + 3)
    chart.width = 18
    ws.add_chart(chart, f"A{anchor_row}")


def a4_landscape_one_page_wide(ws) -> None:
    """The print setup of every sheet we write: A4 landscape, fitted to one page wide, centred."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True


def _print_setup(ws, report: Report) -> None:
    a4_landscape_one_page_wide(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    generated = datetime.fromisoformat(report.generated_at).strftime("%Y-%m-%d %H:%M")
    ws.oddFooter.left.text = t("xlsx.generated", when=generated, version=__version__)
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = t("xlsx.page")
    ws.oddFooter.right.size = 8
