"""A problem found in a file or in stored data: where it is, and what is wrong, as a message key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem:
    severity: str  # error | warning
    key: str  # message key in messages.py
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str = ""
    cell: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self) -> str:
        from shiwan.base.i18n import t

        params = {"sheet": self.sheet, "cell": self.cell, **self.params}  # a message may name its own place
        if "text" in params and isinstance(params["text"], dict):  # a message given in both languages
            from shiwan.base.i18n import pick

            return pick(params["text"].get("zh", ""), params["text"].get("en"))
        if "decimals" in params and "expected" not in params:
            d = params["decimals"]
            params["expected"] = t("value.expected_decimals", decimals=d) if d else t("value.expected_whole")
        return t(self.key, **params)

    def place(self, file: str = "") -> str:
        """`file › sheet › cell`, leaving out what is not known (names escaped: they came from a file)."""
        from shiwan.base.safetext import quoted

        return " › ".join(quoted(p) for p in (file, self.sheet, self.cell) if p)

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.key, "sheet": self.sheet, "cell": self.cell,
                "message": self.message()}

    def to_record(self) -> dict[str, Any]:
        """What the import log stores: language-neutral, rendered again when shown."""
        return {"severity": self.severity, "key": self.key, "params": self.params, "sheet": self.sheet,
                "cell": self.cell}

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Problem:
        return cls(rec.get("severity", ERROR), rec.get("key", ""), rec.get("params") or {}, rec.get("sheet", ""),
                   rec.get("cell", ""))


def error(key: str, /, sheet: str = "", cell: str = "", **params: Any) -> Problem:
    return Problem(ERROR, key, params, sheet, cell)


def warning(key: str, /, sheet: str = "", cell: str = "", **params: Any) -> Problem:
    return Problem(WARNING, key, params, sheet, cell)


class HasProblems:
    """Errors and warnings of an object that keeps its problems in `problems`."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]
