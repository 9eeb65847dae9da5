"""A DHIS2 data value set (`tally/dhis2.py`) as the files DHIS2 reads: JSON, or CSV with the header
`dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,
comment,followup`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from shiwan.base.safetext import spreadsheet_text

CSV_HEADER = ("dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value", "storedby",
              "lastupdated", "comment", "followup")
_CSV_KEYS = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy",
             "lastUpdated", "comment", "followup")


def to_dhis2_json(data_set: dict[str, Any]) -> str:
    return json.dumps(data_set, ensure_ascii=False, indent=2) + "\n"


def to_dhis2_csv(data_set: dict[str, Any]) -> str:
    """One line per data value (no byte-order mark: DHIS2 reads the first line as the header)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for v in data_set["dataValues"]:
        w.writerow([spreadsheet_text(v.get(k, "")) for k in _CSV_KEYS])  # a file name is never a formula
    return buf.getvalue()
