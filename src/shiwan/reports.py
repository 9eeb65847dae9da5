"""The reports, as one face: each takes plain arguments and returns a `Report`; `write_report` writes
it as a terminal table, csv, json, md or an official xlsx workbook, so that every format shows the
same figures. The work lives in `shiwan.tally` (the numbers) and `shiwan.render` (the files).
"""

from __future__ import annotations

from shiwan.render.report import write_report
from shiwan.tally.assessment import assessment_report
from shiwan.tally.campaign import campaign_report
from shiwan.tally.checklist import checklist_report
from shiwan.tally.completeness import completeness_report
from shiwan.tally.progress import progress_report
from shiwan.tally.report import Col, Report, Section, resolve_period
from shiwan.tally.trend import trend_report

__all__ = ["Col", "Report", "Section", "assessment_report", "campaign_report", "checklist_report",
           "completeness_report", "progress_report", "resolve_period", "trend_report", "write_report"]
