"""The outcome of one file of an import, as the summary table and `--json` show it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shiwan.base.problems import HasProblems, Problem

STATUSES = ("imported", "revised", "unchanged", "rejected")


@dataclass
class FileResult(HasProblems):
    """The outcome of one file, as the summary table and `--json` show it."""

    file: str
    status: str = "rejected"
    form: str = ""
    unit: str = ""
    unit_name: str = ""
    period: str = ""
    import_id: int | None = None
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    sha256: str = ""
    size: int = 0
    submitted_on: str = ""
    unit_id: int | None = None  # the reporting unit (a code may name other units in other years)
    periods: list[str] = field(default_factory=list)  # a file of several month sheets names them all
    source: str = ""  # what made the file, when it says (`shiwan send`, `shiwan export`, `DHIS2`)
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status, "form": self.form, "unit_code": self.unit,
            "unit_name": self.unit_name, "period": self.period, "periods": self.periods or ([self.period] if self.period else []),
            "import_id": self.import_id,
            "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
            "submitted_on": self.submitted_on or None, "source": self.source or None, "sha256": self.sha256,
            "errors": [_problem_json(p) for p in self.errors],
            "warnings": [_problem_json(p) for p in self.warnings],
        }


def _problem_json(p: Problem) -> dict[str, Any]:
    return {"sheet": p.sheet, "cell": p.cell, "code": p.key, "message": p.message()}
