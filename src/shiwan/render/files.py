"""Writing output files so that nothing half-written is ever left behind.

Every file shiwan writes (reports, templates, target sheets, exports) goes to a temporary file in
the same folder, is flushed to disk, and only then renamed over the name asked for: a full disk or
an interrupt leaves the file that was there before (or none), never a truncated or empty one.
Workbooks are built in memory first, so that openpyxl's zip writer never meets a failing disk.

File names made from names in the database (a unit called `../../x`) go through `safe_name`, so
that they cannot steer a file out of its folder. Cells of a workbook that hold text from a file or a
name go through `put`: control characters escaped, formula-like text stored as text.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from shiwan.base.errors import UserError
from shiwan.base.safetext import is_formula_like, shown

_UNSAFE_IN_NAMES = '/\\:*?"<>|'


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_file(path: Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """An open file to write `path` through: renamed onto `path` when the block ends normally;
    removed, leaving `path` as it was, on any error. Disk full and the like become one message."""
    path = Path(path)
    tmp = _temporary(path)
    binary = "b" in mode
    try:
        with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_error(path: Path, exc: OSError) -> UserError:
    """The message for a file that could not be written."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UserError("output.disk_full", path=str(path))
    if exc.errno == errno.ENOENT:
        return UserError("output.no_folder", path=str(path.parent))
    return UserError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc))


def write_text(path: Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


def save_workbook(wb, path: Path) -> Path:
    """Save an openpyxl workbook to `path`, all or nothing."""
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_file(path, "wb") as fh:
        fh.write(buf.getvalue())
    return path


def put(ws, row: int, col: int, value: Any):
    """Set one cell of a worksheet to a value that may hold someone's text: characters XML cannot
    hold are escaped, and text that Excel would run as a formula (`=HYPERLINK(…)`) is stored as
    text, shown as typed. Returns the cell."""
    if isinstance(value, str):
        value = shown(value, keep_newlines=True)
    cell = ws.cell(row, col)
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited, too
    return cell


def safe_name(name: str, limit: int = 80) -> str:
    """A name from the database as one file-name component: no folder separators, no `..`, no
    control characters, no leading dot, not empty, not too long."""
    out = "".join("_" if ch in _UNSAFE_IN_NAMES or ord(ch) < 32 or ord(ch) == 127 else ch for ch in name)
    out = out.strip().lstrip(".").strip()
    out = out.replace("..", "_")
    return out[:limit] or "_"
