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

from shiwan.base.i18n import t
from shiwan.base.safetext import shown as safe
from shiwan.base.safetext import spreadsheet_text
from shiwan.base.table import Column, Table
from shiwan.render.cells import cell_style, cell_text, shown
from shiwan.render.files import atomic_file, safe_name
from shiwan.render.output import is_terminal, rich_table, to_json, to_markdown, to_text
from shiwan.render.terminal import TermColumn, TermTable, print_prose, print_table
from shiwan.tally.report import ROW_OWN, ROW_TOTAL, Report, Section


def section_table(sec: Section, *, screen: bool = True) -> Table:
    """A section as a table of display text (values with their marks); `screen=False` leaves out the
    columns drawn only on a screen (bars)."""
    cols = [c for c in sec.columns if screen or not c.screen_only]
    shown_rows = [{c.key: shown(c, r) for c in cols} for r in sec.rows]
    table = Table([Column(c.key, c.header, align="left" if c.kind == "text" else "right") for c in cols], shown_rows,
                  title=sec.title)
    table.row_styles = ["bold" if r.get("row_type") == ROW_TOTAL else "italic" if r.get("row_type") == ROW_OWN else None
                        for r in sec.rows]
    return table


def _terminal_table(sec: Section) -> TermTable:
    cells, styles = [], []
    for r in sec.rows:
        cells.append([shown(c, r) for c in sec.columns])
        styles.append([cell_style(c, r) for c in sec.columns])
    return TermTable([TermColumn(c.header, right=c.kind != "text") for c in sec.columns], cells, styles,
                     ["bold" if r.get("row_type") == ROW_TOTAL else None for r in sec.rows], title=sec.title)


def footnotes(report: Report) -> list[str]:
    """What the marks mean, then the report's notes."""
    return [f"{sign} {text}" for sign, text in report.marks] + list(report.notes)


STDOUT = Path("-")


def write_report(report: Report, fmt: str, output: Path | None = None, *, stream: TextIO | None = None,
                 terminal: bool | None = None, width: int | None = None) -> Path | None:
    """Write `report` as `fmt` (table, csv, json, md, xlsx, pdf) to `output` (a file; `-` is standard
    output) or `stream`; returns the file written. A workbook or PDF with no `output` goes to a file
    named after the report (`progress-230000-2003-06.xlsx`)."""
    if fmt in ("xlsx", "pdf"):
        return _write_book(report, fmt, output, stream)
    if output is not None and output != STDOUT:
        with atomic_file(output) as fh:  # a failed write leaves what was there
            _write_text(report, fmt, fh, terminal=False, width=width)
        return output
    _write_text(report, fmt, stream or sys.stdout, terminal=terminal, width=width)
    return None


def _write_book(report: Report, fmt: str, output: Path | None, stream) -> Path | None:
    import tempfile

    from shiwan.render.xlsx import write_xlsx

    if output is None:
        output = Path(safe_name(f"{report.kind}-{report.scope_code}-{report.period}") + f".{fmt}")
    with tempfile.TemporaryDirectory(prefix="shiwan-") as tmp:
        book = Path(tmp) / f"{report.kind}.xlsx"
        write_xlsx(report, book)
        made = book
        if fmt == "pdf":
            from shiwan.render.pdf import xlsx_to_pdf

            made = Path(tmp) / f"{report.kind}.pdf"
            xlsx_to_pdf(book, made)
        if output == STDOUT:
            out = getattr(stream or sys.stdout, "buffer", None) or sys.stdout.buffer
            out.write(made.read_bytes())
            out.flush()
            return None
        with atomic_file(output, "wb") as fh:  # whole, or the file that was there stays
            fh.write(made.read_bytes())
    return output


def _write_text(report: Report, fmt: str, stream: TextIO, *, terminal: bool | None, width: int | None) -> None:
    """Every format but xlsx and pdf. Text for people shows control characters escaped; csv and json
    keep the text as stored, except on a terminal."""
    if fmt in ("json", "csv"):
        text = to_json(json_rows(report)) + "\n" if fmt == "json" else to_csv(report)
        stream.write(safe(text, keep_newlines=True) if is_terminal(stream) else text)
    elif fmt == "md":
        stream.write(safe(f"# {report.title}\n\n{report.period_line}  \n{report.unit_line}\n\n", keep_newlines=True))
        for sec in report.sections:
            stream.write(to_markdown(section_table(sec, screen=False)) + "\n")
        for n in footnotes(report):
            stream.write(f"{safe(n)}  \n")
        if report.signed:
            stream.write(f"\n{t('report.signature')}\n")
    else:
        if terminal is None:
            terminal = is_terminal(stream)
        if terminal:
            _write_terminal(report, stream, width)
            return
        head = [safe(h) for h in (report.title, report.period_line, report.unit_line)]
        stream.write("\n".join(h for h in head if h) + "\n\n")
        for sec in report.sections:
            stream.write(to_text(section_table(sec)) + "\n")
        for n in footnotes(report):
            stream.write(safe(n) + "\n")
        if report.signed:
            stream.write("\n" + t("report.signature") + "\n")


def _write_terminal(report: Report, stream: TextIO, width: int | None) -> None:
    from rich.console import Console

    con = Console(file=stream, width=width, highlight=False)
    print_prose(con, report.title, bold=True)
    print_prose(con, f"{report.period_line}    {report.unit_line}")
    for sec in report.sections:
        print_table(_terminal_table(sec), stream, width=width)
    for n in footnotes(report):
        print_prose(con, n, dim=True)


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
