"""Targets handed down the hierarchy (分解下达): import an allocation sheet, set one target, list,
export, a blank template, and the allocation check (children's targets against their parent's).

An allocation sheet (目标任务分解表) is laid out like a city summary: units down the rows, indicators
across (`实现再就业人数`, `再就业任务(人)`, `职业培训目标`...), a 合计 row, the year (`2004年`) or
the whole campaign (`2003-2005年`, `全程`) in the title or given with an option. It goes through the
same readers (every format, hostile files isolated) and is all or nothing: any bad cell refuses the
whole sheet. The 合计 row is the allocating unit's own target; children that add up to less (or
more) than it are reported as under- (over-) allocation, never refused: allocating a little more
than the total (层层加码) is common practice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error, warning
from shiwan.base.settings import os_user
from shiwan.read.readers import Book, Sheet, cell_name
from shiwan.recognize.values import parse_figure
from shiwan.ref.campaigns import Campaign, default_campaign, list_campaigns
from shiwan.ref.catalog import Catalog, IndicatorDef
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.text import normalize_header, normalize_unit_name, squash
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.render.output import Column, Table
from shiwan.store.initdb import now_iso

_TARGET_WORDS = ("目标任务", "目标数", "任务数", "计划数", "目标", "任务", "计划", "指标")
_TOTAL = {"合计", "总计", "全省", "全市", "全省合计", "全市合计", "合计数"}
_FOOTER = ("单位负责人", "负责人", "填表人", "制表人", "审核人", "联系电话", "说明", "注:", "备注")
_YEAR = re.compile(r"(\d{4})\s*年(?:度)?")
_SPAN = re.compile(r"(\d{4})\s*[-—~至到]\s*(\d{4})\s*年")


def _strip_target_words(text: str) -> str:
    v = normalize_header(text)
    for w in _TARGET_WORDS:
        for form in (w, f"({w})"):
            if v.endswith(form) and len(v) > len(form) + 1:
                v = v[: -len(form)]
            if v.startswith(w) and len(v) > len(w) + 1:
                v = v[len(w):]
    return normalize_header(v)


@dataclass
class TargetIn:
    unit_id: int
    indicator: str
    value: float
    cell: str


@dataclass
class AllocationSheet:
    reporter: UnitRec | None = None
    year: int | None = None  # CAMPAIGN_TOTAL for the whole campaign
    targets: list[TargetIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def recognize_allocation(book: Book, cat: Catalog, tree: UnitTree, *, unit: str | None, year: int | None,
                         campaign_total: bool, file_name: str) -> AllocationSheet:
    """Read a 目标任务分解表 from the first sheet that names indicators across a row."""
    out = AllocationSheet()
    for sheet in book.sheets:
        if sheet.hidden or sheet.name == "_shiwan":
            if sheet.name == "_shiwan":
                meta = {str(r[0]): r[1] for r in sheet.rows if len(r) >= 2 and r[0] is not None}
                if meta.get("form") == "targets":
                    unit = unit or str(meta.get("unit"))
                    y = str(meta.get("year", ""))
                    if year is None and not campaign_total:
                        if y == "campaign":
                            campaign_total = True
                        elif y.isdigit():
                            year = int(y)
            continue
        hits = _header(sheet, cat)
        if hits:
            out.sheet = sheet.name
            _read(sheet, hits, cat, tree, out, unit=unit, year=year, campaign_total=campaign_total, file_name=file_name)
            return out
    out.problems.append(error("layout.no_indicators", sheet=book.sheets[0].name if book.sheets else ""))
    return out


def _header(sheet: Sheet, cat: Catalog) -> tuple[int, dict[int, str]] | None:
    best: tuple[int, dict[int, str]] | None = None
    for r, row in enumerate(sheet.rows[:40]):
        cols = {}
        for c, v in enumerate(row):
            if isinstance(v, str) and 1 < len(v) < 80:
                code = cat.match(v) or cat.match(_strip_target_words(v))
                if code:
                    cols[c] = code
        if cols and (best is None or len(cols) > len(best[1])):
            best = (r, cols)
    return best


def _read(sheet: Sheet, hits: tuple[int, dict[int, str]], cat: Catalog, tree: UnitTree, out: AllocationSheet, *,
          unit: str | None, year: int | None, campaign_total: bool, file_name: str) -> None:
    head, cols = hits
    name = sheet.name
    title = " ".join(str(v) for row in sheet.rows[:head] for v in row if isinstance(v, str))
    # the year, or the whole campaign
    span = _SPAN.search(squash(title))
    found_year = None
    if span or "全程" in title or "总目标" in title:
        found_year = CAMPAIGN_TOTAL
    else:
        m = _YEAR.search(squash(title)) or _YEAR.search(file_name)
        if m:
            found_year = int(m.group(1))
    wanted = CAMPAIGN_TOTAL if campaign_total else year
    if wanted is not None and found_year is not None and wanted != found_year:
        out.problems.append(error("targets.year_conflict", sheet=name, file_year=_year_text(found_year),
                                  option=_year_text(wanted)))
    out.year = found_year if found_year is not None else wanted
    if out.year is None:
        out.problems.append(error("targets.no_year", sheet=name))
    # the allocating unit
    reporter = tree.by_code.get(unit) if unit else None
    if unit and reporter is None:
        out.problems.append(error("layout.unknown_unit_code", code=unit))
        return
    if reporter is None:
        for line in [title, file_name]:
            found = tree.find_in_text(line)
            if found:
                reporter = found[0]
                break
    unit_col = next((c for c in range(min(cols)) if isinstance(sheet.cell(head, c), str)
                     and normalize_header(str(sheet.cell(head, c))) not in ("序号", "编号")), 0)
    rows: list[tuple[int, str]] = []
    for r in range(head + 1, sheet.height):
        first = next((v for v in sheet.rows[r] if isinstance(v, str) and v.strip()), "")
        if first and squash(first).startswith(_FOOTER):
            break
        label = sheet.cell(r, unit_col)
        if label is None or not str(label).strip():
            if any(sheet.cell(r, c) is not None for c in cols):
                out.problems.append(error("layout.row_without_unit", sheet=name, cell=cell_name(r, unit_col)))
            continue
        rows.append((r, normalize_unit_name(str(label))))
    if reporter is None:
        reporter = tree.common_parent(label for _, label in rows)
    if reporter is None:
        out.problems.append(error("targets.no_unit", sheet=name))
        return
    out.reporter = reporter
    seen: dict[int, int] = {}
    for r, label in rows:
        if label in _TOTAL or label.startswith(("合计", "总计")) or label == normalize_unit_name(reporter.name):
            u = reporter
        else:
            res = tree.resolve(label, within=reporter.id)
            if res.unit is None:
                key = "layout.ambiguous_unit" if res.candidates else "layout.unit_outside" if res.outside \
                    else "layout.unknown_unit"
                out.problems.append(error(key, sheet=name, cell=cell_name(r, unit_col), name=label,
                                          reporter=reporter.name, candidates=", ".join(
                                              f"{x.name} {x.code}" for x in res.candidates or res.outside)))
                continue
            u = res.unit
        if u.id in seen:
            out.problems.append(error("layout.unit_twice", sheet=name, cell=cell_name(r, unit_col), name=u.name,
                                      other=cell_name(seen[u.id], unit_col)))
            continue
        seen[u.id] = r
        for c, code in cols.items():
            ind = cat.by_code[code]
            raw = sheet.cell(r, c)
            if raw is None:
                continue  # no target given for this unit: not a target of 0
            p = parse_figure(raw, ind.decimals)
            if not p.ok:
                out.problems.append(error(p.error, sheet=name, cell=cell_name(r, c),
                                          **{**dict(p.params), "indicator": ind.name, "decimals": ind.decimals}))
                continue
            out.targets.append(TargetIn(u.id, code, p.value or 0.0, cell_name(r, c)))
    if not out.targets and not out.errors:
        out.problems.append(error("layout.all_blank", sheet=name))


def _year_text(year: int) -> str:
    return t("targets.whole_campaign") if year == CAMPAIGN_TOTAL else str(year)


def _campaign(db, code: str | None) -> Campaign:
    if code:
        camp = next((c for c in list_campaigns(db) if c.code == code), None)
        if camp is None:
            raise UserError("campaign.unknown", code=code)
        return camp
    camp = default_campaign(db)
    if camp is None:
        raise UserError("campaign.none")
    return camp


@dataclass
class TargetsResult:
    file: str
    status: str
    unit: str = ""
    year: int | None = None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "unit": self.unit,
                "year": "campaign" if self.year == CAMPAIGN_TOTAL else self.year, "added": self.added,
                "changed": self.changed, "unchanged": self.unchanged,
                "errors": [p.to_json() for p in self.problems if p.is_error],
                "warnings": [p.to_json() for p in self.problems if not p.is_error]}


def import_targets(db, path: Path, *, unit: str | None = None, year: int | None = None, campaign_total: bool = False,
                   campaign: str | None = None, dry_run: bool = False) -> TargetsResult:
    """Read an allocation sheet (in a worker process, like any return) and store its targets, all or nothing."""
    from shiwan.read.readers import ReadError, load_bytes, read_book_data
    from shiwan.read.sandbox import ParsePool
    from shiwan.recognize.layout import Context, Options

    camp = _campaign(db, campaign)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    res = TargetsResult(file=str(path), status="rejected")
    # read the file in a worker: a hostile workbook costs a refusal, not the process
    with ParsePool(Context(cat, tree), workers=1) as pool:
        probe = next(pool.run([(str(path), Options())]))[1]
    if probe.refusal:
        res.problems.append(error(probe.refusal, **(probe.params or {})))
        return res
    try:
        book = read_book_data(load_bytes(path), path.stem, path)
    except ReadError as exc:
        res.problems.append(error(exc.key, **exc.params))
        return res
    sheet = recognize_allocation(book, cat, tree, unit=unit, year=year, campaign_total=campaign_total,
                                 file_name=path.name)
    res.problems.extend(sheet.problems)
    if sheet.reporter:
        res.unit = sheet.reporter.code
    res.year = sheet.year
    if sheet.errors or sheet.year is None:
        return res
    existing = {(u, i): (tid, v) for tid, u, i, v in db.all(
        "SELECT id, unit_id, indicator_id, value FROM target WHERE campaign_id = :c AND year = :y",
        {"c": camp.id, "y": sheet.year})}
    ops = []
    for tg in sheet.targets:
        iid = cat.by_code[tg.indicator].id
        old = existing.get((tg.unit_id, iid))
        if old is None:
            res.added += 1
            ops.append(("insert", tg, iid, None))
        elif abs(old[1] - tg.value) > 1e-9:
            res.changed += 1
            ops.append(("update", tg, iid, old[0]))
        else:
            res.unchanged += 1
    res.status = "unchanged" if not ops else "revised" if res.changed else "imported"
    if not dry_run and ops:
        now, user, src = now_iso(), os_user(), f"file:{path.name}"
        with db.transaction():
            for op, tg, iid, tid in ops:
                if op == "insert":
                    db.insert("target", {"campaign_id": camp.id, "unit_id": tg.unit_id, "indicator_id": iid,
                                         "year": sheet.year, "value": tg.value, "set_at": now, "set_by": user,
                                         "source": f"{src} {sheet.sheet}!{tg.cell}"})
                else:
                    db.run("UPDATE target SET value = :v, set_at = :at, set_by = :by, source = :s WHERE id = :id",
                           {"v": tg.value, "at": now, "by": user, "s": f"{src} {sheet.sheet}!{tg.cell}", "id": tid})
    for w in allocation_warnings(db, camp, sheet.year, {sheet.reporter.id} if sheet.reporter else None,
                                 pending=None if not dry_run else sheet.targets):
        res.problems.append(w)
    return res


def set_target(db, unit: str, indicator: str, year: str, value: float, campaign: str | None = None) -> tuple[float | None, list[Problem]]:
    camp = _campaign(db, campaign)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    u = tree.by_code.get(unit)
    if u is None:
        raise UserError("layout.unknown_unit_code", code=unit)
    ind = cat.by_code.get(indicator)
    if ind is None:
        raise UserError("report.unknown_indicator", code=indicator, known=", ".join(cat.by_code), exit_code=2)
    y = _parse_year(year)
    p = parse_figure(value, ind.decimals)
    if not p.ok:
        raise UserError(p.error, exit_code=2, **{**dict(p.params), "indicator": ind.name, "decimals": ind.decimals})
    if p.blank or p.value is None:
        raise UserError("value.not_number", exit_code=2, value=str(value), indicator=ind.name, decimals=ind.decimals)
    old = db.one("SELECT id, value FROM target WHERE campaign_id = :c AND unit_id = :u AND indicator_id = :i AND year = :y",
                 {"c": camp.id, "u": u.id, "i": ind.id, "y": y})
    with db.transaction():
        if old is None:
            db.insert("target", {"campaign_id": camp.id, "unit_id": u.id, "indicator_id": ind.id, "year": y,
                                 "value": p.value, "set_at": now_iso(), "set_by": os_user(), "source": "targets set"})
        else:
            db.run("UPDATE target SET value = :v, set_at = :at, set_by = :by, source = 'targets set' WHERE id = :id",
                   {"v": p.value, "at": now_iso(), "by": os_user(), "id": old[0]})
    parent = {u.parent_id} if u.parent_id is not None else set()
    return (old[1] if old else None), allocation_warnings(db, camp, y, parent | {u.id})


def _parse_year(text: str) -> int:
    if str(text).lower() in ("campaign", "全程", "total", "0"):
        return CAMPAIGN_TOTAL
    if str(text).isdigit() and 1900 <= int(text) <= 2200:
        return int(text)
    raise UserError("targets.bad_year", year=text, exit_code=2)


def allocation_warnings(db, camp: Campaign, year: int, parents: set[int] | None = None,
                        pending: list[TargetIn] | None = None) -> list[Problem]:
    """Parents whose children's targets add up to less (or more) than their own."""
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    values: dict[tuple[int, int], float] = {
        (u, i): v for u, i, v in db.all("SELECT unit_id, indicator_id, value FROM target WHERE campaign_id = :c "
                                        "AND year = :y", {"c": camp.id, "y": year})}
    for tg in pending or []:
        values[(tg.unit_id, cat.by_code[tg.indicator].id)] = tg.value
    out = []
    for (uid, iid), total in sorted(values.items()):
        if parents is not None and uid not in parents:
            continue
        kids = [values.get((c.id, iid)) for c in tree.children(uid)]
        given = [k for k in kids if k is not None]
        if not given:
            continue
        s = sum(given)
        ind = cat.by_id[iid]
        if abs(s - total) < 1e-9:
            continue
        key = "targets.under" if s < total else "targets.over"
        out.append(warning(key, unit=tree.by_id[uid].name, indicator=ind.name, year=_year_text(year),
                           total=f"{total:,.{ind.decimals}f}", sum=f"{s:,.{ind.decimals}f}",
                           diff=f"{abs(total - s):,.{ind.decimals}f}", missing=len(kids) - len(given)))
    return out


def targets_rows(db, *, year: int | None = None, under: str | None = None, campaign: str | None = None) -> list[dict]:
    camp = _campaign(db, campaign)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    scope = None
    if under:
        scope = tree.by_code.get(under)
        if scope is None:
            raise UserError("layout.unknown_unit_code", code=under)
    where = "campaign_id = :c" + (" AND year = :y" if year is not None else "")
    order = {u.id: n for n, u in enumerate(u for r in tree.roots() for u in tree.subtree(r.id))}
    rows = []
    for uid, iid, y, value, set_at, set_by, source in db.all(
        f"SELECT unit_id, indicator_id, year, value, set_at, set_by, source FROM target WHERE {where}",
        {"c": camp.id, "y": year},
    ):
        u = tree.by_id[uid]
        if scope is not None and not tree.is_within(u, scope.id):
            continue
        ind = cat.by_id[iid]
        rows.append({"campaign": camp.code, "unit_code": u.code, "unit_name": u.name, "indicator": ind.code,
                     "year": "campaign" if y == CAMPAIGN_TOTAL else y, "value": value if ind.decimals else int(value),
                     "set_at": set_at, "set_by": set_by, "source": source,
                     "_order": (0 if y == CAMPAIGN_TOTAL else y, ind.sort_order, order.get(uid, 0)),
                     "_year": _year_text(y), "_indicator": ind.label(), "_name": "  " * tree.depth(u) + u.name})
    rows.sort(key=lambda r: r["_order"])
    return rows


def targets_table(db, **kw) -> tuple[Table, list[Problem]]:
    rows = targets_rows(db, **kw)
    camp = _campaign(db, kw.get("campaign"))
    years = sorted({r["year"] for r in rows}, key=lambda y: -1 if y == "campaign" else y)
    warns = []
    for y in years:
        warns += allocation_warnings(db, camp, CAMPAIGN_TOTAL if y == "campaign" else y)

    def num(v):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"

    cols = [Column("_year", t("col.year")), Column("_indicator", t("col.indicator")), Column("_name", t("col.unit")),
            Column("unit_code", t("col.code")), Column("value", t("col.target"), align="right", fmt=num),
            Column("source", t("col.source"))]
    return Table(cols, rows, title=t("targets.title", campaign=camp.label())), warns


def write_targets_template(db, tree: UnitTree, cat: Catalog, *, unit: str | None, year: int | None,
                           output: Path | None) -> Path:
    """A blank 目标任务分解表: the unit's children down the rows, the campaign's target indicators across."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    camp = _campaign(db, None)
    scope = tree.by_code.get(unit) if unit else tree.by_id.get(camp.unit_id)
    if scope is None:
        raise UserError("layout.unknown_unit_code", code=unit)
    codes = [c for (c,) in db.all("SELECT DISTINCT i.code FROM target t JOIN indicator i ON i.id = t.indicator_id "
                                  "WHERE t.campaign_id = :c", {"c": camp.id})]
    inds: list[IndicatorDef] = [i for i in cat.indicators if i.code in codes] or cat.headline()
    y = year
    output = output or Path(f"{scope.name}_{y or '全程'}_目标任务分解表.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = t("sheet.targets")
    width = 2 + len(inds)
    ws.cell(1, 1, t("targets.template_title", unit=scope.name, campaign=camp.label(),
                    year=f"{y}年" if y else f"{camp.start[:4]}-{camp.end[:4]}年"))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(name="宋体", size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.cell(2, 1, t("template.reporter_line", unit=scope.name))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = ["序号", "单位"] + [f"{i.name}({i.measure})" for i in inds]
    for c, text in enumerate(head, 1):
        cell = ws.cell(3, c, text)
        cell.font, cell.border = Font(name="宋体", bold=True), border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.cell(4, 2, t("row.total")).font = Font(name="宋体", bold=True)
    for n, child in enumerate(tree.children(scope.id), 1):
        ws.cell(4 + n, 1, n)
        ws.cell(4 + n, 2, child.name)
    last = 4 + len(tree.children(scope.id))
    for r in range(4, last + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).border = border
            if c > 2:
                ws.cell(r, c).protection = Protection(locked=False)
                ws.cell(r, c).number_format = "0.00" if inds[c - 3].decimals else "0"
    ws.cell(last + 2, 1, t("targets.template_note"))
    ws.column_dimensions["B"].width = 16
    meta = wb.create_sheet("_shiwan")
    for row in (("form", "targets"), ("unit", scope.code), ("year", str(y) if y else "campaign"),
                ("campaign", camp.code), ("catalog", cat.version)):
        meta.append(list(row))
    meta.sheet_state = "hidden"
    ws.protection.sheet = True
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return output


def export_targets_xlsx(db, *, year: int | None, under: str | None, output: Path) -> Path:
    """The stored targets of one year (or the whole campaign) as an allocation sheet that `targets
    import` reads back: the template, filled in."""
    from openpyxl import load_workbook

    camp = _campaign(db, None)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    if year is None:
        year = db.scalar("SELECT MAX(year) FROM target WHERE campaign_id = :c", {"c": camp.id}) or CAMPAIGN_TOTAL
    path = write_targets_template(db, tree, cat, unit=under, year=year or None, output=output)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
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
                    ws.cell(r, c, v if cat.by_code[code].decimals else int(v))
    wb.save(path)
    return path
