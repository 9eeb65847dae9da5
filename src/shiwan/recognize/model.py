"""What recognising a return produces, and what the clerk said on the command line.

A `ParsedFile` holds the returns found in a workbook, each with its figures (every figure knowing its
cell), the 合计 rows to be checked against the unit rows, the units that did not report in it, and
every problem found, each naming its sheet and cell. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shiwan.base.problems import HasProblems, Problem
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.dhis2map import Dhis2Mapping
from shiwan.ref.units import UnitTree

META_SHEET = "_shiwan"
FORM_UNIT = "county"
FORM_SUMMARY = "city"


@dataclass
class FigureIn:
    """One indicator of one unit as a return gives it: 本月 and/or 本年累计 (a stock's level in `ytd`);
    None where the return gives no cell for it."""

    unit_id: int
    indicator: str
    month: float | None
    ytd: float | None
    month_cell: str = ""
    ytd_cell: str = ""
    channel: int = CHANNEL_OWN


@dataclass
class TotalIn:
    """A 合计 row (or column) as written: (indicator, 'month'|'ytd') -> (cell, value), and the units
    whose figures it adds up (the unit rows of its table, 本级 included)."""

    label: str
    cells: dict[tuple[str, str], tuple[str, float]]
    members: list[int] = field(default_factory=list)


@dataclass
class ReturnIn:
    form: str
    reporter_id: int
    period: str
    sheet: str
    figures: list[FigureIn]
    submitted_on: date | None = None
    totals: list[TotalIn] = field(default_factory=list)
    not_reported: list[int] = field(default_factory=list)  # unit ids whose rows are blank or say 未报


@dataclass
class ParsedFile(HasProblems):
    returns: list[ReturnIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    form: str = ""
    reporter_id: int | None = None
    period: str = ""
    submitted_on: date | None = None
    source: str = ""  # what made the file, when it says: `shiwan send`, `shiwan export`, `DHIS2`


@dataclass
class Options:
    """What the clerk said on the command line, used only where the file does not say."""

    unit: str | None = None  # unit code
    period: str | None = None
    measure: str | None = None  # ytd | month
    file_name: str = ""
    path_hint: str = ""  # the file's last folders and name, for telling namesakes apart
    mapping: Dhis2Mapping | None = None  # codes of another system (DHIS2) for exchange files


@dataclass
class Context:
    catalog: Catalog
    units: UnitTree
