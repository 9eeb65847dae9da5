"""The trend of one indicator, month by month: 本月 and 本年累计."""

from __future__ import annotations

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.lineage import Lineage
from shiwan.tally.engine import Values, combined
from shiwan.tally.report import (
    Col,
    Marks,
    Report,
    Section,
    context,
    coverage_column,
    coverage_fields,
    mark_coverage,
    refuse_if_empty,
    resolve_indicators,
    resolve_scope,
    resolve_span,
    round_to,
    section_title,
)


def trend_report(db, *, indicator: str, unit: str | None = None, first: str | None = None,
                 last: str | None = None) -> Report:
    """The monthly series and year-to-date of one indicator for one unit's whole subtree, as the
    unit stands at the last month. Before a change of its boundaries the months count the units it
    took over (like with like), or stay blank where no figure covers its area (with a note)."""
    tree, cat = context(db)
    ind = resolve_indicators(cat, [indicator])[0]
    last = resolve_span(db, last).last
    first = resolve_span(db, first).first if first else periods.year_start(last)
    if first > last:
        raise UserError("trend.bad_range", first=first, last=last, exit_code=2)
    scope = resolve_scope(tree, unit, last)
    parent = tree.at(last).parent(scope)
    values = Values(db, tree, cat, [ind.code], periods.year_start(first), last, parent.id if parent else scope.id)
    lineage, notes = Lineage(tree), {}
    marks = Marks()
    rows = []
    for p in periods.span(first, last):
        c = lineage.compare(scope, periods.year_of(p), periods.year_of(last))
        if c.note():
            notes.setdefault(c.note(), None)

        def total(what: str, p=p, c=c) -> float | None:
            if not c.comparable:
                return None
            tot = values.totals(ind.code, p, what)
            got = [tot.get(u.id) for u in c.before]
            return sum(v for v in got if v is not None) if any(v is not None for v in got) else None

        m = total("month") if ind.kind == "flow" else None
        y = total("ytd")
        coverage = values.coverage(ind.code, p)
        cov = combined([coverage.get(u.id) for u in c.before]) if c.comparable else None
        row = {"unit_code": scope.code, "unit_name": scope.name, "indicator": ind.code, "period": p,
               "month": round_to(m, ind), "ytd": round_to(y, ind), "basis": c.basis, **coverage_fields(cov), "_label": p}
        mark_coverage(marks, row, cov, p, ("ytd",), unranked=False, no_month=("month",) if ind.kind == "flow" else ())
        rows.append(row)
    biggest = max((r["month"] if ind.kind == "flow" else r["ytd"]) or 0 for r in rows) if rows else 0
    for r in rows:
        v = (r["month"] if ind.kind == "flow" else r["ytd"]) or 0
        r["_bar"] = "█" * round(30 * v / biggest) if biggest else ""
    d = ind.decimals
    if ind.kind == "flow":
        cols = [Col("_label", t("col.period")), Col("month", t("col.month"), "num", d), Col("_bar", "", screen_only=True),
                Col("ytd", t("col.ytd"), "num", d)]
    else:
        cols = [Col("_label", t("col.period")), Col("ytd", t("col.level_now"), "num", d), Col("_bar", "", screen_only=True)]
    refuse_if_empty(db, [Section("", [], rows)], f"{first}..{last}")
    sec = Section(section_title(ind), cols, rows, ind.measure_label(), chart=("_label", "month" if ind.kind == "flow" else "ytd"))
    coverage_column(sec)
    return Report(
        kind="trend", title=t("trend.title", unit=scope.name, indicator=ind.label()),
        period_line=t("trend.period_line", first=first, last=last),
        unit_line=t("report.unit_line", unit=scope.name, measure=ind.measure_label()),
        sections=[sec], period=last, scope_code=scope.code, marks=marks.legend(), notes=list(notes),
    )
