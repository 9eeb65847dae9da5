"""The 目标任务分解表 as a workbook: a blank one to fill in, or the stored targets in one that imports back."""

from __future__ import annotations

from pathlib import Path

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.units import UnitTree
from shiwan.render import paper
from shiwan.render.files import put, safe_name, save_workbook
from shiwan.store.targets import campaign_of


def write_targets_template(db, tree: UnitTree, cat: Catalog, *, unit: str | None, year: int | None,
                           output: Path | None) -> Path:
    """A blank 目标任务分解表: the unit's children down the rows, the campaign's target indicators across."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    camp = campaign_of(db, None)
    tree = tree.at(year or int(camp.end[:4]))  # the units standing in the year (the campaign's last, for its total)
    scope = tree.by_code.get(unit) if unit else tree.by_id.get(camp.unit_id)
    if scope is None:
        raise UserError("layout.unknown_unit_code", code=unit)
    codes = [c for (c,) in db.all("SELECT DISTINCT i.code FROM target t JOIN indicator i ON i.id = t.indicator_id "
                                  "WHERE t.campaign_id = :c", {"c": camp.id})]
    inds: list[IndicatorDef] = [i for i in cat.indicators if i.code in codes] or cat.headline()
    y = year
    output = output or Path(safe_name(f"{scope.name}_{y or '全程'}_目标任务分解表") + ".xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = t("sheet.targets")
    width = 2 + len(inds)
    put(ws, 1, 1, t("targets.template_title", unit=scope.name, campaign=camp.label(),
                    year=f"{y}年" if y else f"{camp.start[:4]}-{camp.end[:4]}年"))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(name="宋体", size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    put(ws, 2, 1, t("template.reporter_line", unit=scope.name))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = ["序号", "单位"] + [f"{i.name}({i.measure})" for i in inds]
    for c, text in enumerate(head, 1):
        cell = put(ws, 3, c, text)
        cell.font, cell.border = Font(name="宋体", bold=True), border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.row_dimensions[3].height = paper.row_height(max(paper.text_lines(h, 12) for h in head[2:]) if head[2:] else 1)
    put(ws, 4, 2, t("row.total")).font = Font(name="宋体", bold=True)
    for n, child in enumerate(tree.children(scope.id), 1):
        put(ws, 4 + n, 1, n)
        put(ws, 4 + n, 2, child.name)
    last = 4 + len(tree.children(scope.id))
    for r in range(4, last + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).border = border
            if c > 2:
                ws.cell(r, c).protection = Protection(locked=False)
                ws.cell(r, c).number_format = "0.00" if inds[c - 3].decimals else "0"
    put(ws, last + 2, 1, t("targets.template_note"))
    _paper(ws, width, last)
    meta = wb.create_sheet("_shiwan")
    for r, (key, value) in enumerate((("form", "targets"), ("unit", scope.code), ("year", str(y) if y else "campaign"),
                                      ("campaign", camp.code), ("catalog", cat.version)), 1):
        put(meta, r, 1, key)
        put(meta, r, 2, value)
    meta.sheet_state = "hidden"
    ws.protection.sheet = True
    save_workbook(wb, output)
    return output


def _paper(ws, width: int, last: int) -> None:
    """A4 portrait (landscape when there are many indicators), the title wrapped within the table,
    the units' names and the header repeated on every page."""
    from openpyxl.styles import Alignment

    widths = [6.0, 16.0] + [12.0] * (width - 2)
    layout = paper.Layout(widths, keep=2, portrait=width <= 7)
    title = paper.break_lines(ws.cell(1, 1).value, sum(widths) / 1.6)
    put(ws, 1, 1, title)
    layout.heights[1] = 26.0 * (title.count("\n") + 1) + 6
    note = ws.cell(last + 2, 1)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=width)
    layout.heights[last + 2] = paper.row_height(paper.text_lines(note.value, sum(widths)))
    paper.apply(ws, layout, title_rows="3:3")


def export_targets_xlsx(db, *, year: int | None, under: str | None, output: Path) -> Path:
    """The stored targets of one year (or the whole campaign) as an allocation sheet that `targets
    import` reads back: the template, filled in."""
    from openpyxl import load_workbook

    camp = campaign_of(db, None)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    if year is None:
        year = db.scalar("SELECT MAX(year) FROM target WHERE campaign_id = :c", {"c": camp.id}) or CAMPAIGN_TOTAL
    path = write_targets_template(db, tree, cat, unit=under, year=year or None, output=output)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    tree = tree.at(year or int(camp.end[:4]))
    scope = tree.by_code.get(under) if under else tree.by_id[camp.unit_id]
    heads = {c: ws.cell(3, c).value for c in range(3, ws.max_column + 1)}
    codes = {c: cat.match(str(v)) for c, v in heads.items() if v}
    values = {(u, i): v for u, i, v in db.all("SELECT unit_id, indicator_id, value FROM target WHERE campaign_id = :c "
                                              "AND year = :y", {"c": camp.id, "y": year})}
    rows = {4: scope, **{4 + n: child for n, child in enumerate(tree.children(scope.id), 1)}}
    for r, u in rows.items():
        for c, code in codes.items():
            if code:
                v = values.get((u.id, cat.by_code[code].id))
                if v is not None:
                    put(ws, r, c, v if cat.by_code[code].decimals else int(v))
    save_workbook(wb, path)
    return path
