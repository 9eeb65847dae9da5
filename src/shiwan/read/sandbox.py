"""Parsing files in worker processes, so that no file can take the batch down.

Some corrupt .xls/.xlsb files make the native reader allocate gigabytes, loop, or panic, and a panic
or an allocation failure aborts the whole process where no `try` can catch it (see
shared/corpus/foreign/SOURCES.md). So files are read and recognised in worker processes with a
memory ceiling and a time limit: a worker that dies or overruns costs its one file a refusal, is
replaced, and the batch goes on. Two workers also read in parallel on a two-core machine while the
main process writes to the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

# what the workers do with a file once read: (book, context, options) -> a recognised file
Recognizer = Callable[[Any, Any, Any], Any]

DEFAULT_TIMEOUT = float(os.environ.get("SHIWAN_PARSE_TIMEOUT", "60"))
MEMORY_LIMIT = int(os.environ.get("SHIWAN_PARSE_MEMORY_MB", "2048")) * 1024 * 1024


@dataclass
class Parsed:
    """What a worker made of one file: its hash and size, and either what the recogniser made of it
    or a refusal."""

    path: str
    sha256: str = ""
    size: int = 0
    parsed: Any = None
    refusal: str = ""  # message key when the file could not be read at all
    params: dict | None = None


def parse_one(path: str, opts: Any, ctx: Any, recognize: Recognizer) -> Parsed:
    """Read and recognise one file (in whatever process calls it)."""
    from shiwan.read.readers import ReadError, load_bytes, read_book_data

    p = Path(path)
    try:
        data = load_bytes(p)
    except ReadError as exc:
        return Parsed(path, refusal=exc.key, params=exc.params)
    out = Parsed(path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        book = read_book_data(data, p.stem, p)
        out.parsed = recognize(book, ctx, opts)
    except ReadError as exc:
        out.refusal, out.params = exc.key, exc.params
    except MemoryError:
        out.refusal, out.params = "read.too_much_memory", {}
    return out


def _worker(conn: Connection, ctx: Any, recognize: Recognizer) -> None:  # pragma: no cover - runs in a child process
    # A panicking or aborting native reader writes to stderr; that noise is not for the clerk, who
    # gets one line per refused file from the main process.
    os.environ["RUST_BACKTRACE"] = "0"
    if not os.environ.get("SHIWAN_WORKER_STDERR"):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except OSError:
            pass
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(READY)
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt, OSError):
            return
        if job is None:
            return
        idx, path, opts = job
        try:
            result = parse_one(path, opts, ctx, recognize)
        except BaseException as exc:  # a panic in the native reader surfaces as BaseException
            if isinstance(exc, KeyboardInterrupt):
                return
            result = Parsed(path, refusal="read.crash", params={"detail": type(exc).__name__})
        try:
            conn.send((idx, result))
        except (BrokenPipeError, OSError):
            return


READY = "ready"
IDLE_AFTER = 0.05  # seconds without a reading before `run` calls its on_idle
MAX_START_FAILURES = 3


class WorkersFailed(Exception):
    """Reader processes could not be started at all (not the fault of any file)."""


def _context(recognize: Recognizer) -> mp.context.BaseContext | None:
    """None on POSIX: a worker is a plain interpreter (`_Child`). Elsewhere multiprocessing's spawn."""
    if os.name == "posix":
        return None
    return mp.get_context("spawn")


# The child's first lines: the parent's sys.path, then (context, recogniser) and the files, over the socket.
_CHILD_CODE = ("import sys\nfrom multiprocessing.connection import Connection\nconn = Connection(int(sys.argv[1]))\n"
               "sys.path[:0] = conn.recv()\nfrom shiwan.read.sandbox import _serve\n_serve(conn)\n")


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in a child process
    try:
        ctx, recognize = conn.recv()
    except (EOFError, OSError):
        return
    _worker(conn, ctx, recognize)


class _Child:
    """A worker as a plain `python` process speaking over a socket pair: it loads only what reading
    needs (no forkserver held beside it, no multiprocessing resource tracker: a third of the
    memory a batch took), and it is a process of its own, so that a native crash, an allocation
    past its ceiling or a loop costs it alone. The interface is the part of multiprocessing.Process
    that `_Slot` uses."""

    def __init__(self, ctx: Any, recognize: Recognizer):
        import socket
        import subprocess
        import sys

        ours, theirs = socket.socketpair()
        env = dict(os.environ, RUST_BACKTRACE="0")
        quiet = not os.environ.get("SHIWAN_WORKER_STDERR")
        try:
            self._popen = subprocess.Popen([sys.executable, "-c", _CHILD_CODE, str(theirs.fileno())],
                                           pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env,
                                           stderr=subprocess.DEVNULL if quiet else None)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.sentinel = _pidfd(self._popen.pid)
        try:
            self.conn.send(sys.path)
            self.conn.send((ctx, recognize))
        except (BrokenPipeError, OSError):
            pass  # it died at once: seen as a worker that never became ready

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def kill(self) -> None:
        if self._popen.poll() is None:
            with contextlib.suppress(OSError):
                self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        import subprocess

        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)
        if self._popen.returncode is not None and self.sentinel is not None:
            os.close(self.sentinel)
            self.sentinel = None


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when the process ends (Linux), for `wait`; else None (its
    socket's end of file tells it)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _wait_for(waiting: list[_Slot], on_idle: Callable[[], None] | None) -> list:
    """The workers' pipes and sentinels that are ready, waiting up to half a second (on_idle: called
    once nothing has come for IDLE_AFTER seconds)."""
    handles = [s.conn for s in waiting] + [s.proc.sentinel for s in waiting if s.proc.sentinel is not None]
    ready = wait(handles, timeout=IDLE_AFTER if on_idle else 0.5)
    if not ready and on_idle:
        on_idle()
        ready = wait(handles, timeout=0.5)
    return ready


class _Slot:
    """One worker process and the files sent to it, the first of which it is reading."""

    def __init__(self, mpctx, ctx: Any, recognize: Recognizer):
        if mpctx is None:
            self.proc: Any = _Child(ctx, recognize)
            self.conn = self.proc.conn
        else:
            self.conn, child = mpctx.Pipe(duplex=True)
            self.proc = mpctx.Process(target=_worker, args=(child, ctx, recognize), daemon=True)
            self.proc.start()
            child.close()
        self.ready = False
        self.pending: deque[tuple[int, str, Any]] = deque()
        self.started = 0.0  # when the worker began on pending[0]

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except (BrokenPipeError, OSError, ValueError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=2)
        self.conn.close()


class ParsePool:
    """Workers that parse files; `run` yields (index, Parsed) as files finish.

    Each worker is kept a few files ahead so that it never waits for the main process. A worker
    that dies or overruns on a file costs that file a refusal and is replaced, and the files queued
    behind it go to the next worker; workers that die before they are ready (the interpreter
    cannot start them) stop the run with WorkersFailed."""

    AHEAD = 6

    def __init__(self, ctx: Any, recognize: Recognizer, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.ctx = ctx
        self.recognize = recognize
        # The main process checks and writes while workers read: on two cores one worker keeps it
        # busy; more cores, more readers.
        self.n = max(1, workers or min(3, (os.cpu_count() or 2) - 1))
        self.timeout = timeout
        self._mp = _context(recognize)
        self.slots: list[_Slot] = []
        self._start_failures = 0

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for s in self.slots:
            s.stop(kill=bool(s.pending) or not s.ready)
        self.slots = []

    def _replace(self, i: int, queue: deque) -> tuple[int, str] | None:
        """Replace worker i; its unfinished files go back to the queue, except the one it was on,
        which is returned."""
        old = self.slots[i]
        if not old.ready:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise WorkersFailed(f"exit code {old.proc.exitcode}")
        culprit = old.pending.popleft() if old.pending else None
        for job in reversed(old.pending):
            queue.appendleft((job[0], (job[1], job[2])))
        old.stop(kill=True)
        self.slots[i] = _Slot(self._mp, self.ctx, self.recognize)
        return (culprit[0], culprit[1]) if culprit else None

    def run(self, jobs: Iterable[tuple[str, Any]], on_idle: Callable[[], None] | None = None
            ) -> Iterator[tuple[int, Parsed]]:
        """`on_idle`: called when no reading has come for IDLE_AFTER seconds (so a caller commits)."""
        queue: deque = deque(enumerate(jobs))
        if not queue:
            return
        while len(self.slots) < min(self.n, len(queue)):
            self.slots.append(_Slot(self._mp, self.ctx, self.recognize))
        while queue or any(s.pending for s in self.slots):
            # keep every ready worker a few files ahead, spreading files evenly
            while queue:
                ready_slots = [s for s in self.slots if s.ready and len(s.pending) < self.AHEAD]
                if not ready_slots:
                    break
                i = self.slots.index(min(ready_slots, key=lambda s: len(s.pending)))
                s = self.slots[i]
                idx, (path, opts) = queue[0]
                try:
                    s.conn.send((idx, path, opts))
                except (BrokenPipeError, OSError):
                    culprit = self._replace(i, queue)
                    if culprit:
                        yield culprit[0], Parsed(culprit[1], refusal="read.crash", params={"detail": "worker died"})
                    continue
                queue.popleft()
                if not s.pending:
                    s.started = time.monotonic()
                s.pending.append((idx, path, opts))
            waiting = [s for s in self.slots if s.pending or not s.ready]
            if not waiting:
                continue
            ready = _wait_for(waiting, on_idle)
            now = time.monotonic()
            for i, s in enumerate(self.slots):
                if s.conn in ready:
                    try:
                        msg = s.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg == READY:
                        s.ready = True
                        self._start_failures = 0
                        continue
                    if msg is None:  # the worker died
                        culprit = self._replace(i, queue)
                        if culprit:
                            yield culprit[0], Parsed(culprit[1], refusal="read.crash", params={"detail": "worker died"})
                        continue
                    s.pending.popleft()
                    s.started = now
                    yield msg
                elif (s.proc.sentinel is not None and s.proc.sentinel in ready) or not s.proc.is_alive():
                    code = s.proc.exitcode
                    culprit = self._replace(i, queue)
                    if culprit:
                        yield culprit[0], Parsed(culprit[1], refusal="read.crash", params={"detail": f"exit {code}"})
                elif s.pending and now - s.started > self.timeout:
                    culprit = self._replace(i, queue)
                    if culprit:
                        yield culprit[0], Parsed(culprit[1], refusal="read.timeout", params={"seconds": int(self.timeout)})
