"""Printing tables for people and for scripts.

A `Table` is columns plus rows of plain values. It is printed as:
- a Rich table when stdout is a terminal (CJK-aligned, coloured where a column says so);
- plain, complete, space-aligned text when it is not (nothing is ever truncated);
- `csv` (UTF-8 with BOM, so that Excel opens it right), `json` or `md` on request.
CSV and JSON use the columns' English keys; people see the localised headers.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from shiwan.base.safetext import shown, spreadsheet_text
from shiwan.base.table import Table

FORMATS = ("table", "csv", "json", "md")


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def render(table: Table, fmt: str = "table", stream: TextIO | None = None, *, terminal: bool | None = None,
           width: int | None = None) -> None:
    """Write `table` to `stream` (stdout) in `fmt`. Data formats keep the text as stored, except on
    a terminal, where control characters are shown escaped like everywhere else."""
    stream = stream or sys.stdout
    if fmt in ("csv", "json"):
        text = to_csv(table) if fmt == "csv" else to_json(data_rows(table)) + "\n"
        stream.write(shown(text, keep_newlines=True) if is_terminal(stream) else text)
    elif fmt == "md":
        stream.write(to_markdown(table))
    else:
        if terminal is None:
            terminal = is_terminal(stream)
        if terminal:
            rich_table(table, stream, width=width)
        else:
            stream.write(to_text(table))


def data_keys(table: Table) -> list[str]:
    """The keys scripts get: every row key not starting with '_' (those are for display only)."""
    keys: list[str] = []
    for row in table.rows:
        for k in row:
            if not k.startswith("_") and k not in keys:
                keys.append(k)
    if not keys:
        keys = [c.key for c in table.columns if not c.key.startswith("_")]
    return keys


def data_rows(table: Table) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in table.rows]


def to_csv(table: Table, *, bom: bool = True) -> str:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    keys = data_keys(table)
    w.writerow(keys)
    for row in table.rows:
        w.writerow(["" if row.get(k) is None else spreadsheet_text(_plain(row.get(k))) for k in keys])
    return buf.getvalue()


def _plain(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, float):
        return round(v, 6)
    return v


def to_json(rows: Sequence[dict[str, Any]] | dict[str, Any]) -> str:
    """`json.dumps(rows, ensure_ascii=False, indent=2, default=str)`, byte for byte. With an indent,
    json encodes in pure Python, token by token (a quarter of an identical re-import's own CPU for its
    1,716 rows); rows of plain values are written here in larger pieces, anything else by json."""
    try:
        out: list[str] = []
        _encode(rows, "\n", out)
        return "".join(out)
    except _NotPlain:
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str)


class _NotPlain(Exception):
    pass


_SCALARS: dict[type, Any] = {
    str: json.encoder.encode_basestring,  # the C encoder json itself uses with ensure_ascii=False
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def _encode(value: Any, nl: str, out: list[str]) -> None:
    """Append `value` as json.dumps(indent=2) writes it; `nl` is a newline and the current indent."""
    kind = type(value)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        out.append(scalar(value))
    elif kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotPlain
        out.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner, sep, text = nl + "  ", "{", json.encoder.encode_basestring
        for k, v in value.items():
            if type(k) is not str:
                raise _NotPlain
            scalar = _SCALARS.get(type(v))
            if scalar is not None:  # most values: one piece, no call deeper
                out.append(f"{sep}{inner}{text(k)}: {scalar(v)}")
            else:
                out.append(f"{sep}{inner}{text(k)}: ")
                _encode(v, inner, out)
            sep = ","
        out.append(nl + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner, sep = nl + "  ", "["
        for v in value:
            out.append(sep + inner)
            _encode(v, inner, out)
            sep = ","
        out.append(nl + "]")
    else:
        raise _NotPlain


def to_markdown(table: Table) -> str:
    out = io.StringIO()
    if table.title:
        out.write(f"**{shown(table.title)}**\n\n")
    out.write("| " + " | ".join(c.header for c in table.columns) + " |\n")
    out.write("|" + "|".join("---:" if c.align == "right" else "---" for c in table.columns) + "|\n")
    for row in table.rows:
        cells = [table.shown(c, row).replace("|", "\\|") for c in table.columns]
        out.write("| " + " | ".join(cells) + " |\n")
    if table.caption:
        out.write(f"\n{shown(table.caption)}\n")
    return out.getvalue()


def to_text(table: Table) -> str:
    """Space-aligned text with East Asian wide characters counted as two columns."""
    from rich.cells import cell_len

    grid = [[c.header for c in table.columns]]
    grid += [[table.shown(c, row) for c in table.columns] for row in table.rows]
    widths = [max(cell_len(r[i]) for r in grid) for i in range(len(table.columns))]
    lines = []
    if table.title:
        lines.append(shown(table.title))
    for n, r in enumerate(grid):
        cells = []
        for i, (text, col) in enumerate(zip(r, table.columns, strict=True)):
            pad = " " * (widths[i] - cell_len(text))
            cells.append(pad + text if (col.align == "right" and n > 0) else text + pad)
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if table.caption:
        lines.append(shown(table.caption))
    return "\n".join(lines) + "\n"


def rich_table(table: Table, stream: TextIO, *, width: int | None = None) -> None:
    """A Rich table that never breaks a value: too wide for the terminal, it is split into several
    tables, each repeating the first column (see `render.terminal`)."""
    from shiwan.render.terminal import TermColumn, TermTable, print_table

    cells, styles = [], []
    for row in table.rows:
        cells.append([table.shown(c, row) for c in table.columns])
        styles.append([c.style(row.get(c.key)) if c.style else None for c in table.columns])
    print_table(TermTable([TermColumn(c.header, right=c.align == "right") for c in table.columns], cells, styles,
                          list(table.row_styles), title=shown(table.title), caption=shown(table.caption)), stream,
               width=width)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
