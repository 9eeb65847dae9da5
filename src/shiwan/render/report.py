"""Writing a `Report` in every format: terminal table, csv, json, md, xlsx.

The same rows feed every format, so the figures agree by construction: people see formatted text
(`51.2%`, `落后5.0`), scripts get the raw values under English keys. JSON is a list of row objects;
CSV has one row per unit × indicator with the same keys as header (UTF-8 with BOM for Excel).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, TextIO

from shiwan.base.safetext import shown, spreadsheet_text
from shiwan.base.table import Column, Table
from shiwan.render.cells import cell_style, cell_text
from shiwan.render.files import atomic_file, safe_name
from shiwan.render.output import is_terminal, rich_table, to_json, to_markdown, to_text
from shiwan.tally.report import ROW_OWN, ROW_TOTAL, Report, Section


def section_table(sec: Section) -> Table:
    cols = []
    for c in sec.columns:
        cols.append(Column(c.key, c.header, align="left" if c.kind == "text" else "right",
                           fmt=(lambda v, c=c: cell_text(c, v))))
    table = Table(cols, sec.rows, title=sec.title)
    table.row_styles = ["bold" if r.get("row_type") == ROW_TOTAL else "italic" if r.get("row_type") == ROW_OWN else None
                        for r in sec.rows]
    return table


def _styled_table(sec: Section, stream: TextIO, width: int | None) -> None:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as RichTable

    console = Console(file=stream, width=width, highlight=False)
    rt = RichTable(title=escape(shown(sec.title)), box=box.SIMPLE_HEAVY, header_style="bold", title_style="bold")
    for c in sec.columns:
        rt.add_column(c.header, justify="left" if c.kind == "text" else "right", overflow="fold")  # wrap, never crop
    for r in sec.rows:
        cells = []
        for c in sec.columns:
            text = escape(shown(cell_text(c, r.get(c.key))))
            style = cell_style(c, r)
            cells.append(f"[{style}]{text}[/]" if style and text else text)
        rs = "bold" if r.get("row_type") == ROW_TOTAL else None
        rt.add_row(*cells, style=rs)
    console.print(rt)


def write_report(report: Report, fmt: str, output: Path | None = None, *, stream: TextIO | None = None,
                 terminal: bool | None = None, width: int | None = None) -> Path | None:
    """Write `report` as `fmt` to `output` (a file) or `stream` (stdout); returns the file written."""
    if fmt == "xlsx":
        from shiwan.render.xlsx import write_xlsx

        if output is None:
            output = Path(safe_name(f"{report.kind}-{report.scope_code}-{report.period}") + ".xlsx")
        write_xlsx(report, output)
        return output
    if output is not None:
        with atomic_file(output) as fh:
            _write_text(report, fmt, fh, terminal=False, width=width)
        return output
    _write_text(report, fmt, stream or sys.stdout, terminal=terminal, width=width)
    return None


def _write_text(report: Report, fmt: str, stream: TextIO, *, terminal: bool | None, width: int | None) -> None:
    """Every format but xlsx; in those for people, the report's own lines escaped like its cells."""
    title, period_line, unit_line = shown(report.title), shown(report.period_line), shown(report.unit_line)
    notes = [shown(n) for n in report.notes]
    if fmt in ("json", "csv"):
        text = to_json(json_rows(report)) + "\n" if fmt == "json" else to_csv(report)
        stream.write(shown(text, keep_newlines=True) if is_terminal(stream) else text)
    elif fmt == "md":
        stream.write(f"# {title}\n\n{period_line}  \n{unit_line}\n\n")
        for sec in report.sections:
            stream.write(to_markdown(section_table(sec)) + "\n")
        for n in notes:
            stream.write(f"{n}\n")
    else:
        if terminal is None:
            terminal = is_terminal(stream)
        head = [title, period_line, unit_line]
        if terminal:
            from rich.console import Console
            from rich.markup import escape

            con = Console(file=stream, width=width, highlight=False)
            con.print(f"[bold]{escape(title)}[/]")
            con.print(escape(f"{period_line}    {unit_line}"))
            for sec in report.sections:
                _styled_table(sec, stream, width)
            for n in notes:
                con.print(f"[dim]{escape(n)}[/]")
        else:
            stream.write("\n".join(h for h in head if h) + "\n\n")
            for sec in report.sections:
                stream.write(to_text(section_table(sec)) + "\n")
            for n in notes:
                stream.write(n + "\n")


def json_rows(report: Report) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in report.rows()]


def to_csv(report: Report) -> str:
    keys = [k for k in report.json_keys()]
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(keys)
    for r in report.rows():
        w.writerow(["" if r.get(k) is None else spreadsheet_text(r.get(k)) for k in keys])
    return buf.getvalue()


def render_plain(report: Report) -> str:
    """The report as plain text (what a pipe or a file gets)."""
    buf = io.StringIO()
    _write_text(report, "table", buf, terminal=False, width=None)
    return buf.getvalue()


__all__ = ["write_report", "json_rows", "to_csv", "render_plain", "cell_text", "rich_table"]
