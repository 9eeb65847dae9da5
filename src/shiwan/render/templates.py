"""`shiwan template`: the standard returns, written with openpyxl.

A template looks like the official form (title, period, 填报单位 and 计量单位 lines, a one- or two-row
header, a footer for signatures and the date), carries a hidden `_shiwan` sheet naming form, unit,
period and catalog version so that the import needs no guessing, and has its input cells unlocked
and validated (whole numbers ≥ 0, or two decimals for 万元) while everything else is locked.

The 合计 row holds SUM formulas for the clerk's convenience; the importer checks it where Excel saved
its value and passes over it where no value was saved (a file filled by a script).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shiwan import __version__
from shiwan.base.errors import UsageError, UserError
from shiwan.base.i18n import t
from shiwan.read.readers import cell_name
from shiwan.recognize import META_SHEET
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.render import paper
from shiwan.render.files import put, safe_name, save_workbook

DEADLINE_NOTE_DAY = 5


@dataclass
class Styles:
    title: object
    bold: object
    center: object
    border: object
    header_fill: object
    input_fill: object
    total_fill: object


def _styles() -> Styles:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return Styles(
        title=Font(name="宋体", size=16, bold=True),
        bold=Font(name="宋体", size=10, bold=True),
        center=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        header_fill=PatternFill("solid", fgColor="DDEBF7"),
        input_fill=PatternFill("solid", fgColor="FFFFFF"),
        total_fill=PatternFill("solid", fgColor="F2F2F2"),
    )


def campaign_title(db, catalog: Catalog) -> str:
    camp = default_campaign(db)
    return camp.label() if camp else catalog.name


def write_template(db, form: str, *, unit: str | None, period: str | None, year: int | None = None,
                   output: Path | None = None) -> Path:
    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    if form == "targets":
        from shiwan.render.targetsheet import write_targets_template

        return write_targets_template(db, tree, cat, unit=unit, year=year, output=output)
    if not unit:
        raise UsageError("template.need_unit")
    if not period:
        raise UsageError("template.need_period")
    from shiwan.tally.report import resolve_scope

    u = resolve_scope(tree, unit, period)  # the unit as it stood at the period, with the units standing under it
    tree = tree.at(period)
    if form == "city" and not tree.children(u.id):
        raise UserError("template.no_children", unit=u.name)
    if output is None:
        output = Path(safe_name(f"{u.name}_{period}_{'汇总表' if form == 'city' else '月报'}") + ".xlsx")
    wb = build_template(db, tree, cat, form, u, period)
    save_workbook(wb, output)
    return output


def build_template(db, tree: UnitTree, cat: Catalog, form: str, unit: UnitRec, period: str):
    """A template for `unit` and `period`; a city summary lists the units standing under it then."""
    from openpyxl import Workbook

    tree = tree.at(period)
    wb = Workbook()
    ws = wb.active
    title = campaign_title(db, cat)
    if form == "city":
        ws.title = t("template.sheet_city")
        _city_sheet(ws, tree, cat, unit, period, title)
    else:
        ws.title = t("template.sheet_county")
        _county_sheet(ws, cat, unit, period, title)
    meta = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate((("form", form), ("unit", unit.code), ("unit_name", unit.name), ("period", period),
                                      ("catalog", cat.version), ("generator", f"shiwan {__version__}"),
                                      ("created_at", datetime.now().astimezone().isoformat(timespec="seconds"))), 1):
        put(meta, r, 1, key)
        put(meta, r, 2, value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    return wb


def _measures(cat: Catalog) -> str:
    return "、".join(dict.fromkeys(i.measure for i in cat.indicators))


def _validation(ind: IndicatorDef):
    from openpyxl.worksheet.datavalidation import DataValidation

    if ind.decimals:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = t("template.dv_decimal", decimals=ind.decimals)
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = t("template.dv_whole")
    dv.errorTitle = t("template.dv_title")
    dv.showErrorMessage = True
    return dv


def _head_lines(ws, unit: UnitRec, period: str, title: str, width: int, heading: str, ytd_period: bool,
                cat: Catalog, st: Styles, *, span: int | None = None, keep: int = 0) -> None:
    """Title and period centred over the first page's `span` columns; the 填报单位 line within the
    `keep` columns that every page repeats (wrapped there), else left; 计量单位 at the first page's right."""
    from openpyxl.styles import Alignment, Font

    span = span or width
    last = cell_name(0, span - 1)[:-1]
    put(ws, 1, 1, t(heading, unit=unit.name, campaign=title))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = st.title
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    y, m = periods.year_of(period), periods.month_of(period)
    month_name = _MONTHS_EN[m - 1]
    ws["A2"] = t("template.period_ytd", year=y, month=m, month_name=month_name) if (ytd_period and m > 1) \
        else t("template.period_month", year=y, month=m, month_name=month_name)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(horizontal="center")
    put(ws, 3, 1, t("template.reporter_line", unit=unit.name))
    split = keep if keep else max(2, span - 3)
    ws.merge_cells(f"A3:{cell_name(0, split - 1)[:-1]}3")
    if keep:
        ws["A3"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        ws.row_dimensions[3].height = 28
    put(ws, 3, span if keep else split + 1, t("template.measure_line", measures=_measures(cat)))
    if not keep:
        ws.merge_cells(f"{cell_name(0, split)[:-1]}3:{last}3")
    ws.cell(3, span if keep else split + 1).alignment = Alignment(horizontal="right")
    for c in ("A3", cell_name(2, (span - 1) if keep else split)):
        ws[c].font = Font(name="宋体", size=10)


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def _footer(ws, row: int, width: int, period: str, *, first: int = 1) -> None:
    """The signature and 说明 lines, merged over columns `first`..`width` (past the repeated columns
    of a form printed across pages, which would otherwise show a cut piece of them on every page)."""
    from openpyxl.styles import Font

    deadline = periods.deadline(period, DEADLINE_NOTE_DAY)
    put(ws, row, first, t("template.footer"))
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=width)
    put(ws, row + 1, first, t("template.note", month=deadline.month, day=deadline.day))
    ws.merge_cells(start_row=row + 1, start_column=first, end_row=row + 1, end_column=width)
    for r in (row, row + 1):
        ws.cell(r, first).font = Font(name="宋体", size=10)


def _finish(ws, header_rows: int, first_col: int, layout: paper.Layout, title_rows: str) -> None:
    ws.freeze_panes = ws.cell(header_rows + 1, first_col)
    paper.apply(ws, layout, title_rows=title_rows)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _city_sheet(ws, tree: UnitTree, cat: Catalog, unit: UnitRec, period: str, title: str) -> None:
    st = _styles()
    inds = cat.with_parts()  # each indicator, then its breakdowns (其中) beside it
    # columns: 序号, 单位, then 本月/本年累计 per flow and 期末数 per stock
    cols: list[tuple[IndicatorDef, str]] = []
    for ind in inds:
        cols += [(ind, "month"), (ind, "ytd")] if ind.kind == "flow" else [(ind, "level")]
    width = 2 + len(cols)
    blocks, c = [], 3
    for ind in inds:  # an indicator's 本月 and 本年累计 stay on one page
        n = 2 if ind.kind == "flow" else 1
        blocks.append((c, c + n - 1))
        c += n
    layout = paper.Layout([5.0, 16.0] + [8.0] * len(cols), blocks, keep=2, heights={1: 30.0, 3: 28.0, 4: 42.0})
    span = paper.first_page_columns(layout)
    split = span < width
    _head_lines(ws, unit, period, title, width, "template.title_city", True, cat, st, span=span, keep=2 if split else 0)
    _city_header(ws, inds, width, st)
    members = [unit, *tree.children(unit.id)]
    total_row = 6
    last = _city_rows(ws, cols, unit, members, total_row, st)
    _footer(ws, last + 2, span, period, first=3 if split else 1)
    _finish(ws, 5, 3, layout, "4:5")


def _city_header(ws, inds: list[IndicatorDef], width: int, st: Styles) -> None:
    """Rows 4-5: 序号 and 单位 merged down, each indicator over its 本月 / 本年累计 (or 期末数)."""
    h1, h2 = 4, 5
    for c, text in ((1, t("template.serial")), (2, t("template.unit"))):
        put(ws, h1, c, text)
        ws.merge_cells(start_row=h1, start_column=c, end_row=h2, end_column=c)
    col = 3
    for ind in inds:
        put(ws, h1, col, f"{ind.name}({ind.measure})" if ind.parent is None else t("template.part_column", part=ind.part_name))
        if ind.kind == "flow":
            ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + 1)
            put(ws, h2, col, t("template.month"))
            put(ws, h2, col + 1, t("template.ytd"))
            col += 2
        else:
            put(ws, h2, col, t("template.level"))
            col += 1
    for r in (h1, h2):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border, cell.fill = st.bold, st.center, st.border, st.header_fill
    ws.row_dimensions[h1].height = 42


def _city_rows(ws, cols: list[tuple[IndicatorDef, str]], unit: UnitRec, members: list[UnitRec], total_row: int,
               st: Styles) -> int:
    """The 合计 row (SUM formulas) and a row per member, input cells unlocked and validated; returns
    the last row."""
    from openpyxl.styles import Alignment, Protection

    first, last = total_row + 1, total_row + len(members)
    put(ws, total_row, 2, t("row.total"))
    for n, member in enumerate(members):
        put(ws, first + n, 1, n + 1)
        put(ws, first + n, 2, t("row.own.city") if member.id == unit.id and unit.level == "city"
                else t("row.own.other") if member.id == unit.id else member.name)
    validations = {}
    for j, (ind, _measure) in enumerate(cols):
        c = 3 + j
        letter = cell_name(0, c - 1)[:-1]
        ws.cell(total_row, c, f"=SUM({letter}{first}:{letter}{last})")
        dv = validations.get(ind.decimals)
        if dv is None:
            dv = validations[ind.decimals] = _validation(ind)
            ws.add_data_validation(dv)
        dv.add(f"{letter}{first}:{letter}{last}")
        for r in range(total_row, last + 1):
            cell = ws.cell(r, c)
            cell.number_format = "0.00" if ind.decimals else "0"
            cell.border = st.border
            if r >= first:
                cell.protection = Protection(locked=False)
            else:
                cell.fill, cell.font = st.total_fill, st.bold
    for r in range(total_row, last + 1):
        for c in (1, 2):
            ws.cell(r, c).border = st.border
            ws.cell(r, c).alignment = Alignment(horizontal="center" if c == 1 else "left", vertical="center")
    ws.cell(total_row, 2).font, ws.cell(total_row, 2).fill = st.bold, st.total_fill
    return last


def _county_sheet(ws, cat: Catalog, unit: UnitRec, period: str, title: str) -> None:
    from openpyxl.styles import Alignment, Protection

    st = _styles()
    width = 5
    _head_lines(ws, unit, period, title, width, "template.title_county", False, cat, st)
    head = 4
    for c, text in enumerate((t("template.serial"), t("template.indicator"), t("template.measure"), t("template.month"),
                              t("template.ytd")), 1):
        cell = put(ws, head, c, text)
        cell.font, cell.alignment, cell.border, cell.fill = st.bold, st.center, st.border, st.header_fill
    validations = {}
    r = head + 1
    serial = 0
    for ind in cat.with_parts():  # each indicator, then its breakdowns (其中) as rows under it
        if ind.parent is None:
            serial += 1
            put(ws, r, 1, serial)
            put(ws, r, 2, ind.name)
        else:
            put(ws, r, 2, t("template.part_row", part=ind.part_name))
        put(ws, r, 3, ind.measure)
        fmt = "0.00" if ind.decimals else "0"
        dv = validations.get(ind.decimals)
        if dv is None:
            dv = validations[ind.decimals] = _validation(ind)
            ws.add_data_validation(dv)
        if ind.kind == "flow":
            targets = [4, 5]
        else:
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=5)
            ws.cell(r, 4).comment = None
            targets = [4]
        for c in (4, 5):
            cell = ws.cell(r, c)
            cell.number_format = fmt
            cell.border = st.border
        for c in targets:
            ws.cell(r, c).protection = Protection(locked=False)
            dv.add(ws.cell(r, c).coordinate)
        for c in (1, 2, 3):
            cell = ws.cell(r, c)
            cell.border = st.border
            cell.alignment = Alignment(horizontal="left" if c == 2 else "center", vertical="center")
        r += 1
    put(ws, r, 2, t("template.stock_note"))
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
    layout = paper.Layout([6.0, 28.0, 10.0, 14.0, 14.0], portrait=True, heights={1: 30.0})
    _footer(ws, r + 2, width, period)
    for row in (r + 2, r + 3):  # the signature and 说明 lines wrap within the page
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        layout.heights[row] = paper.row_height(paper.text_lines(ws.cell(row, 1).value, sum(layout.widths)))
    _finish(ws, head, 4, layout, "4:4")


def template_cells(cat: Catalog, form: str, members: list[UnitRec] | None = None) -> dict[tuple[str, str, str], str]:
    """Where each figure goes in a template: (unit code or '', indicator code, 'month'|'ytd') -> cell.
    For a county return the unit code is ''; stocks use 'ytd' (their level)."""
    cells: dict[tuple[str, str, str], str] = {}
    if form == "county":
        for n, ind in enumerate(cat.with_parts()):
            r = 4 + n  # 0-based row 4 is the first indicator (row 5)
            if ind.kind == "flow":
                cells[("", ind.code, "month")] = cell_name(r, 3)
                cells[("", ind.code, "ytd")] = cell_name(r, 4)
            else:
                cells[("", ind.code, "ytd")] = cell_name(r, 3)
        return cells
    assert members is not None
    first = 6  # 0-based: rows 4-5 header, row 6 合计, units from row 7 (1-based 7 -> index 6)
    for k, u in enumerate(members):
        r = first + k
        c = 2
        for ind in cat.with_parts():
            if ind.kind == "flow":
                cells[(u.code, ind.code, "month")] = cell_name(r, c)
                cells[(u.code, ind.code, "ytd")] = cell_name(r, c + 1)
                c += 2
            else:
                cells[(u.code, ind.code, "ytd")] = cell_name(r, c)
                c += 1
    return cells


def footer_cell(ws) -> str | None:
    """The cell of the 报出日期 line (so that a filled template can carry its date)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "报出日期" in cell.value:
                return cell.coordinate
    return None
