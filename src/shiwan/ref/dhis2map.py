"""Which code of another system (DHIS2) stands for which of shiwan's: org units, data elements,
category option combos, as data (a TOML or CSV file given with `--mapping`).

A figure of shiwan is (unit, indicator, 本月 | 本年累计 | level); a DHIS2 data value is (orgUnit,
dataElement, categoryOptionCombo, period, value). So a mapping names, for each indicator, the data
element of each of its measures (`month` and `ytd` for a flow, `level` for a stock), and for each
breakdown (其中) the category option combo that tells it from its whole; the whole takes the default
combo unless the mapping names one. Without a file, shiwan's own codes are used: the unit's code,
the indicator's code (`reemployed`, its 本年累计 `reemployed_ytd`) and the breakdown's own code
(`female`).

CSV: a header `type,code,measure,id` and one line per code, e.g.

    orgUnit,230500,,ImspTQPwCqd
    dataElement,reemployed,month,fbfJHSPpUQD
    categoryOptionCombo,reemployed.female,,Prlt0C1RF0s
    dataSet,,,pBOMPrpg1QX

TOML: `dataSet`, `attributeOptionCombo`, `idScheme` at the top, and tables `[orgUnit]` (unit code =
id), `[dataElement.CODE]` (measure = id) and `[categoryOptionCombo]` (breakdown code = id).
Every error names the file, the line (or the key) and the field.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree

# what DHIS2 calls the default category option combo (no disaggregation): the whole indicator
DEFAULT_COMBOS = ("", "default", "HllvX50cXC0")
YTD_SUFFIX = "_ytd"  # shiwan's own code of a flow's 本年累计 data element: `reemployed_ytd`
TYPES = ("orgUnit", "dataElement", "categoryOptionCombo", "dataSet", "attributeOptionCombo", "idScheme")
SINGLE = {"dataSet": "data_set", "attributeOptionCombo": "attribute_option_combo", "idScheme": "id_scheme"}


class MappingError(FileContentError):
    """A mapping file that cannot be used; the message names the line (or key) and the field."""


@dataclass
class Dhis2Mapping:
    """Both directions of a mapping. `name` is the file's name ('' for shiwan's own codes)."""

    name: str = ""
    org_units: dict[str, str] = field(default_factory=dict)  # unit code -> orgUnit
    elements: dict[tuple[str, str], str] = field(default_factory=dict)  # (indicator, measure) -> dataElement
    combos: dict[str, str] = field(default_factory=dict)  # breakdown (or whole) code -> categoryOptionCombo
    data_set: str = ""
    attribute_option_combo: str = ""
    id_scheme: str = ""
    own_units: bool = False  # shiwan's own unit codes: every unit is its own orgUnit
    _units: dict[str, str] | None = field(default=None, repr=False, compare=False)
    _elements: dict[str, tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    # -- shiwan -> DHIS2 ----------------------------------------------------------------------------

    def org_unit(self, code: str) -> str | None:
        return code if self.own_units else self.org_units.get(code)

    def element(self, indicator: str, measure: str) -> str | None:
        return self.elements.get((indicator, measure))

    def combo(self, code: str, catalog: Catalog) -> str | None:
        """The category option combo of a figure: a breakdown's own, '' for a whole the mapping leaves
        on the default combo; None for a breakdown the mapping lacks."""
        if code in self.combos:
            return self.combos[code]
        return "" if catalog.by_code[code].parent is None else None

    # -- DHIS2 -> shiwan ----------------------------------------------------------------------------

    def unit_code(self, org_unit: str) -> str | None:
        if self.own_units:
            return org_unit or None
        if self._units is None:
            self._units = {v: k for k, v in self.org_units.items()}
        return self._units.get(org_unit)

    def indicator_of(self, element: str) -> tuple[str, str] | None:
        """(indicator, measure) of a data element."""
        if self._elements is None:
            self._elements = {v: k for k, v in self.elements.items()}
        return self._elements.get(element)

    def part_of(self, whole: str, combo: str, catalog: Catalog) -> str | None:
        """The figure a category option combo names under `whole`: the whole itself for the default
        combo (or the one the mapping gives it), else the breakdown mapped to it."""
        if self.combos.get(whole, "") == combo or (whole not in self.combos and combo in DEFAULT_COMBOS):
            return whole
        return next((b.code for b in catalog.parts_of(whole) if self.combos.get(b.code) == combo), None)


def own_codes(catalog: Catalog) -> Dhis2Mapping:
    """shiwan's own codes as a mapping: unit codes, indicator codes (`reemployed`, `reemployed_ytd`),
    breakdowns by their own code (`female`)."""
    m = Dhis2Mapping(own_units=True, id_scheme="code")
    for ind in catalog.indicators:
        if ind.kind == "flow":
            m.elements[(ind.code, "month")] = ind.code
            m.elements[(ind.code, "ytd")] = ind.code + YTD_SUFFIX
        else:
            m.elements[(ind.code, "level")] = ind.code
    for part in catalog.breakdowns:
        m.combos[part.code] = part.code.rsplit(".", 1)[-1]
    return m


def load_mapping(path: Path, catalog: Catalog, units: UnitTree) -> Dhis2Mapping:
    """Read and check a mapping file (`.toml`, else CSV). Raises MappingError."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MappingError(path, "file.unreadable", detail=exc.strerror or str(exc)) from None
    text = _decode(path, raw)
    entries = _toml_entries(path, text) if Path(path).suffix.lower() == ".toml" else _csv_entries(path, text)
    m = Dhis2Mapping(name=Path(path).name)
    for where, kind, code, measure, value in entries:
        _add(m, where, kind, code, measure, value, catalog, units)
    _check_unique(path, m, catalog)
    return m


Entry = tuple[str, str, str, str, str]  # (where, type, code, measure, id)


def _decode(path: Path, raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise MappingError(path, "read.encoding")  # pragma: no cover - gb18030 decodes any byte string


def _csv_entries(path: Path, text: str) -> list[Entry]:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or [c.strip() for c in rows[0][:4]] != ["type", "code", "measure", "id"]:
        raise MappingError(f"{path.name} › 1", "mapping.header")
    out = []
    for n, row in enumerate(rows[1:], 2):
        cells = [c.strip() for c in row] + [""] * 4
        if not any(cells):
            continue
        out.append((f"{path.name} › {n}", cells[0], cells[1], cells[2], cells[3]))
    return out


def _toml_entries(path: Path, text: str) -> list[Entry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path.name, "file.unreadable", detail=str(exc)) from None
    out: list[Entry] = []
    for key, value in data.items():
        where = f"{path.name} › {key}"
        if key in SINGLE:
            out.append((where, key, "", "", _text(where, value)))
        elif key in ("orgUnit", "categoryOptionCombo") and isinstance(value, dict):
            out += [(f"{where}.{k}", key, str(k), "", _text(f"{where}.{k}", v)) for k, v in value.items()]
        elif key == "dataElement" and isinstance(value, dict):
            for code, measures in value.items():
                if not isinstance(measures, dict):
                    raise MappingError(f"{where}.{code}", "mapping.measures")
                out += [(f"{where}.{code}.{ms}", key, str(code), str(ms), _text(f"{where}.{code}.{ms}", v))
                        for ms, v in measures.items()]
        else:
            raise MappingError(where, "mapping.type", value=key, types=", ".join(TYPES))
    return out


def _text(where: str, value: object) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise MappingError(where, "mapping.id_text")
    return str(value).strip()


def _add(m: Dhis2Mapping, where: str, kind: str, code: str, measure: str, value: str, catalog: Catalog,
         units: UnitTree) -> None:
    if kind not in TYPES:
        raise MappingError(f"{where} › type", "mapping.type", value=kind, types=", ".join(TYPES))
    if not value:
        raise MappingError(f"{where} › id", "mapping.no_id")
    if kind in SINGLE:
        setattr(m, SINGLE[kind], value)
        return
    if kind == "orgUnit":
        if not units.codes_of(code):
            raise MappingError(f"{where} › code", "file.unknown_unit", code=code or "—")
        _put(m.org_units, code, value, where)
        return
    ind = catalog.by_code.get(code)
    if ind is None:
        raise MappingError(f"{where} › code", "file.unknown_indicator", code=code or "—")
    if kind == "categoryOptionCombo":
        _put(m.combos, code, value, where)
        return
    if ind.parent is not None:  # a breakdown takes its whole's data elements, with a combo of its own
        raise MappingError(f"{where} › code", "mapping.part_element", code=code, whole=ind.parent)
    allowed = ("month", "ytd") if ind.kind == "flow" else ("level",)
    if measure not in allowed:
        raise MappingError(f"{where} › measure", "mapping.measure", value=measure or "—", code=code,
                           allowed=", ".join(allowed))
    _put(m.elements, (code, measure), value, where)


def _put(table: dict, key, value: str, where: str) -> None:
    if key in table and table[key] != value:
        raise MappingError(f"{where} › id", "mapping.twice", code=key if isinstance(key, str) else "/".join(key))
    table[key] = value


def _check_unique(path: Path, m: Dhis2Mapping, catalog: Catalog) -> None:
    """An id stands for one code only (else an import could not tell which), except that breakdowns
    of different indicators may share a combo (women under 实现再就业人数 and under 职业培训人数)."""
    for table, what in ((m.org_units, "orgUnit"), (m.elements, "dataElement")):
        seen: dict[str, object] = {}
        for key, v in table.items():
            if v in seen:
                raise MappingError(path.name, "mapping.id_twice", id=v, type=what, a=_show(seen[v]), b=_show(key))
            seen[v] = key
    for ind in catalog.indicators:
        seen = {}
        for code in [ind.code, *(b.code for b in catalog.parts_of(ind.code))]:
            v = m.combos.get(code, "" if code == ind.code else None)
            if v is None:
                continue
            if v in seen:
                raise MappingError(path.name, "mapping.id_twice", id=v or "default", type="categoryOptionCombo",
                                   a=seen[v], b=code)
            seen[v] = code


def _show(key: object) -> str:
    return "/".join(key) if isinstance(key, tuple) else str(key)
