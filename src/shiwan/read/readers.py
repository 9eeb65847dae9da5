"""Reading a spreadsheet file into plain grids of cell values.

Formats are recognised by their content, not their extension (a “.xls” exported by a web system is
often an HTML table; a renamed .xlsx is still an .xlsx):

- .xlsx/.xlsm/.xlsb, .xls and .ods through python-calamine;
- .csv and .txt: UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode text”) or GB18030/GBK;
- HTML tables, with colspan/rowspan as merged cells and the text around the table as title and
  footer lines.

Everything here runs inside a worker process (see `sandbox.py`): a hostile file may make the native
reader allocate gigabytes or panic, and that must cost one refusal, not the batch.
Every refusal is a `ReadError` with a message key from `messages.py`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiwan.read.errorcells import mark_ods_errors, mark_xls_errors, mark_xlsx_errors

MAX_FILE_BYTES = 50 * 1024 * 1024  # a monthly return is a few tens of KB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 20_000  # a national summary of every county-level unit still fits
MAX_COLS = 500


class ReadError(Exception):
    """A file that cannot be read as a spreadsheet; `key` names the message."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class Sheet:
    """One sheet: `rows[r][c]` is the value at 0-based row r, column c (None when empty)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2) inclusive
    hidden: bool = False
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)

    def cell(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Book:
    format: str  # xlsx | xlsm | xlsb | xls | ods | csv | html | json
    sheets: list[Sheet]
    document: Any = None  # a JSON file's content (lists, dicts, strings, numbers); its `sheets` are empty


def cell_name(r: int, c: int) -> str:
    """0-based (row, column) to `A1` notation."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def parse_cell_name(name: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", name)
    if not m:
        raise ValueError(name)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# -- format detection ---------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str:
    """The format of a file's bytes: zip (xlsx, xlsb, ods, numbers), ole (xls), html, text, another
    spreadsheet format we do not read (`other:<name>`), or unknown."""
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if data[:8] == OLE_MAGIC:
        return "ole"
    if data[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and len(data) > 8 and data[2:4] in (b"\x04\x00", b"\x06\x00"):
        return "other:Excel 2.x–4.0 (.xls)"
    if data[:2] == b"\x1f\x8b":
        return "other:gzip (Gnumeric?)"
    head = data[:4096]
    if head.startswith(b"\xff\xfe\x00\x00") or head.startswith(b"\x00\x00\xfe\xff"):
        return "text"  # UTF-32 with BOM
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return "text"
    if _looks_utf16(head):
        return "text"
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lower = head.lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in lower or b'progid="excel.sheet"' in lower:
        return "other:Excel 2003 XML"
    if stripped.startswith(b"<") and (b"<table" in lower or b"<html" in lower or b"<!doctype html" in lower):
        return "html"
    if b"\x00" in head:
        return "unknown"
    if stripped.startswith(b"ID;P") or stripped.startswith(b"ID;"):
        return "other:SYLK (.slk)"
    if stripped.startswith(b"TABLE\r\n0,1") or stripped.startswith(b"TABLE\n0,1"):
        return "other:DIF (.dif)"
    if stripped.startswith(b"<"):
        if b"<table" in data[:1_000_000].lower():
            return "html"
        return "unknown"
    if stripped.startswith(b"{\\rtf") or stripped.startswith(b"%PDF"):
        return "unknown"
    return "text"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 text without a byte-order mark: every other byte is NUL."""
    if len(head) < 16:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even)) or \
        (even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd))


def load_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what cannot be a monthly return before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError("read.cannot_open", reason=exc.strerror or str(exc)) from None
    if path.is_dir():
        raise ReadError("read.cannot_open", reason="directory")
    if size == 0:
        raise ReadError("read.empty_file")
    if size > MAX_FILE_BYTES:
        raise ReadError("read.too_big", size=f"{size / 1024 / 1024:.0f} MB", limit=f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError("read.cannot_open", reason=exc.strerror or str(exc)) from None


def read_book(path: Path) -> Book:
    """Read every sheet of the file at `path`. Raises ReadError."""
    return read_book_data(load_bytes(path), path.stem or "csv", path)


def read_book_data(data: bytes, name: str = "csv", path: Path | None = None) -> Book:
    """Read every sheet of a file's bytes, whatever the format. Raises ReadError."""
    kind = sniff(data)
    if kind == "zip":
        return _read_zip(data, path)
    if kind == "ole":
        return _read_ole(data, path)
    if kind.startswith("other:"):
        raise ReadError("read.convert", format=kind.split(":", 1)[1])
    if kind == "html":
        return Book("html", read_html(_decode(data)))
    if kind == "text":
        text = _decode(data)
        document = read_json(text)
        if document is not None:
            return Book("json", [], document)
        if not any(d in text for d in (",", "\t", ";", "，")):
            raise ReadError("read.not_spreadsheet")  # a letter or a note: a table has columns
        return Book("csv", [read_csv_text(text, name)])
    raise ReadError("read.not_spreadsheet")


def _read_zip(data: bytes, path: Path | None) -> Book:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise ReadError("read.truncated") from None
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ReadError("read.bomb")
    lower = {n.lower() for n in names}
    if "xl/workbook.xml" in lower:
        fmt = "xlsm" if any(n.endswith("vbaproject.bin") for n in lower) else "xlsx"
    elif "xl/workbook.bin" in lower:
        fmt = "xlsb"
    elif "content.xml" in lower or "mimetype" in lower:
        try:
            mime = zf.read("mimetype")[:100] if "mimetype" in names else b""
        except Exception:
            mime = b""
        if mime and b"spreadsheet" not in mime:
            raise ReadError("read.not_spreadsheet")
        fmt = "ods"
    elif "word/document.xml" in lower:
        raise ReadError("read.word_document")
    elif any(n.endswith("workbook.xml") for n in lower) and "[content_types].xml" in lower:
        fmt = "xlsx"  # a package that keeps its workbook somewhere other than xl/
    elif any(n.startswith("index/") and n.endswith(".iwa") for n in lower):
        raise ReadError("read.convert", format="Apple Numbers")
    else:
        raise ReadError("read.not_spreadsheet")
    book = _calamine(data, fmt, path)
    if fmt in ("xlsx", "xlsm"):
        _mark_formulas_without_value(zf, book)
    elif fmt == "ods":
        mark_ods_errors(zf, book)
    return book


def _read_ole(data: bytes, path: Path | None) -> Book:
    if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data[:1_000_000] or \
            b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data[:1_000_000]:
        raise ReadError("read.password")
    if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
        raise ReadError("read.word_document")
    book = _calamine(data, "xls", path)
    mark_xls_errors(data, book)
    return book


def _calamine(data: bytes, fmt: str, path: Path | None) -> Book:
    """Read with python-calamine, telling it the format: given a file-like object it guesses by trial
    and reports a password-protected or damaged file as of unknown format."""
    try:
        if path is not None and path.suffix == "." + fmt:
            return _calamine_path(path, fmt)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="shiwan-") as tmp:
            named = Path(tmp) / f"return.{fmt}"
            named.write_bytes(data)
            return _calamine_path(named, fmt)
    except ReadError as exc:
        if fmt == "xls" and exc.key != "read.password" and _FILEPASS.search(data[:262144]):
            raise ReadError("read.password") from None  # XOR-obfuscated workbooks fail in odd ways
        raise


# A BIFF8 FILEPASS record: XOR obfuscation (6 bytes) or RC4 / CryptoAPI encryption.
_FILEPASS = re.compile(rb"\x2f\x00(?:\x06\x00\x00\x00|.\x00\x01\x00[\x01\x02]\x00)", re.S)


def _calamine_path(path: Path, fmt: str) -> Book:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        metas = wb.sheets_metadata
        sheets = []
        for meta in metas:
            if str(meta.typ).endswith(("ChartSheet", "Vba")):
                continue
            sh = wb.get_sheet_by_name(meta.name)
            sheets.append(_sheet_from_calamine(sh, meta))
    except ReadError:
        raise
    except pc.PasswordError:
        raise ReadError("read.password") from None
    except pc.ZipError:
        raise ReadError("read.truncated") from None
    except Exception as exc:  # CalamineError, XmlError, and whatever the native reader raises
        msg = str(exc)
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise ReadError("read.password") from None
        if "Cannot detect file format" in msg:
            raise ReadError("read.not_spreadsheet") from None
        if "File is larger than its declared" in msg or "EOCD" in msg or "past end of file" in msg:
            raise ReadError("read.truncated") from None
        raise ReadError("read.corrupt", detail=_short(msg)) from None
    return Book(fmt, sheets)


def _short(msg: str) -> str:
    msg = " ".join(msg.split())
    return msg if len(msg) <= 160 else msg[:157] + "..."


def _sheet_from_calamine(sh, meta) -> Sheet:
    start, end = sh.start, sh.end
    hidden = not str(meta.visible).endswith("Visible")
    if start is None or end is None:
        return Sheet(meta.name, [], hidden=hidden)
    r0, c0 = start
    r1, c1 = end
    if r1 >= MAX_ROWS or c1 >= MAX_COLS:
        raise ReadError("read.too_many_cells", sheet=meta.name, rows=r1 + 1, cols=c1 + 1)
    data = sh.to_python(skip_empty_area=True)
    pad = [None] * c0
    rows: list[list[Any]] = [[] for _ in range(r0)]
    for raw in data:
        rows.append(pad + [None if v == "" else v for v in raw])
    merged = []
    for (a, b) in sh.merged_cell_ranges or []:
        merged.append((a[0], a[1], b[0], b[1]))
    return Sheet(meta.name, rows, merged=merged, hidden=hidden)


_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]+\d+)"')
_V_NONEMPTY = re.compile(rb"<(?:\w+:)?v>[^<]")
_IS_NONEMPTY = re.compile(rb"<(?:\w+:)?is>")


def _mark_formulas_without_value(zf: zipfile.ZipFile, book: Book) -> None:
    """Find formula cells saved without a value (files written by scripts and never opened in
    Excel/WPS): their figure is unknown, which must be an error and not a silent blank."""
    with_formulas = {}
    for n in zf.namelist():
        if n.startswith("xl/worksheets/") and n.endswith(".xml"):
            xml = zf.read(n)
            if b"<f" in xml or b":f>" in xml or b't="e"' in xml:
                with_formulas[n] = xml
    if not with_formulas:
        return  # no formulas at all: nothing to look for
    try:
        paths = _sheet_paths(zf)
    except Exception:
        return
    by_name = {s.name: s for s in book.sheets}
    for name, member in paths.items():
        sheet = by_name.get(name)
        xml = with_formulas.get(member)
        if sheet is None or xml is None:
            continue
        mark_xlsx_errors(sheet, xml)
        for m in _CELL_RE.finditer(xml):
            inner = m.group(2) or b""
            if b"<f" not in inner and b":f" not in inner:
                continue
            if _V_NONEMPTY.search(inner) or _IS_NONEMPTY.search(inner):
                continue
            ref = _R_ATTR.search(m.group(1))
            if ref:
                sheet.formulas_without_value.append(parse_cell_name(ref.group(1).decode()))


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    from defusedxml import ElementTree as ET

    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        targets[rel.get("Id")] = target
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                out[el.get("name")] = targets[rid]
    return out


# -- text formats -----------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if _looks_utf16(data[:4096]):
        le = data[1:4096:2].count(0) > data[0:4096:2].count(0)
        return data.decode("utf-16-le" if le else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ReadError("read.encoding") from None


def read_csv_text(text: str, name: str) -> Sheet:
    import csv

    sample = text[:8192]
    delim = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] > 0:
        delim = best
    rows = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows, Unix and old Mac line ends
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        for n, row in enumerate(reader):
            if n >= MAX_ROWS:
                raise ReadError("read.too_many_cells", sheet=name, rows=n + 1, cols=len(row))
            if len(row) > MAX_COLS:
                raise ReadError("read.too_many_cells", sheet=name, rows=n + 1, cols=len(row))
            rows.append([_csv_value(v) for v in row])
    except csv.Error:
        raise ReadError("read.csv_error", line=reader.line_num) from None
    return Sheet(name, rows)


def read_json(text: str) -> Any:
    """A JSON document (an exchange file: shiwan's export, a DHIS2 data value set), or None when the
    text is not JSON: a text starting with `{` that does not parse is refused, one starting with `[`
    may still be a CSV whose first field is bracketed."""
    import json

    head = text.lstrip()[:1]
    if head not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except RecursionError:
        raise ReadError("read.json_error", line=1, col=1) from None
    except json.JSONDecodeError as exc:
        if head == "[":
            return None
        raise ReadError("read.json_error", line=exc.lineno, col=exc.colno) from None


_EXCEL_TEXT = re.compile(r'^\s*="(.*)"\s*$', re.S)


def _csv_value(v: str) -> str | None:
    """A CSV field as a cell: empty is None; `="0123"`, which web systems write to make Excel keep a
    number as typed, is its text."""
    if v.strip() == "":
        return None
    m = _EXCEL_TEXT.match(v)
    return m.group(1) if m else v


def read_html(text: str) -> list[Sheet]:
    """Every <table> of an HTML page as a sheet; text before the first table (titles) and after the
    last (footer lines) becomes rows above and below it."""
    from shiwan.read.html import parse_tables

    tables, before, after = parse_tables(text)
    if not tables:
        raise ReadError("read.not_spreadsheet")
    sheets = []
    for n, (rows, merged) in enumerate(tables):
        top = [[line] for line in before] if n == 0 else []
        bottom = [[line] for line in after] if n == len(tables) - 1 else []
        shift = len(top)
        sheets.append(Sheet(f"Table{n + 1}", top + rows + bottom,
                            merged=[(a + shift, b, c + shift, d) for a, b, c, d in merged]))
    return sheets
