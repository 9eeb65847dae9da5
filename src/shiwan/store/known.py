"""Files known by what they read: an identical re-import answered without parsing the file.

Reading a file is deterministic given its bytes, its path (the period or unit a folder or file name
gives), the options given (--unit, --period, --measure), the units and the catalog the reading
matches names against, and the code that reads. After an import of a file is applied, `import_read`
keeps a key of all of these (`read_key`) and what the file's result shows that the import log does
not (the months of its sheets, what made the file, the problems its reading found).

A file whose key is that of an applied import is `unchanged`, without being parsed, only when that
outcome is certain: the import is still applied (not reverted), it left no figure of the file as it
stood (every figure of the file is one it wrote), and every figure it wrote still holds its value
(none replaced since by another file, nor removed; a revert of what replaced it puts its own values
back). Then reading the file again
would give the same figures, and comparing them with the stored ones would find them all equal.
In every other case (a DHIS2 mapping given, a dry run, any doubt) the file is parsed as before.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiwan.base.problems import Problem
from shiwan.ref.units import UnitTree
from shiwan.store.db import Database, in_clause
from shiwan.store.results import FileResult

MAX_HASHED = 256 * 1024 * 1024  # a larger file is not hashed ahead of its reading: it is simply parsed
_READ_WHOLE = 16 * 1024 * 1024
_WORLD_TABLES = ("unit", "indicator", "rule")
_CHUNK = 500


@functools.cache
def _code_stamp() -> str:
    """The code that reads, by the size and time of every module of shiwan, and the reader's version:
    a changed or upgraded program reads every file again."""
    import shiwan

    root = Path(shiwan.__file__).parent
    h = hashlib.sha256(shiwan.__version__.encode())
    versions = _reader_versions()
    for name in _READERS:
        h.update(f"{name}={versions.get(name, '')};".encode())
    for p in sorted(root.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


_READERS = ("python_calamine", "openpyxl", "xlrd", "odfpy")


def _reader_versions() -> dict[str, str]:
    """The installed version of each reader, by its `name-version.dist-info` (or `.egg-info`) folder on
    sys.path, where importlib.metadata finds it too (importing that costs more than all the rest of an
    identical re-import's lookups); the first found wins, as there."""
    import re
    import sys

    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for n in names:
            stem, dot, kind = n.rpartition(".")
            if kind not in ("dist-info", "egg-info") or not dot:
                continue
            name, _, ver = stem.partition("-")
            name = re.sub(r"[-_.]+", "_", name).lower()
            if name in _READERS and name not in found:
                found[name] = ver.partition("-")[0] or _metadata_version(os.path.join(entry or ".", n))
    return found


def _metadata_version(folder: str) -> str:
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, file), encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            continue
    return "?"


def world_stamp(db: Database) -> str:
    """The units, the catalog (indicators, rules, its version) and the code: what a reading matches against."""
    h = hashlib.sha256(_code_stamp().encode())
    for table in _WORLD_TABLES:
        for row in db.iter(f"SELECT * FROM {table} ORDER BY id"):
            h.update(repr(tuple(row)).encode())
    h.update(repr((db.meta("catalog_version"), db.meta("catalog_name"))).encode())
    return h.hexdigest()


def file_hash(path: Path) -> tuple[str, int] | None:
    """(SHA-256, size) of a file's bytes, or None when it cannot be read here (the reading will say
    why). A file of up to 16 MB is read whole: hashlib's chunked loop costs more than the hashing."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_HASHED:
                return None
            if size <= _READ_WHOLE:
                data = fh.read()
                return hashlib.sha256(data).hexdigest(), len(data)
            return hashlib.file_digest(fh, "sha256").hexdigest(), size
    except OSError:
        return None


def read_key(world: str, sha256: str | None, path: Path, opts: Any) -> str | None:
    """The key of one reading (None: a reading that is not kept, with a mapping or without a hash)."""
    if not sha256 or getattr(opts, "mapping", None) is not None:
        return None
    parts = [world, sha256, os.path.abspath(path), opts.unit, opts.period, opts.measure]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def has_readings(db: Database) -> bool:
    return db.one("SELECT 1 FROM import_read") is not None


def save_reading(db: Database, import_id: int, key: str, res: FileResult, problems: list[Problem]) -> None:
    """Inside the import's transaction: what its reading gave, for the file's next import."""
    summary = {"periods": res.periods, "source": res.source, "problems": [p.to_record() for p in problems],
               "form": res.form, "unit_id": res.unit_id, "period": res.period, "submitted_on": res.submitted_on}
    db.run("INSERT INTO import_read (import_id, read_key, summary) VALUES (:i, :k, :s)",
           {"i": import_id, "k": key, "s": json.dumps(summary, ensure_ascii=False)})


def keep_unchanged_reading(db: Database, key: str, res: FileResult, problems: list[Problem], plan: list) -> None:
    """A file read in full and found unchanged (after an upgrade, say: its old reading's key no longer
    matches): when every figure of it is one import's, and that import wrote nothing else and still
    stands, the reading is kept as that import's, for the next time."""
    ids = {c.old.import_id if c.old is not None else None for c in plan}
    if len(ids) != 1 or None in ids:
        return
    import_id = ids.pop()
    row = db.one("SELECT id, status, reverted_by_id, n_new, n_changed, n_unchanged FROM import_log WHERE id = :i",
                 {"i": import_id})
    if row is None or not _applied(("", *row)) or row[3] + row[4] != len(plan) or not _standing(db, [("", *row)]):
        return
    db.run("DELETE FROM import_read WHERE import_id = :i", {"i": import_id})
    save_reading(db, import_id, key, res, problems)


@dataclass
class Known:
    """An applied import of the same reading: what the file's unchanged result shows."""

    import_id: int
    figures: int
    form: str
    unit_id: int | None
    period: str
    submitted_on: str
    summary: dict


_KNOWN_SQL = (
    "SELECT r.read_key, l.id, l.status, l.reverted_by_id, l.n_new, l.n_changed, l.n_unchanged, l.form, l.unit_id, "
    "l.period, l.submitted_on, r.summary FROM import_read r JOIN import_log l ON l.id = r.import_id "
    "WHERE r.read_key IN {clause}"
)


def find_known(db: Database, keys: dict[int, str]) -> dict[int, Known]:
    """For each position whose key is known: the latest import of that key that still stands."""
    readings: list[tuple] = []
    wanted = sorted(set(keys.values()))
    for i in range(0, len(wanted), _CHUNK):
        clause, params = in_clause("k", wanted[i:i + _CHUNK])
        readings.extend(r for r in db.all(_KNOWN_SQL.format(clause=clause), params) if _applied(r))
    standing = _standing(db, readings)
    best: dict[str, tuple] = {}
    for row in readings:
        if row[1] in standing and (row[0] not in best or row[1] > best[row[0]][1]):
            best[row[0]] = row
    out = {}
    for pos, key in keys.items():
        row = best.get(key)
        if row is not None:
            out[pos] = Known(row[1], row[4] + row[5], row[7], row[8], row[9], row[10], json.loads(row[11]))
    return out


def _applied(row: tuple) -> bool:
    """Applied and not reverted, and every figure of the file one it wrote."""
    return row[2] in ("imported", "revised") and row[3] is None and row[6] == 0 and row[4] + row[5] > 0


def _standing(db: Database, rows: list[tuple]) -> set[int]:
    """The imports among `rows` whose figures all still hold the values they wrote."""
    want = {r[1]: r[4] + r[5] for r in rows}
    ids = sorted(want)
    have: dict[int, int] = {}
    for i in range(0, len(ids), _CHUNK):
        clause, params = in_clause("i", ids[i:i + _CHUNK])
        have.update(db.all(f"SELECT import_id, COUNT(*) FROM figure WHERE import_id IN {clause} GROUP BY import_id",
                           params))
    return {i for i, n in want.items() if have.get(i) == n}


def still_stands(db: Database, known: Known) -> bool:
    """Checked again at the file's turn, after the files before it in the batch were applied."""
    row = db.one("SELECT id, status, reverted_by_id, n_new, n_changed, n_unchanged FROM import_log WHERE id = :i",
                 {"i": known.import_id})
    if row is None or not _applied(("", *row)):
        return False
    return bool(_standing(db, [("", *row)]))


def known_result(path: str, known: Known, units: UnitTree, sha256: str, size: int) -> FileResult:
    """The result a full import of the file would give: unchanged, every figure as stored."""
    got = known.summary  # what this reading gave; the import's log where an older reading kept less
    res = FileResult(file=path, status="unchanged", form=got.get("form", known.form),
                     period=got.get("period", known.period), sha256=sha256, size=size,
                     submitted_on=got.get("submitted_on", known.submitted_on), unchanged=known.figures)
    unit_id = got.get("unit_id", known.unit_id)
    u = units.unit(unit_id) if unit_id is not None else None
    if u is not None:
        res.unit, res.unit_name, res.unit_id = u.code, u.name, u.id
    res.periods = list(known.summary.get("periods") or [])
    res.source = known.summary.get("source") or ""
    res.problems = [Problem.from_record(p) for p in known.summary.get("problems") or []]
    return res
