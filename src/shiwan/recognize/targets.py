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

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error
from shiwan.read.readers import Book, Sheet, cell_name
from shiwan.recognize.values import parse_figure
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.text import normalize_header, normalize_unit_name, squash
from shiwan.ref.units import UnitRec, UnitTree

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
    title = " ".join(str(v) for row in sheet.rows[:head] for v in row if isinstance(v, str))
    _sheet_year(sheet.name, title, file_name, CAMPAIGN_TOTAL if campaign_total else year, out)
    reporter = tree.by_code.get(unit) if unit else None
    if unit and reporter is None:
        out.problems.append(error("layout.unknown_unit_code", code=unit))
        return
    if reporter is None:
        reporter = next((found[0] for line in (title, file_name) for found in [tree.find_in_text(line)] if found), None)
    unit_col = next((c for c in range(min(cols)) if isinstance(sheet.cell(head, c), str)
                     and normalize_header(str(sheet.cell(head, c))) not in ("序号", "编号")), 0)
    rows = _labelled_rows(sheet, head, cols, unit_col, out)
    reporter = reporter or tree.common_parent(label for _, label in rows)
    if reporter is None:
        out.problems.append(error("targets.no_unit", sheet=sheet.name))
        return
    out.reporter = reporter
    seen: dict[int, int] = {}
    for r, label in rows:
        u = _row_unit(sheet.name, r, label, reporter, tree, unit_col, out)
        if u is None:
            continue
        if u.id in seen:
            out.problems.append(error("layout.unit_twice", sheet=sheet.name, cell=cell_name(r, unit_col), name=u.name,
                                      other=cell_name(seen[u.id], unit_col)))
            continue
        seen[u.id] = r
        _row_targets(sheet, r, u.id, cols, cat, out)
    if not out.targets and not out.errors:
        out.problems.append(error("layout.all_blank", sheet=sheet.name))


def _sheet_year(name: str, title: str, file_name: str, wanted: int | None, out: AllocationSheet) -> None:
    """The year the targets are for, or the whole campaign (`2003-2005年`, `全程`), from the title or
    the file's name, settled against the option."""
    found = None
    if _SPAN.search(squash(title)) or "全程" in title or "总目标" in title:
        found = CAMPAIGN_TOTAL
    else:
        m = _YEAR.search(squash(title)) or _YEAR.search(file_name)
        found = int(m.group(1)) if m else None
    if wanted is not None and found is not None and wanted != found:
        out.problems.append(error("targets.year_conflict", sheet=name, file_year=year_text(found),
                                  option=year_text(wanted)))
    out.year = found if found is not None else wanted
    if out.year is None:
        out.problems.append(error("targets.no_year", sheet=name))


def _labelled_rows(sheet: Sheet, head: int, cols: dict[int, str], unit_col: int,
                   out: AllocationSheet) -> list[tuple[int, str]]:
    """(row, unit name) of every row between the header and the footer."""
    rows: list[tuple[int, str]] = []
    for r in range(head + 1, sheet.height):
        first = next((v for v in sheet.rows[r] if isinstance(v, str) and v.strip()), "")
        if first and squash(first).startswith(_FOOTER):
            break
        label = sheet.cell(r, unit_col)
        if label is None or not str(label).strip():
            if any(sheet.cell(r, c) is not None for c in cols):
                out.problems.append(error("layout.row_without_unit", sheet=sheet.name, cell=cell_name(r, unit_col)))
            continue
        rows.append((r, normalize_unit_name(str(label))))
    return rows


def _row_unit(name: str, r: int, label: str, reporter: UnitRec, tree: UnitTree, unit_col: int,
              out: AllocationSheet) -> UnitRec | None:
    """The unit a row allocates to: the allocating unit itself for its 合计 row."""
    if label in _TOTAL or label.startswith(("合计", "总计")) or label == normalize_unit_name(reporter.name):
        return reporter
    res = tree.resolve(label, within=reporter.id)
    if res.unit is None:
        key = "layout.ambiguous_unit" if res.candidates else "layout.unit_outside" if res.outside else "layout.unknown_unit"
        out.problems.append(error(key, sheet=name, cell=cell_name(r, unit_col), name=label, reporter=reporter.name,
                                  candidates=", ".join(f"{x.name} {x.code}" for x in res.candidates or res.outside)))
    return res.unit


def _row_targets(sheet: Sheet, r: int, unit_id: int, cols: dict[int, str], cat: Catalog, out: AllocationSheet) -> None:
    for c, code in cols.items():
        ind = cat.by_code[code]
        raw = sheet.cell(r, c)
        if raw is None:
            continue  # no target given for this unit: not a target of 0
        p = parse_figure(raw, ind.decimals)
        if not p.ok:
            out.problems.append(error(p.error, sheet=sheet.name, cell=cell_name(r, c),
                                      **{**dict(p.params), "indicator": ind.name, "decimals": ind.decimals}))
            continue
        out.targets.append(TargetIn(unit_id, code, p.value or 0.0, cell_name(r, c)))


def year_text(year: int) -> str:
    return t("targets.whole_campaign") if year == CAMPAIGN_TOTAL else str(year)


@dataclass
class AllocationOptions:
    """What the clerk said on the command line about an allocation sheet."""

    unit: str | None = None
    year: int | None = None
    campaign_total: bool = False
    file_name: str = ""


def recognize_allocation_book(book: Book, ctx, opts: AllocationOptions) -> AllocationSheet:
    """`recognize_allocation` as a reader worker calls it: (book, context, options)."""
    return recognize_allocation(book, ctx.catalog, ctx.units, unit=opts.unit, year=opts.year,
                                campaign_total=opts.campaign_total, file_name=opts.file_name)
