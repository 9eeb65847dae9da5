"""Helpers for writing real files in tests (openpyxl), the way clerks fill them in."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def fill(path: Path, cells: dict[str, object], out: Path | None = None, sheet: int = 0) -> Path:
    """Open a workbook, set cells of its first (visible) sheet, save it (to `out` or in place)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    out = out or path
    wb.save(out)
    return out


def sheet_rows(rows: list[list[object]], path: Path, *, merges: list[str] = (), title: str = "Sheet1") -> Path:
    """A one-sheet workbook with these rows (from A1), and these merged ranges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def city_summary(path: Path, rows: list[tuple[str, int, int, int, int]], *, title: str = "鹤岗市总工会“十万行动”进展情况统计表",
                 period_line: str = "(2003年1-6月)", reporter: str = "填报单位:鹤岗市总工会(盖章)",
                 total: tuple[int, int, int, int] | None = None, footer: str = "报出日期:2003年7月3日") -> Path:
    """A hand-made two-row-header city summary of 实现再就业人数 and 职业培训人数 (本月, 本年累计)."""
    body: list[list[object]] = [
        [title], [period_line], [reporter],
        ["序号", "单位", "实现再就业人数", None, "职业培训人数", None],
        [None, None, "本月", "本年累计", "本月", "本年累计"],
    ]
    for n, (name, a, b, c, d) in enumerate(rows, 1):
        body.append([n, name, a, b, c, d])
    if total is None:
        total = tuple(sum(r[i] for r in rows) for i in range(1, 5))  # type: ignore[assignment]
    body.append([None, "合计", *total])
    body.append([])
    body.append([f"单位负责人:王某   填表人:张某   {footer}"])
    return sheet_rows(body, path, merges=["C4:D4", "E4:F4", "A4:A5", "B4:B5"])
