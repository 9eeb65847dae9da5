"""Parsing files in worker processes, so that no file can take the batch down.

Some corrupt .xls/.xlsb files make the native reader allocate gigabytes, loop, or panic, and a panic
or an allocation failure aborts the whole process where no `try` can catch it (see
shared/corpus/foreign/SOURCES.md). So files are read and recognised in worker processes with a
memory ceiling and a time limit: a worker that dies or overruns costs its one file a refusal, is
replaced, and the batch goes on. Two workers also read in parallel on a two-core machine while the
main process writes to the database.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from shiwan.layout import Context, Options, ParsedFile

DEFAULT_TIMEOUT = float(os.environ.get("SHIWAN_PARSE_TIMEOUT", "60"))
MEMORY_LIMIT = int(os.environ.get("SHIWAN_PARSE_MEMORY_MB", "2048")) * 1024 * 1024


@dataclass
class Parsed:
    """What a worker made of one file: its hash and size, and either a ParsedFile or a refusal."""

    path: str
    sha256: str = ""
    size: int = 0
    parsed: ParsedFile | None = None
    refusal: str = ""  # message key when the file could not be read at all
    params: dict | None = None


def parse_one(path: str, opts: Options, ctx: Context) -> Parsed:
    """Read and recognise one file (in whatever process calls it)."""
    from shiwan.layout import recognize
    from shiwan.readers import ReadError, load_bytes, read_book_data

    p = Path(path)
    try:
        data = load_bytes(p)
    except ReadError as exc:
        return Parsed(path, refusal=exc.key, params=exc.params)
    out = Parsed(path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        book = read_book_data(data, p.stem)
        out.parsed = recognize(book, ctx, opts)
    except ReadError as exc:
        out.refusal, out.params = exc.key, exc.params
    except MemoryError:
        out.refusal, out.params = "read.too_much_memory", {}
    return out


def _worker(conn: Connection, ctx: Context) -> None:  # pragma: no cover - runs in a child process
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        idx, path, opts = job
        try:
            result = parse_one(path, opts, ctx)
        except BaseException as exc:  # a panic in the native reader surfaces as BaseException
            if isinstance(exc, KeyboardInterrupt):
                return
            result = Parsed(path, refusal="read.crash", params={"detail": type(exc).__name__})
        try:
            conn.send((idx, result))
        except (BrokenPipeError, OSError):
            return


def _context() -> mp.context.BaseContext:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["shiwan.sandbox", "shiwan.layout", "shiwan.readers", "python_calamine"])
        return ctx
    return mp.get_context("spawn")


class _Slot:
    def __init__(self, mpctx, ctx: Context):
        self.conn, child = mpctx.Pipe(duplex=True)
        self.proc = mpctx.Process(target=_worker, args=(child, ctx), daemon=True)
        self.proc.start()
        child.close()
        self.job: tuple[int, str] | None = None
        self.started = 0.0

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=2)
        self.conn.close()


class ParsePool:
    """Workers that parse files; `run` yields (index, Parsed) as files finish."""

    def __init__(self, ctx: Context, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.ctx = ctx
        self.n = max(1, workers or min(2, os.cpu_count() or 1))
        self.timeout = timeout
        self._mp = _context()
        self.slots: list[_Slot] = []

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for s in self.slots:
            s.stop(kill=s.job is not None)
        self.slots = []

    def run(self, jobs: Iterable[tuple[str, Options]]) -> Iterator[tuple[int, Parsed]]:
        queue = deque(enumerate(jobs))
        if not queue:
            return
        while len(self.slots) < min(self.n, len(queue)):
            self.slots.append(_Slot(self._mp, self.ctx))
        while queue or any(s.job for s in self.slots):
            for i, s in enumerate(self.slots):
                if s.job is None and queue:
                    idx, (path, opts) = queue.popleft()
                    try:
                        s.conn.send((idx, path, opts))
                    except (BrokenPipeError, OSError):
                        s.stop(kill=True)
                        self.slots[i] = s = _Slot(self._mp, self.ctx)
                        s.conn.send((idx, path, opts))
                    s.job = (idx, path)
                    s.started = time.monotonic()
            busy = [s for s in self.slots if s.job]
            if not busy:
                continue
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.5)
            now = time.monotonic()
            for i, s in enumerate(self.slots):
                if s.job is None:
                    continue
                idx, path = s.job
                if s.conn in ready:
                    try:
                        got_idx, result = s.conn.recv()
                    except (EOFError, OSError):
                        got_idx, result = idx, Parsed(path, refusal="read.crash", params={"detail": "worker died"})
                        s.job = None
                        s.stop(kill=True)
                        self.slots[i] = _Slot(self._mp, self.ctx)
                        yield got_idx, result
                        continue
                    s.job = None
                    yield got_idx, result
                elif s.proc.sentinel in ready or not s.proc.is_alive():
                    code = s.proc.exitcode
                    s.job = None
                    s.stop(kill=True)
                    self.slots[i] = _Slot(self._mp, self.ctx)
                    yield idx, Parsed(path, refusal="read.crash", params={"detail": f"exit {code}"})
                elif now - s.started > self.timeout:
                    s.job = None
                    s.stop(kill=True)
                    self.slots[i] = _Slot(self._mp, self.ctx)
                    yield idx, Parsed(path, refusal="read.timeout", params={"seconds": int(self.timeout)})
