"""What `shiwan import` and `shiwan check FILES` print: progress, a summary table, every problem."""

from __future__ import annotations

import sys
from pathlib import Path

from shiwan.base.i18n import t
from shiwan.base.problems import error
from shiwan.imports import FileResult, collect_files, import_files
from shiwan.recognize.layout import Options
from shiwan.render.output import Column, Table, is_terminal, render, to_json

_STATUS_STYLE = {"imported": "green", "revised": "cyan", "unchanged": "dim", "rejected": "bold red"}


def run_import(db, paths: list[str], *, unit: str | None, period: str | None, measure: str | None,
               as_json: bool, dry_run: bool) -> int:
    """Import (or check) the files; print the outcome; return the exit status (0 ok, 1 refused)."""
    found = collect_files(paths)
    results: list[FileResult] = []
    opts = Options(unit=unit, period=period, measure=measure)
    progress = None
    if is_terminal(sys.stderr) and found.files:
        progress = _Progress(len(found.files), dry_run)
    try:
        results = import_files(db, found.files, opts, dry_run=dry_run, progress=progress.update if progress else None)
    finally:
        if progress:
            progress.stop()
    for m in found.missing:
        r = FileResult(file=m)
        r.problems.append(error("import.missing_path", path=m))
        results.append(r)
    if as_json:
        sys.stdout.write(to_json([r.to_json() for r in results]) + "\n")
    else:
        print_summary(results, dry_run=dry_run, skipped=[f.name for f in found.skipped])
    return 1 if any(r.status == "rejected" for r in results) or not results else 0


class _Progress:
    def __init__(self, total: int, dry_run: bool):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.p = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          TextColumn("{task.fields[file]}", style="dim"),
                          console=Console(stderr=True), transient=True)
        self.task = self.p.add_task(t("progress.check") if dry_run else t("progress.write"), total=total, file="")
        self.p.start()

    def update(self, phase: str, done: int, total: int, name: str) -> None:
        self.p.update(self.task, completed=done, file=name)

    def stop(self) -> None:
        self.p.stop()


def summary_table(results: list[FileResult]) -> Table:
    from shiwan.render.output import num

    rows = []
    for r in results:
        rows.append({
            "file": r.file, "status": r.status, "_status_name": t(f"status.{r.status}"),
            "unit": r.unit_name or r.unit, "period": r.period, "new": r.new, "changed": r.changed,
            "unchanged": r.unchanged, "errors": len(r.errors), "warnings": len(r.warnings),
        })
    cols = [
        Column("file", t("col.file")),
        Column("_status_name", t("col.status")),
        Column("unit", t("col.unit")),
        Column("period", t("col.period")),
        Column("new", t("col.new"), align="right", fmt=num()),
        Column("changed", t("col.changed"), align="right", fmt=num()),
        Column("unchanged", t("col.unchanged"), align="right", fmt=num()),
        Column("errors", t("col.errors"), align="right", fmt=lambda v: str(v) if v else ""),
        Column("warnings", t("col.warnings"), align="right", fmt=lambda v: str(v) if v else ""),
    ]
    table = Table(cols, rows)
    table.row_styles = [_STATUS_STYLE.get(r.status) if r.status == "rejected" else None for r in results]
    return table


def print_summary(results: list[FileResult], *, dry_run: bool, skipped: list[str] | None = None, stream=None) -> None:
    stream = stream or sys.stdout
    if not results:
        stream.write(t("import.nothing") + "\n")
        if skipped:
            stream.write(t("import.skipped_files", n=len(skipped), names="、".join(skipped[:10])) + "\n")
        return
    render(summary_table(results), "table", stream)
    lines = []
    for r in results:
        name = Path(r.file).name if r.file else ""
        for p in r.errors:
            lines.append(("✗", p.place(name), p.message()))
        for p in r.warnings:
            lines.append(("!", p.place(name), p.message()))
    if lines:
        stream.write("\n")
        for mark, place, msg in lines:
            stream.write(f"{mark} {place}: {msg}\n" if place else f"{mark} {msg}\n")
    counts = {s: sum(1 for r in results if r.status == s) for s in ("imported", "revised", "unchanged", "rejected")}
    key = "import.totals_dry" if dry_run else "import.totals"
    stream.write("\n" + t(key, **counts, figures=sum(r.new + r.changed for r in results)) + "\n")
    if skipped:
        names = "、".join(skipped[:10]) + (" …" if len(skipped) > 10 else "")
        stream.write(t("import.skipped_files", n=len(skipped), names=names) + "\n")
