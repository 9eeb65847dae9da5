"""三个扶持建立: does each city's own office have its base, market and entity; certified agencies and schools."""

from __future__ import annotations

from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref import periods
from shiwan.ref.campaigns import default_campaign
from shiwan.tally.engine import Coverage, Values
from shiwan.tally.report import (
    ROW_UNIT,
    Col,
    Marks,
    Report,
    Section,
    context,
    join_list,
    mark_coverage,
    period_line,
    refuse_if_empty,
    resolve_scope,
    resolve_span,
    round_to,
)


def checklist_report(db, *, period: str | None = None, under: str | None = None) -> Report:
    """For every city's own office (本级): at least one base, one market, one economic entity, and the
    certification of its job agencies and training organisations (stock levels at `period`), with the
    campaign's deadline for the three (`checklist_deadline`) and who is past it without them."""
    tree, cat = context(db)
    span = resolve_span(db, period)
    period = span.last  # stocks: the level at the end of the period
    scope = resolve_scope(tree, under, period)
    view = tree.at(period)
    camp = default_campaign(db)
    cfg = camp.config if camp else {}
    check = [c for c in cfg.get("checklist", ["bases", "markets", "entities"]) if c in cat.by_code]
    pairs = [p for p in cfg.get("certified", [["agencies", "agencies_certified"], ["training_orgs", "training_orgs_certified"]])
             if p[0] in cat.by_code and p[1] in cat.by_code]
    codes = check + [c for p in pairs for c in p]
    if not codes:
        raise UserError("checklist.none")
    deadline = cfg.get("checklist_deadline")
    values = Values(db, tree, cat, codes, period, period, scope.id)
    marks = Marks()
    units = view.children(scope.id) or [scope]
    rows = [_row(view, cat, values, marks, u, period, check, pairs, deadline) for u in units]
    refuse_if_empty(db, [Section("", [], rows)], period)
    cols = [Col("_label", t("col.unit"))]
    cols += [Col(code, cat.by_code[code].label(), "num") for code in check]
    cols.append(Col("all_met", t("col.three_met"), "flag"))
    cols += [Col(f"_{whole}_cert", t("col.certified", what=cat.by_code[whole].label())) for whole, _ in pairs]
    return Report(
        kind="checklist", title=t("checklist.title", unit=scope.name),
        period_line=period_line(span if not span.is_month else period, ytd=False),
        unit_line=t("report.unit_line", unit=scope.name, measure=t("checklist.measure")),
        sections=[Section(t("checklist.section"), cols, rows)], period=period, scope_code=scope.code,
        notes=_notes(cat, rows, units, pairs, period, deadline), marks=marks.legend(),
    )


def _row(tree, cat, values: Values, marks: Marks, u, period: str, check: list[str], pairs: list[list[str]],
         deadline: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "row_type": ROW_UNIT, "period": period,
                           "_label": u.name + (t("row.own_suffix") if tree.children(u.id) else "")}
    months: list[str] = []

    def mark(code: str, *keys: str) -> None:
        month = values.as_of(u.id, code, period)
        if month is not None:
            months.append(month)
            mark_coverage(marks, row, Coverage(1, int(month == period), month), period, keys, unranked=False)

    for code in check:
        v = values.level(u.id, code, period)
        row[code] = round_to(v, cat.by_code[code])
        row[f"{code}_met"] = None if v is None else v >= 1
        mark(code, code, "all_met")
    met = [row[f"{c}_met"] for c in check]
    row["all_met"] = None if any(m is None for m in met) else all(met)
    row["deadline"] = deadline
    row["overdue"] = None if deadline is None or row["all_met"] is None else (period >= deadline and not row["all_met"])
    for whole, part in pairs:
        w, p = values.level(u.id, whole, period), values.level(u.id, part, period)
        row[whole], row[part] = round_to(w, cat.by_code[whole]), round_to(p, cat.by_code[part])
        row[f"_{whole}_cert"] = f"{int(p or 0)}/{int(w or 0)}" if w is not None else ""
        row[f"{whole}_all_certified"] = (p is not None and w > 0 and p >= w) if w is not None else None
        mark(whole, f"_{whole}_cert")
        mark(part, f"_{whole}_cert")
    oldest = min(months) if months else None
    row.update({"as_of": oldest, "expected": 1, "received": int(oldest == period)})
    return row


def _notes(cat, rows: list[dict[str, Any]], units, pairs: list[list[str]], period: str, deadline: str | None) -> list[str]:
    """`13个市中9个已实现“三个扶持建立”`, the deadline and who is past it, and `13个市中9个职介机构全部获资质认证`."""
    level = _level_word(units)
    n = len(rows)
    notes = [t("checklist.note", met=sum(1 for r in rows if r["all_met"]), n=n, level=level)]
    if deadline:
        when = t("checklist.deadline_month", year=periods.year_of(deadline), month=periods.month_of(deadline))
        if period < deadline:
            notes.append(t("checklist.deadline_ahead", when=when, left=periods.months_between(period, deadline) - 1))
        else:
            late = [r["unit_name"] for r in rows if r["overdue"]]
            unknown = [r["unit_name"] for r in rows if r["overdue"] is None]
            notes.append(t("checklist.deadline_past", when=when, n=len(late), names=join_list(late) or "—"))
            if unknown:
                notes.append(t("checklist.deadline_unknown", names=join_list(unknown)))
    for whole, _part in pairs:
        done = sum(1 for r in rows if r.get(f"{whole}_all_certified"))
        notes.append(t("checklist.certified_line", n=n, level=level, m=done, what=cat.by_code[whole].label().removesuffix("数")))
    return notes


def _level_word(units) -> str:
    levels = {u.level for u in units}
    return t(f"checklist.level.{levels.pop()}") if len(levels) == 1 and levels <= {"city", "county"} else t("checklist.level.other")
