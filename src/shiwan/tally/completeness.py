"""`report completeness`: which returns came in, on time or late, and which are still missing.

应报 (expected): every unit below the scope that reports (cities' own offices and counties; a province
compiles rather than reports). 实报 (received): units with any figure for the period, from their own
return or their row in a city summary. A return's date is its 报出日期 when the file gives one, else
the day it was imported; 及时 means on or before the deadline (the 5th of the following month unless
configured), 迟报 after it. The first version of a return counts, not later revisions. A return sent
back (退回, `shiwan review return`) and not sent again is counted as 退回 and listed in the 催报 list
with the reason. For a quarter, half year or year every month counts: 应报 is units × months.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.units import NOT_REPORTING, UnitRec
from shiwan.store.db import in_clause
from shiwan.store.review import states as review_states
from shiwan.tally.report import (
    ROW_OWN,
    ROW_TOTAL,
    ROW_UNIT,
    Col,
    Report,
    Section,
    context,
    resolve_scope,
    resolve_span,
)


def submissions(db, period: str) -> dict[int, tuple[date, str]]:
    """unit id -> (date of its first return for `period`, file name)."""
    out: dict[int, tuple[date, str]] = {}
    ind_ids = [r[0] for r in db.all("SELECT id FROM indicator")]
    clause, params = in_clause("i", ind_ids)
    for uid, submitted, imported, name in db.all(
        "SELECT x.unit_id, i.submitted_on, i.imported_at, i.file_name FROM ("
        f"SELECT DISTINCT unit_id, import_id FROM figure WHERE indicator_id IN {clause} AND period = :p UNION "
        "SELECT unit_id, import_id FROM figure_history WHERE period = :p AND action = 'revised') x "
        "JOIN import_log i ON i.id = x.import_id",
        {**params, "p": period},
    ):
        d = date.fromisoformat((submitted or imported)[:10])
        if uid not in out or d < out[uid][0]:
            out[uid] = (d, name)
    return out


def last_reported(db, unit_ids: list[int], before: str) -> dict[int, str]:
    if not unit_ids:
        return {}
    out: dict[int, str] = {}
    for n in range(0, len(unit_ids), 400):
        clause, params = in_clause("u", unit_ids[n : n + 400])
        out.update(dict(db.all(f"SELECT unit_id, MAX(period) FROM figure WHERE unit_id IN {clause} AND period < :p "
                               "GROUP BY unit_id", {**params, "p": before})))
    return out


def completeness_report(db, *, period: str | None = None, under: str | None = None,
                        deadline_day: int | None = None) -> Report:
    """应报/实报/及时/迟报/未报 for a month, or for every month of a quarter, half year or year (the
    counts add up over its months; the lists name unit and month)."""
    tree, _cat = context(db)
    span = resolve_span(db, period)
    scope = resolve_scope(tree, under, span.last)
    day = deadline_day or int(db.meta("deadline_day") or 5)
    view = tree.at(span.last)  # spans are whole years: one tree for every month of a report period

    def expected(root: UnitRec) -> list[UnitRec]:
        return [u for u in view.subtree(root.id) if u.level not in NOT_REPORTING]

    groups: list[tuple[str, UnitRec, list[UnitRec]]] = [(ROW_UNIT, c, expected(c)) for c in view.children(scope.id)]
    if scope.level not in NOT_REPORTING:
        groups.insert(0, (ROW_OWN, scope, [scope]))
    tally = _Tally(view, groups)
    for month in span.months():
        tally.month(month, periods.deadline(month, day), submissions(db, month), review_states(db, month))
    counts, missing, late, returned, received = tally.counts, tally.missing, tally.late, tally.returned, tally.received
    keys = _Tally.KEYS
    due_last = periods.deadline(span.last, day)
    totals = {k: sum(c[k] for c in counts.values()) for k in keys}
    summary = [_summary_row(kind, u, counts[u.id], span, due_last, label=u.name if kind == ROW_UNIT else
                            t(f"row.own.{u.level}") if u.level in ("city", "county") else u.name)
               for kind, u, _ in groups]
    summary.append(_summary_row(ROW_TOTAL, scope, totals, span, due_last, label=t("row.total")))
    last = last_reported(db, sorted({m.id for m, _, _ in missing}), span.first)
    missing_rows = [{
        "section": "missing", "unit_code": m.code, "unit_name": m.name, "city_code": c.code if c else "",
        "city_name": c.name if c else "", "period": month, "last_period": _last_before(last, received, m.id, month),
        "status": "missing", "reason": "", "_status": t("review.status.missing"), "_label": m.name,
    } for m, c, month in missing]
    missing_rows += [{
        "section": "missing", "unit_code": m.code, "unit_name": m.name, "city_code": c.code if c else "",
        "city_name": c.name if c else "", "period": month, "last_period": month, "status": "returned",
        "reason": rv.reason, "returned_by": rv.user, "returned_at": rv.at, "_status": t("review.status.returned"),
        "_label": m.name,
    } for m, c, month, rv in returned]
    late_rows = [{
        "section": "late", "unit_code": m.code, "unit_name": m.name, "city_code": c.code if c else "",
        "city_name": c.name if c else "", "period": month, "submitted_on": s[0].isoformat(),
        "days_late": (s[0] - due).days, "file": s[1], "_label": m.name,
    } for m, c, s, month, due in sorted(late, key=lambda x: (x[3], x[2][0], x[0].sort_order))]
    return Report(
        kind="completeness", title=t("completeness.title", unit=scope.name),
        period_line=_period_line(span, due_last),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("completeness.measure")),
        sections=_sections(span, summary, missing_rows, late_rows), period=span.key, scope_code=scope.code,
        notes=[t("completeness.note", day=day)],
    )


class _Tally:
    """The counts of each group, and the lists, month by month."""

    KEYS = ("expected", "received", "on_time", "late", "missing", "returned")

    def __init__(self, view, groups: list[tuple[str, UnitRec, list[UnitRec]]]):
        self.view, self.groups = view, groups
        self.counts = {u.id: dict.fromkeys(self.KEYS, 0) for _, u, _ in groups}
        self.missing: list[tuple] = []
        self.late: list[tuple] = []
        self.returned: list[tuple] = []
        self.received: dict[int, list[str]] = {}

    def month(self, month: str, due: date, subs: dict, reviews: dict) -> None:
        for _kind, u, members in self.groups:
            c = self.counts[u.id]
            for m in members:
                c["expected"] += 1
                sub = subs.get(m.id)
                if sub is None:
                    c["missing"] += 1
                    self.missing.append((m, _city_of(self.view, m), month))
                    continue
                c["received"] += 1
                self.received.setdefault(m.id, []).append(month)
                rv = reviews.get(m.id)
                if rv is not None and rv.status == "returned":  # sent back: wanted again, with the reason
                    c["returned"] += 1
                    self.returned.append((m, _city_of(self.view, m), month, rv))
                if sub[0] <= due:
                    c["on_time"] += 1
                else:
                    c["late"] += 1
                    self.late.append((m, _city_of(self.view, m), sub, month, due))


def _last_before(before_span: dict[int, str], received: dict[int, list[str]], uid: int, month: str) -> str | None:
    """The latest month before `month` in which the unit reported: within the report's months, else before them."""
    within = [p for p in received.get(uid, []) if p < month]
    return within[-1] if within else before_span.get(uid)


def _period_line(span: periods.Span, due) -> str:
    if span.is_month:
        return t("completeness.period_line", period=span.key, due=due.isoformat())
    return t("completeness.period_line_span", first=span.first, last=span.last)


def _sections(span: periods.Span, summary, missing_rows, late_rows) -> list[Section]:
    sum_cols = [Col("_label", t("col.unit")), Col("expected", t("col.expected"), "int"),
                Col("received", t("col.received"), "int"), Col("on_time", t("col.on_time"), "int"),
                Col("late", t("col.late"), "int"), Col("missing", t("col.missing"), "int"),
                Col("returned", t("col.returned"), "int"), Col("on_time_rate", t("col.on_time_rate"), "pct")]
    miss_cols = [Col("_label", t("col.unit")), Col("unit_code", t("col.code")), Col("city_name", t("col.city")),
                 Col("_status", t("col.review_status")), Col("last_period", t("col.last_period")),
                 Col("reason", t("col.reason"))]
    late_cols = [Col("_label", t("col.unit")), Col("city_name", t("col.city")), Col("submitted_on", t("col.submitted")),
                 Col("days_late", t("col.days_late"), "int"), Col("file", t("col.file"))]
    if not span.is_month:  # the lists name the month too
        miss_cols.insert(1, Col("period", t("col.period")))
        late_cols.insert(1, Col("period", t("col.period")))
    return [Section(t("completeness.summary"), sum_cols, summary, chart=("_label", "on_time_rate")),
            Section(t("completeness.missing", n=sum(1 for r in missing_rows if r["status"] == "missing"),
                      r=sum(1 for r in missing_rows if r["status"] == "returned")), miss_cols, missing_rows),
            Section(t("completeness.late", n=len(late_rows)), late_cols, late_rows)]


def _summary_row(kind: str, u: UnitRec, c: dict[str, int], span: periods.Span, due: date, label: str) -> dict[str, Any]:
    return {"section": "summary", "unit_code": u.code, "unit_name": u.name, "row_type": kind, "period": span.key,
            "deadline": due.isoformat(), **c,
            "on_time_rate": round(c["on_time"] / c["expected"], 6) if c["expected"] else None, "_label": label}


def _city_of(tree, u: UnitRec) -> UnitRec | None:
    if u.level == "city":
        return u
    for a in tree.ancestors(u):
        if a.level == "city":
            return a
    return None
