"""Reports as official-looking Excel workbooks (openpyxl), ready to print.

Title, period and 填报单位/计量单位 lines, a two-row header (a section's title over its columns), the 合计
row set off, number formats that keep the cells numeric (0.0% for rates, 2 decimals for 万元, 超/落后
for 进度差, a mark such as ᵃ after a carried figure), what the marks mean, the notes and the
制表人/审核人/报出日期 line under the table; A4 at a legible scale, a wide table split across pages at its
sections with the unit column repeated (`render.paper`); a native chart on a sheet of its own, one
page (`render.xlsxchart`), or a line saying why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shiwan import __version__
from shiwan.base.i18n import is_en, t
from shiwan.render import paper
from shiwan.render.cells import cell_text, marks_of, shown
from shiwan.render.files import put, save_workbook
from shiwan.tally.report import ROW_TOTAL, ROW_UNIT, Col, Report, Section

FONT = "宋体"
HEAD_ROWS = 3  # title, period line, 填报单位 line


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


def _with_marks(fmt: str, marks: str) -> str:
    """A number format that shows `marks` after the number and keeps the cell numeric."""
    if not marks:
        return fmt
    return ";".join(f'{part}"{marks}"' for part in fmt.split(";"))


def _value(col: Col, row: dict[str, Any]) -> Any:
    """What goes in the cell: numbers stay numbers (their marks go in the number format); text as people read it."""
    text = (row.get("_text") or {}).get(col.key)
    if text is not None:
        return text + marks_of(col, row)
    value = row.get(col.key)
    if col.kind in ("num", "int", "pct", "rank", "pp"):
        if value is None:
            dash = col.kind in ("pct", "pp") or col.key == "target"
            return ("—" + marks_of(col, row)) if dash else (marks_of(col, row) or None)
        return value
    return shown(col, row) or None


@dataclass
class _Built:
    """A sheet's table as written: where it ends, its paper layout, the chart it asks for."""

    last_row: int
    layout: paper.Layout
    chart: dict[str, Any] | None = None
    title_rows: str | None = None
    no_chart: list[str] = field(default_factory=list)


def write_xlsx(report: Report, path: Path) -> None:
    """Sections that list the same rows go side by side on one sheet; others get a sheet each (each
    with its own column widths). The first sheet ends with the marks, the notes and the signature line."""
    from openpyxl import Workbook

    wb = Workbook()
    groups = [report.sections] if _wide(report) else [[s] for s in report.sections]
    chart = None
    for n, sections in enumerate(groups):
        ws = wb.active if n == 0 else wb.create_sheet(_sheet_name(sections[0].title, wb))
        if n == 0:
            ws.title = t(f"sheet.{report.kind}")[:31]
        built = _table_sheet(ws, report, sections)
        if n == 0:
            lines = [f"{sign} {text}" for sign, text in report.marks] + list(report.notes) + built.no_chart
            row = built.last_row + 2
            for line in lines:
                row = _prose_row(ws, row, line, built.layout)
            if report.signed:
                _prose_row(ws, row + 1, t("report.signature"), built.layout)
            chart = built.chart
        paper.apply(ws, built.layout, title_rows=built.title_rows)
        _footer(ws, report)
    if chart is not None:
        from shiwan.render.xlsxchart import chart_sheet

        chart_sheet(wb, wb.worksheets[0], report, chart)
        _footer(wb.worksheets[-1], report)
    save_workbook(wb, path)


def _sheet_name(title: str, wb) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    taken = set(wb.sheetnames)
    n = 2
    base = name
    while name in taken:
        name = f"{base[:28]}({n})"
        n += 1
    return name


def _wide(report: Report) -> bool:
    """Sections that list the same rows go side by side under a two-row header."""
    if len(report.sections) == 1:
        return True
    labels = [[r.get("_label") for r in s.rows] for s in report.sections]
    return all(x == labels[0] for x in labels) and all(s.columns[0].kind == "text" for s in report.sections)


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "title": Font(name=FONT, size=16, bold=True),
        "bold": Font(name=FONT, size=10, bold=True),
        "normal": Font(name=FONT, size=10),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "right": Alignment(horizontal="right", vertical="center"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "head": PatternFill("solid", fgColor="DDEBF7"),
        "total": PatternFill("solid", fgColor="F2F2F2"),
    }


def _head(ws, report: Report, layout: paper.Layout) -> None:
    """Title and period line centred over the first page's columns; the 填报单位 line left, unmerged, so
    that on a page that repeats the unit column it shows again in full."""
    from openpyxl.styles import Alignment

    st = _styles()
    span = paper.first_page_columns(layout)
    width = sum(layout.widths[:span])
    for r, text, font, size in ((1, report.title, st["title"], 1.6), (2, report.period_line, st["normal"], 1.0)):
        cell = put(ws, r, 1, text)
        cell.font = font
        layout.heights[r] = 26 if r == 1 else paper.row_height(1)
        if paper.text_units(text) * size > width - 1:  # wider than the table: left, running on
            cell.alignment = Alignment(horizontal="left", vertical="center")
            continue
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if span > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
    cell = put(ws, 3, 1, report.unit_line)
    cell.font = st["normal"]
    cell.alignment = Alignment(horizontal="left", vertical="center")


def _prose_row(ws, row: int, text: str, layout: paper.Layout) -> int:
    """Notes under the table: one unmerged cell a line, wrapped to the narrowest page, so that every
    page that repeats the unit column shows them whole; returns the next row."""
    from shiwan.render.terminal import wrap

    st = _styles()
    for line in wrap(text, int(paper.narrowest_page(layout))):
        cell = put(ws, row, 1, line)
        cell.font = st["normal"]
        layout.heights[row] = paper.row_height(1)
        row += 1
    return row


def _header_cell(ws, r: int, c: int, text: str | None, width: float | None = None) -> None:
    """A header cell; given its width, the text is broken into lines where a line may break
    (`进度差` / `(百分点)`), not wherever the spreadsheet would."""
    st = _styles()
    if text and width:
        text = paper.break_lines(text, width)
    cell = put(ws, r, c, text)
    cell.font, cell.alignment, cell.border, cell.fill = st["bold"], st["center"], st["border"], st["head"]


def _write_rows(ws, rows: list[dict], cols: list[tuple[int, Col]], first_row: int, layout: paper.Layout) -> int:
    st = _styles()
    r = first_row
    for row in rows:
        total = row.get("row_type") == ROW_TOTAL
        lines = 1
        for c, col in cols:
            value = _value(col, row)
            cell = put(ws, r, c, value)
            fmt = _num_format(col)
            if fmt and value is not None and not isinstance(value, str):
                cell.number_format = _with_marks(fmt, marks_of(col, row))
            cell.border = st["border"]
            cell.font = st["bold"] if total else st["normal"]
            cell.alignment = st["left"] if col.kind == "text" else st["right"]
            if total:
                cell.fill = st["total"]
            if isinstance(value, str) and col.kind == "text":
                lines = max(lines, paper.text_lines(value, layout.widths[c - 1]))
        layout.heights[r] = max(layout.heights.get(r, 0), paper.row_height(lines))
        r += 1
    return r - 1


def _printed(sec: Section) -> list[Col]:
    return [c for c in sec.columns if not c.screen_only]


def _width(col: Col, rows: list[dict]) -> float:
    """Wide enough for every value on one line (long text wraps beyond 36 units) and for the header
    in at most two or three lines."""
    texts = [shown(col, r) for r in rows]
    units = paper.text_units(col.header)
    parts = paper.bracket_parts(col.header)
    if units <= 9:
        head = units + 1.5
    elif parts:
        head = max(paper.text_units(p) for p in parts) + 1.5
    else:
        head = units / 2 + 2
    if col.kind == "text":
        return max(paper.fit_width(texts, least=8, most=36), min(head, 20))
    return max(paper.fit_width(texts + [cell_text(col, None)], least=6, most=16), min(head, 12))


def _header_height(cols: list[tuple[int, Col]], layout: paper.Layout) -> float:
    def lines(text: str, width: float) -> int:
        return paper.break_lines(text, width).count("\n") + 1

    return paper.row_height(max((lines(col.header, layout.widths[c - 1]) for c, col in cols), default=1))


def _shared(sections: list[Section]) -> list[Col]:
    """The columns every section of a sheet shares: the unit, and 已报/应报 where it is the same for all."""
    first = _printed(sections[0])
    shared = [first[0]]
    cov = [next((c for c in _printed(s) if c.key == "_received"), None) for s in sections]
    if all(cov) and all([r.get("_received") for r in s.rows] == [r.get("_received") for r in sections[0].rows]
                        for s in sections):
        shared.append(cov[0])
    return shared


def _table_sheet(ws, report: Report, sections: list[Section]) -> _Built:
    """The head lines, then the sections side by side under a two-row header (section title over its
    columns), the shared columns first. Too wide for a page at a legible scale, the sections go in
    several such tables one under the other, a page each, every one with the shared columns."""
    shared = _shared(sections)
    keys = {c.key for c in shared}
    keep = [_width(c, sections[0].rows) for c in shared]
    own = [[x for x in _printed(sec)[1:] if x.key not in keys] for sec in sections]
    sec_widths = [[_width(col, sec.rows) for col in cols] for sec, cols in zip(sections, own, strict=True)]
    scale, groups = paper.pack(sum(keep), [sum(w) for w in sec_widths])
    width_at: dict[int, float] = {}
    for group in groups:
        c = len(shared) + 1
        for n in group:
            for w in sec_widths[n]:
                width_at[c] = max(width_at.get(c, 0.0), w)
                c += 1
    widths = keep + [width_at[c] for c in sorted(width_at)]
    layout = paper.Layout(widths, keep=len(shared), scale=scale)
    _head(ws, report, layout)
    top = HEAD_ROWS + 1
    built = _Built(top, layout, title_rows=f"{top}:{top + 1}" if len(groups) == 1 else None)
    for g, group in enumerate(groups):
        placed, c = [], len(shared) + 1
        for n in group:
            placed.append((sections[n], [(c + i, col) for i, col in enumerate(own[n])]))
            c += len(own[n])
        if g:
            cell = put(ws, top, 1, t("xlsx.continued", title=report.title))
            cell.font = _styles()["bold"]
            layout.heights[top] = paper.row_height(1)
            top += 1
        last = _table(ws, top, shared, placed, layout)
        if built.chart is None and not built.no_chart:
            for sec, cols in placed:
                if sec.chart:
                    _chart_spec(built, sec, cols, top + 2)
                    break
        if g < len(groups) - 1:
            layout.forced.add(last)
        built.last_row = last
        top = last + 2
    from openpyxl.utils import get_column_letter

    column = get_column_letter(len(shared) + 1)
    ws.freeze_panes = f"{column}{HEAD_ROWS + 3}" if len(groups) == 1 else f"{column}1"
    return built


def _table(ws, top: int, shared: list[Col], placed: list[tuple[Section, list[tuple[int, Col]]]],
           layout: paper.Layout) -> int:
    """One table: the two header rows at `top`, then the rows; returns its last row."""
    h1, h2 = top, top + 1
    widths = layout.widths
    for n, col in enumerate(shared, 1):
        _header_cell(ws, h1, n, col.header)
        _header_cell(ws, h2, n, None)
        ws.merge_cells(start_row=h1, start_column=n, end_row=h2, end_column=n)
    for sec, cols in placed:
        if not cols:
            continue
        _header_cell(ws, h1, cols[0][0], sec.title)
        for cc, _ in cols[1:]:
            _header_cell(ws, h1, cc, None)
        if len(cols) > 1:
            ws.merge_cells(start_row=h1, start_column=cols[0][0], end_row=h1, end_column=cols[-1][0])
        for cc, col in cols:
            _header_cell(ws, h2, cc, col.header, widths[cc - 1])
    layout.heights[h1] = max((paper.row_height(paper.text_lines(sec.title, sum(widths[cols[0][0] - 1:cols[-1][0]])))
                              for sec, cols in placed if cols), default=paper.row_height(1))
    layout.heights[h2] = _header_height([x for _, cols in placed for x in cols], layout)
    rows0 = placed[0][0].rows
    if not rows0:
        put(ws, h2 + 1, 1, t("xlsx.none"))
        return h2 + 1
    last = _write_rows(ws, rows0, list(enumerate(shared, 1)), h2 + 1, layout)
    for sec, cols in placed:
        _write_rows(ws, sec.rows, cols, h2 + 1, layout)
    layout.row_blocks.append((h1, last))
    return last


def _chart_spec(built: _Built, sec: Section, cols: list[tuple[int, Col]], first_row: int) -> None:
    """The chart a section asks for (bars of its value column by unit, 合计 left out, with the time
    elapsed as a reference line where the report has one), or why there is none."""
    key = sec.chart[1]
    col_no = next((cc for cc, col in cols if col.key == key), None)
    at = [i for i, r in enumerate(sec.rows) if r.get("row_type") in (None, ROW_UNIT)]
    if col_no is None or not at:
        return
    units = sec.rows[at[0] : at[-1] + 1]
    header = next(col.header for cc, col in cols if cc == col_no)
    if all(r.get(key) is None for r in units):
        built.no_chart.append(t("xlsx.no_chart", what=header))
        return
    ref_key = {"completion": "time_progress", "share": "elapsed"}.get(key)
    ref_no = next((cc for cc, col in cols if col.key == ref_key), None)
    built.chart = {"label_col": 1, "value_col": col_no, "ref_col": ref_no, "first": first_row + at[0],
                   "last": first_row + at[-1], "title": sec.title, "header": header,
                   "ref_header": next((col.header for cc, col in cols if cc == ref_no), "")}


def _footer(ws, report: Report) -> None:
    generated = datetime.fromisoformat(report.generated_at).strftime("%Y-%m-%d %H:%M")
    ws.oddFooter.left.text = t("xlsx.generated", when=generated, version=__version__)
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = t("xlsx.page")
    ws.oddFooter.right.size = 8
