"""Importing returns: what an import promises (DESIGN §5).

- **All or nothing per file**: each file is checked completely (cells, 合计 rows, rules, months
  before and after, locks) and then written in one transaction, or not at all. Every error in a
  file is reported at once, each with its sheet and cell. Other files of the batch still go in.
- **Nothing lost or doubled**: a file whose figures are all stored already is `unchanged` and
  writes nothing; a file that changes figures of a unit and period already stored is a revision:
  the old values move to `figure_history`, the new ones apply.
- **Every figure knows where it came from**: the import (file name, SHA-256, size, OS user, time),
  the sheet and the cell.
- **No file takes the batch down**: files are read in worker processes (`sandbox.py`).

Files are applied in a stable order known before any is read: by the period their folder or file
name gives, then by path. A file whose 报出日期 is older than that of the version already stored (or
applied earlier in the batch) is refused rather than applied over it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import glob
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiwan.base.errors import UserError
from shiwan.ref.catalog import Catalog
from shiwan.ref.units import UnitTree
from shiwan.store import known
from shiwan.store.db import Database
from shiwan.store.results import FileResult

if TYPE_CHECKING:
    from shiwan.read.sandbox import Parsed
    from shiwan.recognize import Context, Options
    from shiwan.store.importer import Importer
    from shiwan.store.targets import TargetsResult

__all__ = ["BatchStopped", "FileList", "FileResult", "ImportOptions", "Options", "SKIP_EXTENSION", "SKIP_HIDDEN",
           "SKIP_LOCK_FILE", "apply_order_key", "collect_files", "import_files", "import_targets", "skipped_json"]

# Reading a file needs the recognisers, the checks, the importer and the worker pool (a fifth of a
# second of imports); a batch whose files are all known unchanged needs none of them. They are
# imported when first named here (`shiwan.imports.ParsePool` too, which tests replace).
_LAZY = {"Options": "shiwan.recognize", "Context": "shiwan.recognize", "Importer": "shiwan.store.importer",
         "ParsePool": "shiwan.read.sandbox", "Parsed": "shiwan.read.sandbox"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


@dataclass(frozen=True)
class ImportOptions:
    """What the clerk said on the command line (the reading's `Options` without the recognisers)."""

    unit: str | None = None
    period: str | None = None
    measure: str | None = None
    mapping: Any = None


def _reading_options(opts: Any) -> Options:
    """The recogniser's options for `opts` (given as `Options` or `ImportOptions`)."""
    options = __getattr__("Options")
    if isinstance(opts, options):
        return opts
    return options(unit=opts.unit, period=opts.period, measure=opts.measure, mapping=opts.mapping)


def _pool(ctx: Any, workers: int | None):
    """A worker pool reading and recognising returns (started only when a file must be read)."""
    from shiwan.check.returns import recognize_and_check

    pool = globals().get("ParsePool") or __getattr__("ParsePool")
    return pool(ctx, recognize_and_check, workers=workers)


def _workers_failed(exc: BaseException) -> bool:
    sandbox = sys.modules.get("shiwan.read.sandbox")  # never imported: no worker ran, none failed
    return sandbox is not None and isinstance(exc, sandbox.WorkersFailed)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".htm", ".html", ".et"}


# -- which files ---------------------------------------------------------------------------------


SKIP_EXTENSION, SKIP_LOCK_FILE, SKIP_HIDDEN = "extension", "lock_file", "hidden"


@dataclass
class FileList:
    files: list[Path]
    missing: list[str]
    skipped: list[tuple[Path, str]]  # (file or folder passed over, why: extension | lock_file | hidden)


def collect_files(args: Iterable[str]) -> FileList:
    """Files named, every spreadsheet in folders named (recursively), and glob patterns; in a stable
    order, each file once. Passed over, and listed with the reason: files of a folder whose extension
    is not a spreadsheet's, Excel's `~$` lock files, and hidden files and folders (a hidden folder
    once, not what is inside it)."""
    files: list[Path] = []
    reals: list[str | None] = []  # the real path where the walk knows it (no symbolic link on the way)
    missing: list[str] = []
    skipped: list[tuple[Path, str]] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            _walk(p, files, reals, skipped)
        elif p.is_file():
            files.append(p)
            reals.append(None)
        elif any(ch in arg for ch in "*?["):
            matched = sorted(Path(m) for m in glob.glob(arg, recursive=True) if Path(m).is_file())
            for m in matched:
                why = _passed_over(m.name, m.suffix, glob_match=True)
                if why:
                    skipped.append((m, why))
                else:
                    files.append(m)
                    reals.append(None)
            if not matched:
                missing.append(arg)
        else:
            missing.append(arg)
    seen: set[str] = set()
    unique = []
    for f, real in zip(files, reals, strict=True):
        key = real or os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return FileList(unique, missing, skipped)


def _walk(folder: Path, files: list[Path], reals: list[str | None], skipped: list[tuple[Path, str]]) -> None:
    """Every entry under `folder` in the order of their paths (as `sorted(folder.rglob("*"))` gives
    them), not inside hidden folders nor through symbolic links to folders; one scandir per folder."""
    entries: list[tuple[tuple[str, ...], os.DirEntry, str]] = []
    _scan(str(folder), (), os.path.realpath(folder), entries)
    entries.sort(key=lambda e: e[0])
    for rel, entry, real_dir in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        f = folder.joinpath(*rel)
        if is_dir:
            if entry.name.startswith("."):
                skipped.append((f, SKIP_HIDDEN))
            continue
        try:
            if not entry.is_file():
                continue
            linked = entry.is_symlink()
        except OSError:
            continue
        why = _passed_over(entry.name, os.path.splitext(entry.name)[1])
        if why:
            skipped.append((f, why))
        else:
            files.append(f)
            reals.append(None if linked else os.path.join(real_dir, entry.name))


def _scan(path: str, rel: tuple[str, ...], real: str, out: list) -> None:
    try:
        with os.scandir(path) as it:
            found = list(it)
    except OSError:
        return
    for entry in found:
        out.append(((*rel, entry.name), entry, real))
        try:
            descend = entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".")
        except OSError:
            descend = False
        if descend:  # a hidden folder is listed itself, not what is inside it
            _scan(entry.path, (*rel, entry.name), os.path.join(real, entry.name), out)


def _passed_over(name: str, suffix: str, *, glob_match: bool = False) -> str | None:
    if name.startswith("~$"):
        return SKIP_LOCK_FILE
    if name.startswith("."):
        return SKIP_HIDDEN
    if not glob_match and suffix.lower() not in SPREADSHEET_SUFFIXES:
        return SKIP_EXTENSION
    return None


def skipped_json(path: Path, why: str) -> dict:
    """A file passed over, in the rows of `import --json`: the keys of every file's row, status
    `skipped`, and why (`reason`: extension | lock_file | hidden, and `message` in words)."""
    from shiwan.base.i18n import t

    row = FileResult(file=str(path)).to_json()
    row.update({"status": "skipped", "reason": why, "message": t(f"skip.{why}")})
    return row


# -- the batch -----------------------------------------------------------------------------------


ProgressFn = Callable[[str, int, int, str], None]  # (phase, done, total, file)


class BatchStopped(Exception):
    """A batch that could not go on (a full disk, a lost server): one result per file, those not
    reached or in progress as `not_imported`, and what stopped it (`cause`)."""

    def __init__(self, results: list[FileResult], cause: BaseException):
        super().__init__(str(cause))
        self.results = results
        self.cause = cause


def import_files(db: Database, files: list[Path], opts: Options | ImportOptions, *, dry_run: bool = False,
                 progress: ProgressFn | None = None, workers: int | None = None) -> list[FileResult]:
    """Read, check and store every file; returns one result per file, in the order given.

    Files are applied in a stable order known before any is read: by the period their folder or
    file name gives (`2003-06/…`, `…2003年6月.xls`), then by path. Workers read ahead while the main
    process checks and writes, one transaction per file. A file known by its SHA-256 to be exactly
    what an import still standing read (`store/known.py`) is unchanged without being read again;
    when every file is, no worker starts and nothing that reads a file is even imported."""
    if not files:
        return []
    batch = _Batch(db, files, opts, dry_run=dry_run, progress=progress)
    db.batch_mode(True)
    db.group_commits(not dry_run)
    try:
        jobs = [batch.job(pos) for pos in batch.to_parse]
        batch.apply_ready()
        if jobs:
            with _pool(batch.ctx, workers) as pool:
                for j, res in pool.run(jobs, on_idle=batch.settle):
                    batch.waiting[batch.to_parse[j]] = res
                    batch.apply_ready()
        batch.settle()
    except Exception as exc:
        batch.settle_or_forget()
        if _workers_failed(exc):
            raise UserError("read.workers_failed", detail=str(exc)) from None
        # the file in progress was rolled back; those before it are in
        raise BatchStopped([r or _not_imported(files[i]) for i, r in enumerate(batch.results)], exc) from exc
    finally:
        _quietly(db.group_commits, False)
        _quietly(db.batch_mode, False)
    return [r for r in batch.results if r is not None]


class _Batch:
    """The files of one import in the order they are applied, and what is known of them before any is read."""

    def __init__(self, db: Database, files: list[Path], opts: Options | ImportOptions, *, dry_run: bool,
                 progress: ProgressFn | None):
        self.db, self.files, self.progress, self.dry_run = db, files, progress, dry_run
        self.units = UnitTree.from_db(db)
        self.hints = [_path_hint(f) for f in files]
        self.order = sorted(range(len(files)), key=lambda i: _order_key(files[i], self.hints[i]))
        self.results: list[FileResult | None] = [None] * len(files)
        self.waiting: dict[int, Parsed] = {}
        self.applied = 0
        self.wrote = False  # figures written by this batch since `known` was found
        self.opts = opts
        self.world = None if dry_run or opts.mapping is not None else known.world_stamp(db)
        self.hashes: dict[int, tuple[str, int]] = {}
        self.known: dict[int, known.Known] = {}
        if self.world is not None and known.has_readings(db):
            self._find_known()
        self.to_parse = [pos for pos in range(len(files)) if pos not in self.known]
        self.commits_seen, self.uncommitted = db.commits, []

    @functools.cached_property
    def catalog(self) -> Catalog:
        return Catalog.from_db(self.db)

    @functools.cached_property
    def ctx(self) -> Context:
        return __getattr__("Context")(self.catalog, self.units)

    @functools.cached_property
    def importer(self) -> Importer:
        return __getattr__("Importer")(self.db, self.catalog, self.units, dry_run=self.dry_run)

    @functools.cached_property
    def reading_options(self) -> Options:
        return _reading_options(self.opts)

    def job(self, pos: int) -> tuple[str, Options]:
        """(path, options) of the file applied at `pos`, for a worker to read."""
        i = self.order[pos]
        return (str(self.files[i]), dataclasses.replace(self.reading_options, file_name=self.files[i].name,
                                                        path_hint=self.hints[i]))

    def _find_known(self) -> None:
        keys = {}
        for pos, i in enumerate(self.order):
            hashed = known.file_hash(self.files[i])
            key = known.read_key(self.world, hashed[0], self.files[i], self.opts) if hashed else None
            if key:
                self.hashes[pos] = hashed
                keys[pos] = key
        self.known = known.find_known(self.db, keys)

    def apply_ready(self) -> None:
        """Apply every file whose turn has come and whose reading is in (or known), strictly in order."""
        while self.applied < len(self.files):
            pos, i = self.applied, self.order[self.applied]
            if pos in self.known:
                res = self._apply_known(pos, str(self.files[i]))
            elif pos in self.waiting:
                res = self._apply(pos, str(self.files[i]), self.waiting.pop(pos))
            else:
                return
            self.results[i] = res
            self._track(i, res)
            self.applied += 1
            if self.progress:
                self.progress("write", self.applied, len(self.files), self.files[i].name)

    def _track(self, i: int, res: FileResult) -> None:
        """Which applied files wait for their group's commit (`Database.group_commits`)."""
        if self.db.commits != self.commits_seen:  # committed with this file's own savepoint
            self.commits_seen, self.uncommitted = self.db.commits, []
        elif self.db.grouped and res.status in ("imported", "revised"):
            self.uncommitted.append(i)

    def settle(self) -> None:
        """Commit the files applied so far."""
        self.db.commit_group()
        self.commits_seen, self.uncommitted = self.db.commits, []

    def settle_or_forget(self) -> None:
        """After an error: commit the files applied before it. Those no commit kept (it failed, now
        or when the error struck) are not imported after all."""
        before = self.db.commits
        with contextlib.suppress(Exception):
            self.db.commit_group()
        if self.db.commits == before:
            for i in self.uncommitted:
                self.results[i] = None
        self.commits_seen, self.uncommitted = self.db.commits, []

    def _apply(self, pos: int, path: str, parsed: Parsed | None) -> FileResult:
        key = None
        if self.world is not None and parsed is not None and parsed.sha256:
            key = known.read_key(self.world, parsed.sha256, Path(path), self.opts)
        res = self.importer.apply(path, parsed, read_key=key)
        self.wrote = self.wrote or res.status in ("imported", "revised")
        return res

    def _apply_known(self, pos: int, path: str) -> FileResult:
        k = self.known[pos]
        if not self.wrote or known.still_stands(self.db, k):
            return known.known_result(path, k, self.units, *self.hashes[pos])
        self.settle()
        with _pool(self.ctx, 1) as pool:  # no longer certain: read it after all
            parsed = next(pool.run([self.job(pos)]))[1]
        return self._apply(pos, path, parsed)


def _not_imported(path: Path) -> FileResult:
    from shiwan.base.problems import error

    res = FileResult(file=str(path), status="not_imported")
    res.problems.append(error("import.stopped"))
    return res


def _quietly(fn, *args) -> None:
    """Run a clean-up step (the last checkpoint) that must not hide the error that made it
    necessary, nor fail a batch whose files are all in."""
    with contextlib.suppress(Exception):
        fn(*args)


def apply_order_key(path: Path) -> tuple[str, str]:
    """(the period the path names, or '' when it names none; the path)."""
    return _order_key(path, _path_hint(path))


def _order_key(path: Path, path_hint: str) -> tuple[str, str]:
    from shiwan.ref.text import find_period

    hint = find_period(path_hint, compact=True)
    return (hint.period if hint else "", str(path))


def _path_hint(f: Path) -> str:
    """The file's name and its two parent folders (`鹤岗市/2003-06/向阳区.xlsx`)."""
    full = os.path.abspath(f)
    names = full.split("/")
    if os.sep != "/" or len(names) < 4 or full.startswith("//"):  # near the root: as Path counts parts
        return "/".join(Path(full).parts[-3:])
    return "/".join(names[-3:])


def import_targets(db: Database, path: Path, *, unit: str | None = None, year: int | None = None,
                   campaign_total: bool = False, campaign: str | None = None, dry_run: bool = False) -> TargetsResult:
    """Read an allocation sheet (in a worker process, like any return) and store its targets, all or nothing."""
    from shiwan.base.problems import error
    from shiwan.read.sandbox import ParsePool
    from shiwan.recognize import Context
    from shiwan.recognize.targets import AllocationOptions, recognize_allocation_book
    from shiwan.store.targets import TargetsResult, campaign_of, store_allocation

    camp = campaign_of(db, campaign)
    res = TargetsResult(file=str(path), status="rejected")
    ctx = Context(Catalog.from_db(db), UnitTree.from_db(db))
    opts = AllocationOptions(unit=unit, year=year, campaign_total=campaign_total, file_name=path.name)
    # read the file in a worker: a hostile workbook costs a refusal, not the process
    with ParsePool(ctx, recognize_allocation_book, workers=1) as pool:
        parsed = next(pool.run([(str(path), opts)]))[1]
    if parsed.refusal:
        res.problems.append(error(parsed.refusal, **(parsed.params or {})))
        return res
    return store_allocation(db, camp, parsed.parsed, res, file_name=path.name, dry_run=dry_run)
