"""The reports, as one face: each takes plain arguments and returns a `Report`; `write_report` writes
it as a terminal table, csv, json, md or an official xlsx workbook, so that every format shows the
same figures. The work lives in `shiwan.tally` (the numbers) and `shiwan.render` (the files).

Each name is imported when first used (PEP 562): a command that makes one report does not import the
code of the five others (tomllib, the scheme and lineage readers, the completeness tables).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shiwan.render.report import write_report
    from shiwan.tally.assessment import assessment_report
    from shiwan.tally.campaign import campaign_report
    from shiwan.tally.checklist import checklist_report
    from shiwan.tally.completeness import completeness_report
    from shiwan.tally.progress import progress_report
    from shiwan.tally.report import Col, Report, Section, resolve_period
    from shiwan.tally.trend import trend_report

_WHERE = {
    "write_report": "shiwan.render.report",
    "assessment_report": "shiwan.tally.assessment",
    "campaign_report": "shiwan.tally.campaign",
    "checklist_report": "shiwan.tally.checklist",
    "completeness_report": "shiwan.tally.completeness",
    "progress_report": "shiwan.tally.progress",
    "Col": "shiwan.tally.report",
    "Report": "shiwan.tally.report",
    "Section": "shiwan.tally.report",
    "resolve_period": "shiwan.tally.report",
    "trend_report": "shiwan.tally.trend",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["Col", "Report", "Section", "assessment_report", "campaign_report", "checklist_report",
           "completeness_report", "progress_report", "resolve_period", "trend_report", "write_report"]
