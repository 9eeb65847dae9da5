"""Recognising every return in a workbook: which sheets are returns, how each is laid out, and the
returns they hold.

Three layouts, one recogniser:
- a **summary**: units down the rows, indicators across (a city summary), `summary.py`;
- a **unit return**: one unit, indicators down the rows, 本月 / 本年累计 across, `unitreturn.py`;
- a **transposed summary**: indicators down the rows, units across (合计 as a column), `transposed.py`.
The templates that `shiwan template` writes are clean instances of the first two, with a hidden
metadata sheet that removes all guessing about form, unit and period.
"""

from __future__ import annotations

from shiwan.base.problems import Problem, error, warning
from shiwan.read.readers import Book
from shiwan.recognize.exchange import recognize_exchange
from shiwan.recognize.grid import Grid, is_number
from shiwan.recognize.hits import Hit, distinct_by_col, distinct_by_row, find_hits
from shiwan.recognize.model import FORM_SUMMARY, FORM_UNIT, META_SHEET, Context, Options, ParsedFile, ReturnIn
from shiwan.recognize.summary import parse_summary
from shiwan.recognize.transposed import looks_transposed, parse_transposed
from shiwan.recognize.unitreturn import parse_unit_return
from shiwan.recognize.words import INSTRUCTION_SHEET, OTHER_FIGURES_SHEET

# failures that mean a sheet is not a return at all (rather than a return with a bad cell)
_NOT_A_RETURN = {"layout.no_period", "layout.no_measure_header", "layout.no_unit", "layout.no_rows",
                 "layout.measure_unknown", "layout.no_indicators"}


def recognize(book: Book, ctx: Context, opts: Options) -> ParsedFile:
    """Every return in the workbook, with its figures and problems. An exchange file (shiwan's export,
    a DHIS2 data value set) is told by its keys and read as data first (`exchange.py`)."""
    exchanged = recognize_exchange(book, ctx, opts)
    if exchanged is not None:
        return exchanged
    out = ParsedFile()
    meta = template_meta(book)
    out.source = meta.get("source", "")
    sheets = [s for s in book.sheets if not s.hidden and s.name != META_SHEET and s.height > 0]
    candidates = [(Grid(s), hits) for s in sheets for hits in [find_hits(s, ctx.catalog)] if hits]
    if not candidates:
        out.problems.append(error("layout.empty_book") if not sheets else error("layout.no_indicators", sheet=sheets[0].name))
        return out
    if len(candidates) > 1:  # an instructions sheet listing the indicators is not a return
        candidates = [c for c in candidates if not INSTRUCTION_SHEET.search(c[0].name)] or candidates
    if len(candidates) > 1:  # nor last month's figures kept beside it, nor the plan
        kept = [c for c in candidates if not OTHER_FIGURES_SHEET.search(c[0].name)]
        for grid, _ in candidates if kept else []:
            if OTHER_FIGURES_SHEET.search(grid.name):
                out.problems.append(warning("layout.sheet_skipped_other", sheet=grid.name))
        candidates = kept or candidates
    parsed = [(grid, *_parse_sheet(grid, hits, ctx, opts, meta)) for grid, hits in candidates]
    for _grid, ret, _problems in parsed:
        if ret is not None:
            drop_not_given(ret, meta)
    any_return = any(ret is not None for _, ret, _ in parsed)
    for grid, ret, problems in parsed:
        if ret is not None:
            out.returns.append(ret)
            out.problems.extend(problems)
        elif any_return and all(p.key in _NOT_A_RETURN for p in problems if p.is_error):
            # beside a sheet that is a return, one that is not (notes, a list of indicators) is passed over
            out.problems.append(warning("layout.sheet_skipped", sheet=grid.name))
        else:
            out.problems.extend(problems)
    _summarise(out, ctx)
    if not out.returns and not out.errors:
        out.problems.append(error("layout.no_indicators", sheet=candidates[0][0].name))
    return out


def _parse_sheet(grid: Grid, hits: list[Hit], ctx: Context, opts: Options,
                 meta: dict[str, str]) -> tuple[ReturnIn | None, list[Problem]]:
    problems: list[Problem] = []
    form = layout_of(grid, hits, meta, ctx)
    if form == FORM_SUMMARY:
        ret = parse_summary(grid, hits, ctx, opts, meta, problems)
    elif form == "transposed":
        ret = parse_transposed(grid, hits, ctx, opts, meta, problems)
    else:
        ret = parse_unit_return(grid, hits, ctx, opts, meta, problems)
    return ret, problems


def layout_of(grid: Grid, hits: list[Hit], meta: dict[str, str], ctx: Context) -> str:
    """city (summary), county (unit return) or transposed: from the template's metadata, else from
    whether the indicator names run across a row or down a column, else from what lies beside them."""
    form = meta.get("form")
    if form in (FORM_UNIT, FORM_SUMMARY):
        return form
    best_row = max(len(v) for v in distinct_by_row(hits).values())
    best_col = max(len(v) for v in distinct_by_col(hits).values())
    if best_row > best_col:
        return FORM_SUMMARY
    if best_col > best_row:
        return "transposed" if looks_transposed(grid, hits, ctx) else FORM_UNIT
    h = hits[0]
    right = [grid.cell(h.r, j) for j in range(h.c + 1, h.c + 6)]
    return FORM_UNIT if any(is_number(v) for v in right) else FORM_SUMMARY


def _summarise(out: ParsedFile, ctx: Context) -> None:
    """The file's form, reporter, period and 报出日期 (its first return's), and no return twice."""
    if not out.returns:
        return
    first = out.returns[0]
    out.form, out.reporter_id, out.period = first.form, first.reporter_id, first.period
    out.submitted_on = next((r.submitted_on for r in out.returns if r.submitted_on), None)
    seen: dict[tuple[int, str, str], str] = {}  # one return may run over two sheets (flows, then stocks)
    for r in out.returns:
        for f in r.figures:
            key = (f.unit_id, r.period, f.indicator)
            if key in seen and seen[key] != r.sheet:
                out.problems.append(error("layout.same_return_twice", sheet=r.sheet, other=seen[key],
                                          unit=ctx.units.by_id[f.unit_id].name, period=r.period))
                break
            seen.setdefault(key, r.sheet)


def template_meta(book: Book) -> dict[str, str]:
    """The hidden `_shiwan` sheet of a template: form, unit, period, catalog version (and, in a return
    that `shiwan send` wrote, its source and the cells it gives no figure for). A key on several rows
    is their values joined by spaces."""
    for s in book.sheets:
        if s.name == META_SHEET:
            meta: dict[str, str] = {}
            for row in s.rows:
                if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
                    v = row[1]
                    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
                    key = row[0].strip()
                    meta[key] = f"{meta[key]} {text}" if key in meta else text
            return meta
    return {}


def drop_not_given(ret: ReturnIn, meta: dict[str, str]) -> None:
    """The cells a sent return names as not given (`not_given`: the figure was never reported, so the
    cell is blank and not a zero) give no figure — unless a number was typed into one after all; a
    figure left with no cell at all is dropped."""
    cells = set(meta.get("not_given", "").split())
    if not cells:
        return
    kept = []
    for f in ret.figures:
        if f.month_cell in cells and not f.month:
            f.month, f.month_cell = None, ""
        if f.ytd_cell in cells and not f.ytd:
            f.ytd, f.ytd_cell = None, ""
        if f.month_cell or f.ytd_cell:
            kept.append(f)
    ret.figures = kept
