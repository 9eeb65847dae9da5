"""The checks a file's own figures must pass before anything is compared with stored data: every
rule of the catalog on each unit's figures, 本月 ≤ 本年累计, and each 合计 against its unit rows.

`recognize_and_check` is what a reader worker runs on each file: recognition, then these checks.
"""

from __future__ import annotations

from shiwan.base.problems import Problem
from shiwan.check.rules import january_differs, month_above_ytd, rule_problems
from shiwan.check.totals import total_problems
from shiwan.read.readers import Book
from shiwan.recognize import Context, Options, ParsedFile, ReturnIn, recognize
from shiwan.ref.catalog import Catalog


def return_problems(catalog: Catalog, ret: ReturnIn) -> list[Problem]:
    out: list[Problem] = []
    by_unit: dict[int, list] = {}
    january = ret.period.endswith("-01")
    for f in ret.figures:
        p = month_above_ytd(catalog, f, ret.sheet) or (january_differs(catalog, f, ret.sheet) if january else None)
        if p is not None:
            out.append(p)
        by_unit.setdefault(f.unit_id, []).append(f)
    for figures in by_unit.values():
        out.extend(rule_problems(catalog, figures, ret.sheet))
    out.extend(total_problems(catalog, ret))
    return out


def check_parsed(catalog: Catalog, parsed: ParsedFile) -> ParsedFile:
    for ret in parsed.returns:
        parsed.problems.extend(return_problems(catalog, ret))
    return parsed


def recognize_and_check(book: Book, ctx: Context, opts: Options) -> ParsedFile:
    return check_parsed(ctx.catalog, recognize(book, ctx, opts))
