"""The figures of `export` as a DHIS2 data value set: one data value per figure's 本月, 本年累计 or
level, named by a mapping (`ref/dhis2map.py`; shiwan's own codes without one).

A data value is a unit's own datum: DHIS2 adds up the units below a unit itself. So a unit with units
under it gives its own office's figures (本级) only; its total as a province's summary gave it is left
out, else the other system would count it twice. Each value's `comment` says where the figure came
from (file › sheet › cell).
"""

from __future__ import annotations

from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.i18n import t
from shiwan.ref.catalog import Catalog
from shiwan.ref.dhis2map import Dhis2Mapping, own_codes
from shiwan.ref.units import UnitTree
from shiwan.tally.export import export_rows, submitted_on

MAX_LISTED = 10  # codes the mapping lacks, named in the error; the rest are counted


def dhis2_set(db, period: str, unit: str | None, mapping: Dhis2Mapping | None) -> dict[str, Any]:
    """The data value set of `export --period P [--unit CODE]`. A mapping lacking any code it needs
    is refused, naming every such code."""
    from shiwan.tally.report import resolve_scope, resolve_span

    cat = Catalog.from_db(db)
    mapping = mapping or own_codes(cat)
    rows = [r for r in export_rows(db, period, unit) if not (r["_parent"] and r["channel"] == "summary")]
    values, missing = [], {}
    for r in rows:
        values.extend(_values(r, cat, mapping, missing))
    if missing:
        _refuse(mapping, missing)
    out: dict[str, Any] = {}
    if mapping.data_set:
        out["dataSet"] = mapping.data_set
    span = resolve_span(db, period)
    if span.is_month:
        out["period"] = dhis2_period(span.last)
    if unit is not None and span.is_month:
        scope = resolve_scope(UnitTree.from_db(db), unit, span.last)
        out["orgUnit"] = mapping.org_unit(scope.code) or ""
        done = submitted_on(db, scope.id, span.last)
        if done:
            out["completeDate"] = done
    if mapping.attribute_option_combo:
        out["attributeOptionCombo"] = mapping.attribute_option_combo
    if mapping.id_scheme:
        out["idScheme"] = mapping.id_scheme
    out["dataValues"] = values
    return out


def dhis2_period(period: str) -> str:
    """`2003-06` as DHIS2 writes a month: `200306`."""
    return period.replace("-", "")


def _values(r: dict, cat: Catalog, mapping: Dhis2Mapping, missing: dict) -> list[dict[str, Any]]:
    ind = cat.by_code[r["indicator"]]
    whole = ind.parent or ind.code
    org = mapping.org_unit(r["unit_code"])
    if org is None:
        missing[("orgUnit", r["unit_code"])] = r["unit_name"]
    combo = mapping.combo(ind.code, cat)
    if combo is None:
        missing[("categoryOptionCombo", ind.code)] = ind.label()
    slots = (("month", r["month"]), ("ytd", r["ytd"])) if ind.kind == "flow" else (("level", r["ytd"]),)
    out = []
    for measure, v in slots:
        if v is None:
            continue
        element = mapping.element(whole, measure)
        if element is None:
            missing[("dataElement", f"{whole} {measure}")] = cat.by_code[whole].label()
            continue
        if org is None or combo is None:
            continue
        value: dict[str, Any] = {"dataElement": element, "period": dhis2_period(r["period"]), "orgUnit": org}
        if combo:
            value["categoryOptionCombo"] = combo
        if mapping.attribute_option_combo:
            value["attributeOptionCombo"] = mapping.attribute_option_combo
        value["value"] = _text(v, ind.decimals)
        cell = r["_month_cell"] if measure == "month" else r["_ytd_cell"]
        source = " › ".join(str(x) for x in (r["file"], r["sheet"], cell) if x)
        if source:
            value["comment"] = source
        out.append(value)
    return out


def _text(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}" if decimals else str(int(round(v)))


def _refuse(mapping: Dhis2Mapping, missing: dict) -> None:
    items = sorted(missing.items())
    shown = [t("mapping.unmapped", mapping=mapping.name, what=t(f"mapping.what.{what}"), code=code, name=name)
             for (what, code), name in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(t("mapping.more", n=len(items) - MAX_LISTED))
    raise UserError("mapping.lacks", mapping=mapping.name, codes="; ".join(shown))
