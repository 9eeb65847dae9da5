"""What `shiwan import` and `shiwan check FILES` print: progress, a summary table, every problem."""

from __future__ import annotations

import sys
from pathlib import Path

from shiwan.base.i18n import t
from shiwan.base.safetext import shown
from shiwan.base.table import Column, Table
from shiwan.render.output import render, to_json
from shiwan.store.importlog import import_details
from shiwan.store.results import FileResult

_STATUS_STYLE = {"imported": "green", "revised": "cyan", "unchanged": "dim", "rejected": "bold red",
                 "not_imported": "bold red"}


class ImportProgress:
    """A progress bar on stderr while files are read and written (only on a terminal)."""

    def __init__(self, total: int, dry_run: bool):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.p = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          TextColumn("{task.fields[file]}", style="dim", markup=False),
                          console=Console(stderr=True), transient=True)
        self.task = self.p.add_task(t("progress.check") if dry_run else t("progress.write"), total=total, file="")
        self.p.start()

    def update(self, phase: str, done: int, total: int, name: str) -> None:
        self.p.update(self.task, completed=done, file=shown(name))

    def stop(self) -> None:
        self.p.stop()


def summary_table(results: list[FileResult], *, dry_run: bool = False) -> Table:
    """One row a file; a dry run (`check`) says what would happen (可导入, 将修订), not what did."""
    from shiwan.base.table import num

    rows = []
    for r in results:
        rows.append({
            "file": r.file, "status": r.status, "_status_name": t(f"status_dry.{r.status}" if dry_run else f"status.{r.status}"),
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
    table.row_styles = [_STATUS_STYLE.get(r.status) if r.status in ("rejected", "not_imported") else None
                        for r in results]
    return table


def print_summary(results: list[FileResult], *, dry_run: bool, skipped: list[tuple[Path, str]] | None = None,
                  stream=None) -> None:
    """The outcome table and every problem on `stream` (stdout); what was passed over, and that
    nothing was found, on stderr."""
    stream = stream or sys.stdout
    if not results:
        sys.stderr.write(t("import.nothing") + "\n")
        _print_skipped(skipped)
        return
    render(summary_table(results, dry_run=dry_run), "table", stream)
    lines = []
    for r in results:
        name = Path(r.file).name if r.file else ""
        if r.source:
            lines.append(("i", name, t(f"source.{r.source}")))
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
    not_done = sum(1 for r in results if r.status == "not_imported")
    if not_done:
        stream.write(t("import.not_imported_files", n=not_done) + "\n")
    _print_skipped(skipped)


def _print_skipped(skipped: list[tuple[Path, str]] | None) -> None:
    if not skipped:
        return
    shown = [f"{f.name}({t(f'skip.{why}')})" for f, why in skipped[:10]]
    names = "、".join(shown) + (" …" if len(skipped) > 10 else "")
    sys.stderr.write(t("import.skipped_files", n=len(skipped), names=names) + "\n")


def show_import(db, import_id: int, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    info, figures = import_details(db, import_id)
    if fmt == "json":
        stream.write(to_json({"import": info, "figures": figures}) + "\n")
        return
    if fmt != "csv":
        lines = [
            t("imports.show_head", id=info["import_id"], status=t(f"status.{info['status']}")),
            f"  {t('col.file')}: {info['file']}  ({info['path']})",
            f"  SHA-256: {info['sha256']}  ({info['size']:,} bytes)",
            f"  {t('col.unit')}: {info['unit_name']} {info['unit_code']}   {t('col.period')}: {info['period']}   "
            f"{t('col.form')}: {t('form.' + info['form']) if info['form'] else '—'}",
            f"  {t('col.submitted')}: {info['submitted_on'] or '—'}   {t('col.when')}: {info['imported_at']}   "
            f"{t('col.user')}: {info['user']}",
            "  " + t("imports.counts", new=info["new"], changed=info["changed"], unchanged=info["unchanged"]),
        ]
        if info["reverts"]:
            lines.append("  " + t("imports.reverts", id=info["reverts"]))
        if info["reverted_by"]:
            lines.append("  " + t("imports.reverted_by", id=info["reverted_by"]))
        for p in info["problems"]:
            mark = "✗" if p["severity"] == "error" else "!"
            place = " › ".join(x for x in (p["sheet"], p["cell"]) if x)
            lines.append(f"  {mark} {place}: {p['message']}" if place else f"  {mark} {p['message']}")
        stream.write("\n".join(shown(line) for line in lines) + "\n\n")
    cols = [
        Column("unit_name", t("col.unit")), Column("indicator_name", t("col.indicator")), Column("period", t("col.period")),
        Column("month", t("col.month"), align="right", fmt=_fmt), Column("ytd", t("col.ytd_or_level"), align="right", fmt=_fmt),
        Column("old_month", t("col.old_month"), align="right", fmt=_fmt),
        Column("old_ytd", t("col.old_ytd"), align="right", fmt=_fmt),
        Column("ytd_cell", t("col.cell"), fmt=lambda v: v or ""),
        Column("state", t("col.state"), fmt=lambda v: t(f"state.{v}")),
    ]
    if not figures and fmt != "csv":  # a refused import wrote nothing: say so, not an empty table
        stream.write(t("imports.no_figures") + "\n")
        return
    if fmt == "csv":
        cols = [Column(k, k) for k in ("unit_code", "unit_name", "indicator", "period", "month", "ytd", "old_month",
                                         "old_ytd", "sheet", "month_cell", "ytd_cell", "action", "state", "replaced_by")]
    render(Table(cols, figures), fmt if fmt in ("csv", "md") else "table", stream)


def _fmt(v) -> str:
    if v is None:
        return ""
    return f"{v:,.2f}" if float(v) != int(v) else f"{int(v):,}"
