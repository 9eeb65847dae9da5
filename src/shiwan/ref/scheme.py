"""The 目标考核 scoring scheme as data: weights per indicator summing to 100, a cap on credited
completion, bonus points for the 三个扶持建立, deductions for returns late, missing or refused, and the
score bands (default `data/assessment-shiwan.toml`, documented in docs/assessment.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError


class SchemeError(FileContentError):
    """A scheme file that cannot be used; the message names the entry."""


@dataclass
class Scheme:
    name: str
    items: list[tuple[str, float]]  # (indicator code, weight)
    cap: float = 1.0
    name_en: str = ""
    bonus_checklist: float = 0.0
    late: float = 0.0
    missing: float = 0.0
    refused: float = 0.0
    max_deduction: float = 100.0
    excellent: float = 90.0
    passing: float = 75.0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Scheme:
        d = dict(d)
        d["items"] = [tuple(x) for x in d.get("items", [])]
        return cls(**d)


def load_scheme(path: Path) -> Scheme:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SchemeError(path, "file.unreadable", detail=str(exc)) from None
    items = []
    for n, it in enumerate(data.get("item") or [], 1):
        if "indicator" not in it or "weight" not in it:
            raise SchemeError(f"{path} [[item]] #{n}", "scheme.item_needs")
        items.append((str(it["indicator"]), float(it["weight"])))
    if not items:
        raise SchemeError(path, "scheme.no_items")
    total = sum(w for _, w in items)
    if abs(total - 100) > 1e-6:
        raise SchemeError(path, "scheme.weights", total=f"{total:g}")
    cap = float(data.get("cap", 1.0))
    if cap <= 0:
        raise SchemeError(path, "scheme.cap")
    bonus = data.get("bonus") or {}
    ded = data.get("deductions") or {}
    bands = data.get("bands") or {}
    scheme = Scheme(
        name=str(data.get("name", "")), name_en=str(data.get("name_en", "")), items=items, cap=cap,
        bonus_checklist=float(bonus.get("checklist", 0)), late=float(ded.get("late", 0)),
        missing=float(ded.get("missing", 0)), refused=float(ded.get("refused", 0)),
        max_deduction=float(ded.get("max", 100)), excellent=float(bands.get("excellent", 90)),
        passing=float(bands.get("pass", 75)),
    )
    if not scheme.passing <= scheme.excellent:
        raise SchemeError(path, "scheme.bands")
    return scheme
