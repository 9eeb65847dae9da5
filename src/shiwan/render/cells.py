"""One report value as people read it (`1,234`, `37.6%`, `落后5.0`), and its colour on a terminal."""

from __future__ import annotations

from typing import Any

from shiwan.base.i18n import t
from shiwan.tally.report import Col, fmt_gap


def cell_text(col: Col, value: Any) -> str:
    """A value as people read it in tables."""
    if col.kind == "text":
        return "" if value is None else str(value)
    if value is None:
        return "—" if col.kind in ("pct", "pp") or col.key == "target" else ""
    if col.kind == "int":
        return f"{int(value):,}"
    if col.kind == "num":
        return f"{float(value):,.{col.decimals}f}"
    if col.kind == "pct":
        return f"{float(value) * 100:.1f}%"
    if col.kind == "pp":
        return fmt_gap(float(value))
    if col.kind == "rank":
        return str(value)
    if col.kind == "flag":
        return t("flag.yes") if value else t("flag.no")
    return str(value)


def shown(col: Col, row: dict[str, Any]) -> str:
    """A row's value in `col` as people read it, followed by the row's marks for it (`827ᵃ`); a row
    may say what to show instead of an empty value (`未报`)."""
    text = (row.get("_text") or {}).get(col.key)
    if text is None:
        text = cell_text(col, row.get(col.key))
    return text + marks_of(col, row)


def marks_of(col: Col, row: dict[str, Any]) -> str:
    return (row.get("_marks") or {}).get(col.key, "")


def cell_style(col: Col, row: dict[str, Any]) -> str | None:
    v = row.get(col.key)
    if v is None:
        return None
    if col.kind == "pp" or col.key == "gap":
        return "green" if v > 0.05 else "red" if v < -0.05 else None
    if col.key == "completion" and row.get("time_progress") is not None:
        return "green" if v >= row["time_progress"] else "red"
    if col.kind == "flag":
        return "green" if v else "red"
    return None
