"""Exchange files: figures as data rather than a layout made for people.

Two kinds, each told by its keys before the layout recogniser runs:
- **shiwan's own export** (`export --format csv|json`): one record per unit × indicator × month with
  `unit_code`, `indicator`, `period`, `month`, `ytd` and the `channel` it was stored on;
- **a DHIS2 data value set** (JSON `{"dataValues": [...]}`, or the CSV of `dataelement, period,
  orgunit, categoryoptioncombo, …, value`): one value per data element, mapped back to shiwan's
  codes by a mapping (`ref/dhis2map.py`; shiwan's own codes when none is given).

Each becomes the same returns a workbook does, each figure naming its cell as the record's line and
field (`12:ytd`: line 12 of a CSV file, the 12th record of a JSON list), so that the importer's
checks, revisions, history and provenance apply unchanged. An empty field is a figure not given,
never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from shiwan.base.problems import Problem, error, warning
from shiwan.base.safetext import is_formula_like
from shiwan.read.readers import Book
from shiwan.recognize.model import Context, FigureIn, Options, ParsedFile, ReturnIn
from shiwan.recognize.values import parse_figure
from shiwan.ref import periods
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.dhis2map import DEFAULT_COMBOS, Dhis2Mapping, own_codes
from shiwan.ref.text import normalize_unit_name
from shiwan.ref.units import UnitRec

FORM_EXCHANGE = "exchange"
SOURCE_EXPORT = "shiwan export"
SOURCE_DHIS2 = "DHIS2"
EXPORT_KEYS = {"unit_code", "indicator", "period"}
DHIS2_KEYS = {"dataElement", "period", "orgUnit", "value"}
# DHIS2's CSV headers (old and new spellings) -> the JSON keys
DHIS2_CSV = {"dataelement": "dataElement", "period": "period", "orgunit": "orgUnit",
             "categoryoptioncombo": "categoryOptionCombo", "catoptcombo": "categoryOptionCombo",
             "attributeoptioncombo": "attributeOptionCombo", "attroptcombo": "attributeOptionCombo",
             "value": "value", "storedby": "storedBy", "strby": "storedBy", "lastupdated": "lastUpdated",
             "lstupd": "lastUpdated", "comment": "comment", "cmt": "comment", "followup": "followup",
             "deleted": "deleted"}
SET_KEYS = ("period", "orgUnit", "attributeOptionCombo")  # a data value set's keys that its values inherit


@dataclass
class Records:
    """An exchange file's records, each (line, {field: value}), and what the whole set says."""

    kind: str  # SOURCE_EXPORT | SOURCE_DHIS2
    sheet: str
    rows: list[tuple[int, dict[str, Any]]]
    top: dict[str, Any] = field(default_factory=dict)


def recognize_exchange(book: Book, ctx: Context, opts: Options) -> ParsedFile | None:
    """The returns of an exchange file, or None when the book is not one (a workbook for the layout
    recogniser). A JSON file of neither kind is refused here."""
    found = _records(book, opts)
    if found is None:
        if book.format != "json":
            return None
        out = ParsedFile()
        out.problems.append(error("exchange.json_unknown"))
        return out
    if found.kind == SOURCE_EXPORT:
        reader: _Reader = _ExportReader(ctx, found.sheet)
        returns = reader.read(found.rows)
    else:
        reader = _Dhis2Reader(ctx, found, opts.mapping or own_codes(ctx.catalog))
        returns = reader.read()
    return _finish(found, returns, reader.problems)


def _records(book: Book, opts: Options) -> Records | None:
    stem = Path(opts.file_name).stem or "json"
    if book.format == "json":
        doc = book.document
        if isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc) and set(doc[0]) >= EXPORT_KEYS:
            return Records(SOURCE_EXPORT, stem, list(enumerate(doc, 1)))
        if isinstance(doc, dict) and isinstance(doc.get("dataValues"), list):
            rows = [(n, r if isinstance(r, dict) else {}) for n, r in enumerate(doc["dataValues"], 1)]
            return Records(SOURCE_DHIS2, "dataValues", rows, {k: doc.get(k) for k in (*SET_KEYS, "completeDate")})
        return None
    sheets = [s for s in book.sheets if not s.hidden and s.rows]  # a CSV, or one opened and saved in Excel
    if not sheets:
        return None
    sheet = sheets[0]
    header = [str(v or "").strip().lstrip("\ufeff") for v in sheet.rows[0]]
    lines = [(n, row) for n, row in enumerate(sheet.rows[1:], 2) if any(v not in (None, "") for v in row)]
    if set(header) >= EXPORT_KEYS:
        return Records(SOURCE_EXPORT, sheet.name, [(n, dict(zip(header, row, strict=False))) for n, row in lines])
    keys = [DHIS2_CSV.get(h.lower(), h) for h in header]
    if set(keys) >= DHIS2_KEYS:
        return Records(SOURCE_DHIS2, sheet.name, [(n, dict(zip(keys, row, strict=False))) for n, row in lines])
    return None


class _Figures:
    """Figures gathered from records: (period, unit id, code, channel) -> month and ytd with their cells."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self.problems: list[Problem] = []
        self.slots: dict[tuple[str, int, str, int], dict[str, tuple[float, str]]] = {}

    def put(self, period: str, unit_id: int, code: str, channel: int, slot: str, value: float, cell: str) -> None:
        held = self.slots.setdefault((period, unit_id, code, channel), {})
        if slot in held:
            self.problems.append(error("exchange.twice", sheet=self.sheet, cell=cell, other=held[slot][1]))
            return
        held[slot] = (value, cell)

    def returns(self, reporter_of) -> list[ReturnIn]:
        by_period: dict[str, list[FigureIn]] = {}
        for (period, uid, code, channel), held in self.slots.items():
            month, ytd = held.get("month", (None, "")), held.get("ytd", (None, ""))
            by_period.setdefault(period, []).append(FigureIn(uid, code, month[0], ytd[0], month[1], ytd[1], channel))
        return [ReturnIn(FORM_EXCHANGE, reporter_of(period, figs), period, self.sheet, figs)
                for period, figs in sorted(by_period.items())]


class _Reader:
    """What both kinds share: a record's unit, period and value, each refused at its cell."""

    def __init__(self, ctx: Context, sheet: str):
        self.ctx = ctx
        self.sheet = sheet
        self.figs = _Figures(sheet)
        self.problems = self.figs.problems

    def bad(self, key: str, line: int, name: str, **params: Any) -> None:
        self.problems.append(error(key, sheet=self.sheet, cell=f"{line}:{name}", **params))

    def unit(self, code: str, period: str, line: int, name: str) -> UnitRec | None:
        u = self.ctx.units.find(code, period)
        if u is not None:
            return u
        spans = self.ctx.units.codes_of(code)
        if spans:
            self.bad("import.not_standing", line, name, unit=spans[-1].name, code=code, year=period[:4],
                     period=period, span="、".join(s.span_text() or "—" for s in spans))
        else:
            self.bad("exchange.unknown_unit", line, name, code=code or "—")
        return None

    def value(self, raw: Any, code: str, line: int, name: str) -> tuple[bool, float | None]:
        """(ok, value): an empty field is no figure (None), not zero."""
        ind = self.ctx.catalog.by_code[code]
        p = parse_figure(raw, ind.decimals, ind.measure)
        if not p.ok:
            self.bad(p.error or "value.not_number", line, name, **dict(p.params), indicator=ind.name,
                     decimals=ind.decimals)
            return False, None
        return True, None if p.blank else p.value


class _ExportReader(_Reader):
    """shiwan's own export: a record per unit × indicator × month, on the channel it names."""

    def read(self, rows: list[tuple[int, dict[str, Any]]]) -> list[ReturnIn]:
        for line, rec in rows:
            self._record(line, {k: ("" if v is None else v) for k, v in rec.items()})
        return self.figs.returns(self._reporter)

    def _record(self, line: int, rec: dict[str, Any]) -> None:
        try:
            period = periods.parse_period(str(rec.get("period", "")).strip())
        except periods.PeriodError:
            self.bad("exchange.period", line, "period", value=str(rec.get("period", "")) or "—")
            return
        code = str(rec.get("indicator", "")).strip()
        ind = self.ctx.catalog.by_code.get(code)
        if ind is None:
            self.bad("exchange.unknown_indicator", line, "indicator", code=code or "—")
            return
        channel = {"": CHANNEL_OWN, "own": CHANNEL_OWN, "summary": CHANNEL_SUMMARY}.get(str(rec.get("channel", "")).strip())
        if channel is None:
            self.bad("exchange.channel", line, "channel", value=str(rec.get("channel")))
            return
        u = self.unit(str(rec.get("unit_code", "")).strip(), period, line, "unit_code")
        if u is None:
            return
        name = str(rec.get("unit_name", "")).strip()
        if name.startswith("'") and is_formula_like(name[1:]):  # as the csv neutralised it
            name = name[1:]
        if name and normalize_unit_name(name) not in {normalize_unit_name(n) for n in (u.name, *u.aliases)}:
            self.problems.append(warning("exchange.unit_name_differs", sheet=self.sheet, cell=f"{line}:unit_name",
                                         name=name, code=u.code, unit=u.name))
        ok_m, month = self.value(rec.get("month", ""), code, line, "month")
        ok_y, ytd = self.value(rec.get("ytd", ""), code, line, "ytd")
        if not (ok_m and ok_y):
            return
        if ind.kind == "stock" and month is not None:
            self.bad("exchange.stock_month", line, "month", indicator=ind.name)
            return
        if month is None and ytd is None:
            self.problems.append(warning("exchange.no_value", sheet=self.sheet, cell=f"{line}:ytd", indicator=ind.name))
            return
        for slot, v in (("month", month), ("ytd", ytd)):
            if v is not None:
                self.figs.put(period, u.id, code, channel, slot, v, f"{line}:{slot}")

    def _reporter(self, period: str, figs: list[FigureIn]) -> int:
        return self.ctx.units.at(period).lowest_common({f.unit_id for f in figs}).id


class _Dhis2Reader(_Reader):
    """A DHIS2 data value set: each value mapped back to a unit and a figure's 本月, 本年累计 or level.
    The set's unit (its `orgUnit`, else the one every value lies under) speaks for itself and, like a
    city summary, for the units without units below it (their summary channel)."""

    def __init__(self, ctx: Context, found: Records, mapping: Dhis2Mapping):
        super().__init__(ctx, found.sheet)
        self.found = found
        self.mapping = mapping
        self.where = mapping.name or "shiwan"

    def read(self) -> list[ReturnIn]:
        kept: list[tuple[str, UnitRec, str, str, float, str]] = []
        for line, rec in self.found.rows:
            got = self._value(line, {**{k: v for k, v in self.found.top.items() if v not in (None, "")},
                                     **{k: v for k, v in rec.items() if v not in (None, "")}})
            if got is not None:
                kept.append(got)
        top = str(self.found.top.get("orgUnit") or "")
        reporters = {p: self._reporter_unit(p, top, kept) for p in {k[0] for k in kept}}
        for period, u, code, slot, v, cell in kept:
            leaf = not self.ctx.units.at(period).children(u.id)
            channel = CHANNEL_SUMMARY if u.id != reporters[period] and leaf else CHANNEL_OWN
            self.figs.put(period, u.id, code, channel, slot, v, cell)
        return self.figs.returns(lambda period, _figs: reporters[period])

    def _reporter_unit(self, period: str, top: str, kept) -> int:
        if top:
            code = self.mapping.unit_code(top)
            u = self.ctx.units.find(code, period) if code else None
            if u is not None:
                return u.id
        return self.ctx.units.at(period).lowest_common({x[1].id for x in kept if x[0] == period}).id

    def _value(self, line: int, rec: dict[str, Any]) -> tuple[str, UnitRec, str, str, float, str] | None:
        if str(rec.get("deleted", "")).strip().lower() == "true":
            self.problems.append(warning("exchange.deleted", sheet=self.sheet, cell=f"{line}:deleted"))
            return None
        period = _dhis2_period(str(rec.get("period", "")))
        if period is None:
            self.bad("exchange.dhis2_period", line, "period", value=str(rec.get("period", "")) or "—")
            return None
        figure = self._figure(line, rec)
        aoc = str(rec.get("attributeOptionCombo", ""))
        if aoc not in (*DEFAULT_COMBOS, self.mapping.attribute_option_combo):
            self.bad("exchange.attribute", line, "attributeOptionCombo", value=aoc)
            return None
        org = str(rec.get("orgUnit", ""))
        code = self.mapping.unit_code(org)
        if code is None:
            self.bad("exchange.unmapped", line, "orgUnit", value=org or "—", mapping=self.where)
            return None
        u = self.unit(code, period, line, "orgUnit")
        if figure is None or u is None:
            return None
        code, slot = figure
        ok, v = self.value(rec.get("value", ""), code, line, "value")
        if ok and v is None:
            self.problems.append(warning("exchange.no_value", sheet=self.sheet, cell=f"{line}:value",
                                         indicator=self.ctx.catalog.by_code[code].name))
        if not ok or v is None:
            return None
        return period, u, code, slot, v, f"{line}:value"

    def _figure(self, line: int, rec: dict[str, Any]) -> tuple[str, str] | None:
        """(figure code, 'month' | 'ytd') of a value's data element and category option combo."""
        element = str(rec.get("dataElement", ""))
        found = self.mapping.indicator_of(element)
        if found is None:
            self.bad("exchange.unmapped", line, "dataElement", value=element or "—", mapping=self.where)
            return None
        whole, measure = found
        combo = str(rec.get("categoryOptionCombo", ""))
        code = self.mapping.part_of(whole, combo, self.ctx.catalog)
        if code is None:
            self.bad("exchange.unmapped_combo", line, "categoryOptionCombo", value=combo, mapping=self.where,
                     indicator=self.ctx.catalog.by_code[whole].name)
            return None
        return code, "month" if measure == "month" else "ytd"


def _dhis2_period(text: str) -> str | None:
    """DHIS2's monthly period `200306` as `2003-06`; None for anything else (a quarter `2003Q2`)."""
    text = text.strip()
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
        return None
    return f"{text[:4]}-{text[4:]}"


def _finish(found: Records, returns: list[ReturnIn], problems: list[Problem]) -> ParsedFile:
    out = ParsedFile(returns=returns, problems=problems, source=found.kind, form=FORM_EXCHANGE)
    if not returns:
        if not out.errors:
            out.problems.append(error("exchange.empty", sheet=found.sheet))
        return out
    out.reporter_id, out.period = returns[0].reporter_id, returns[0].period
    done = found.top.get("completeDate")
    if done:
        try:
            out.submitted_on = date.fromisoformat(str(done).strip()[:10])
        except ValueError:
            out.problems.append(error("exchange.complete_date", sheet=found.sheet, cell="completeDate", value=str(done)))
    for r in returns:
        r.submitted_on = out.submitted_on
    return out
