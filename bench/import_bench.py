"""Import speed on a province-year of hand-made returns, measured as whole processes.

Generates (once, cached under bench/out/) 12 months × (13 city summaries + the returns of the
county-level units of 2003) of hand-made-style .xlsx returns for Heilongjiang, then runs, as separate
processes, interleaved (the order rotates every round), for --rounds rounds:

- `openpyxl`: openpyxl (read_only=True, data_only=True) reading every cell of every file;
- `floor`: python-calamine parsing every file + SHA-256 of its bytes + inserting the same figure and
  import-log rows the import stores, in one transaction, into the same fresh database;
- `import`: `shiwan import FOLDER --json` into a fresh database;
- `reimport`: the same command again on a database that already holds exactly that batch;
- `import5y`: `shiwan import` into a database holding five earlier years (1998–2002) of the same
  returns;
- `version`: `shiwan --version` (the start-up the re-import ratio leaves out);
- with --pg URL, `pg-import` and `pg-reimport`: the same on PostgreSQL (a fresh database per round;
  the server's own CPU is not counted, only the client's process tree).

CPU is user+sys of the whole process tree (this script is a child subreaper, so the reader workers'
forkserver is reaped here and counted); peak memory is the largest sum of the tree's resident sets,
sampled every 20 ms. Prints min/median/max per contender, the ratios of medians, and the machine.

Usage: python bench/import_bench.py [--rounds 5] [--months 12] [--seed 7] [--pg URL] [--only a,b]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pickle
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SHIWAN = str(Path(sys.executable).with_name("shiwan"))
PAGE = os.sysconf("SC_PAGE_SIZE")
YEARS_BEFORE = (1998, 1999, 2000, 2001, 2002)


# -- the files ------------------------------------------------------------------------------------


def _write_month(args: tuple[str, str, int, int, int]) -> list[str]:
    db_path, folder, year, month, seed = args
    from shiwan.demo.samples import simulate, write_city_summary, write_county_return
    from shiwan.ref import periods
    from shiwan.ref.catalog import Catalog
    from shiwan.ref.units import UnitTree
    from shiwan.store.db import open_db
    from shiwan.tally.engine import targets_for

    with open_db(db_path) as db:
        tree, cat = UnitTree.from_db(db).at(year), Catalog.from_db(db)  # the units standing in that year
        tg = targets_for(db, year, [cat.by_code["reemployed"].id])
    province = tree.top()
    annual = {tree.unit(uid).code: v for (uid, _), v in tg.items()}
    sim = simulate(tree, cat, province, annual, year, 12, seed)  # the whole year, so months agree
    period = periods.make(year, month)
    out = Path(folder) / period
    out.mkdir(parents=True, exist_ok=True)
    inds = [i for i in cat.indicators]
    written = []
    for n, city in enumerate(tree.children(province.id)):
        members = [city, *tree.children(city.id)]
        figs = {u.code: sim.figures[(u.code, period)] for u in members}
        p = out / f"{city.name}{year}年{month}月.xlsx"
        write_city_summary(p, city, members, period, figs, inds[:12] + inds[12:16], variant=n % 3,
                           submitted=sim.submitted[(city.code, period)])
        written.append(str(p))
        city_dir = out / city.name  # a city forwards its counties' own returns in a folder of its own
        city_dir.mkdir(exist_ok=True)
        for county in members[1:]:
            q = city_dir / f"{county.name}_{period}.xlsx"
            write_county_return(q, county, period, sim.figures[(county.code, period)], inds,
                                submitted=sim.submitted[(city.code, period)])
            written.append(str(q))
    return written


def generate(months: int, seed: int, base_db: str) -> tuple[Path, list[Path]]:
    folder = OUT / f"returns-{months}m-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as ex:
            list(ex.map(_write_month, [(base_db, str(folder), 2003, m, seed) for m in range(1, months + 1)]))
        done.write_text("ok")
        print(f"generated the files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return folder, sorted(p for p in folder.rglob("*.xlsx"))


# -- the contenders that are not shiwan (run as `import_bench.py --role ...`) ----------------------


def role_openpyxl(list_file: str) -> None:
    import openpyxl

    cells = 0
    for f in Path(list_file).read_text(encoding="utf-8").splitlines():
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += sum(1 for v in row if v is not None)
        wb.close()
    print(cells)


def role_floor(list_file: str, rows_file: str, db_path: str) -> None:
    """The least any import must do: parse every file, hash it, insert the rows, one transaction."""
    import hashlib

    import python_calamine as pc

    cells = 0
    for f in Path(list_file).read_text(encoding="utf-8").splitlines():
        data = Path(f).read_bytes()
        hashlib.sha256(data).hexdigest()
        wb = pc.CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                cells += sum(1 for v in row if v != "")
    with open(rows_file, "rb") as fh:
        tables = pickle.load(fh)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    for table, (cols, rows) in tables.items():
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    conn.execute("COMMIT")
    conn.close()
    print(cells)


STORED_TABLES = ("import_log", "figure", "review")


def dump_rows(db_path: str, rows_file: Path) -> None:
    """The rows an import of the batch stored (import log first: figures point at it)."""
    conn = sqlite3.connect(db_path)
    tables = {}
    for table in STORED_TABLES:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        tables[table] = (cols, conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id").fetchall())
    conn.close()
    with open(rows_file, "wb") as fh:
        pickle.dump(tables, fh)


def build_five_years(base_db: str, ref_db: str, target: Path) -> None:
    """A database holding 1998–2002: the batch's stored rows, shifted to each of those years."""
    shutil.copy(base_db, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS ref", (ref_db,))
    conn.execute("BEGIN")
    step = 1 + (conn.execute("SELECT MAX(id) FROM ref.import_log").fetchone()[0] or 0)
    for k, year in enumerate(YEARS_BEFORE, start=1):
        for table in STORED_TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            exprs = []
            for c in cols:
                if c == "period":
                    exprs.append(f"'{year}' || substr(period, 5)")
                elif c == "submitted_on":
                    exprs.append(f"CASE WHEN submitted_on = '' THEN '' ELSE '{year}' || substr(submitted_on, 5) END")
                elif c in ("import_id", "reverts_id", "reverted_by_id", "replaced_by_id") or (
                        c == "id" and table == "import_log"):
                    exprs.append(f"{c} + {k * step}")
                elif c == "id":
                    exprs.append("NULL")
                else:
                    exprs.append(c)
            conn.execute(f"INSERT INTO main.{table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM ref.{table}")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE ref")
    conn.execute("VACUUM")
    conn.close()


# -- measuring a whole process tree ---------------------------------------------------------------


def become_subreaper() -> None:
    """Orphaned descendants (the forkserver outliving `shiwan`) are reparented here, and counted."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        print("warning: not a subreaper; the workers' CPU may be missed", file=sys.stderr)


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    parents[int(d)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    total = 0
    for pid in parents:
        p, seen = pid, 0
        while p not in (0, 1, root) and seen < 64:
            p, seen = parents.get(p, 0), seen + 1
        if p == root and pid != root:
            try:
                with open(f"/proc/{pid}/statm", "rb") as fh:
                    total += int(fh.read().split()[1]) * PAGE
            except OSError:
                pass
    return total


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, _tree_rss(me))


def reap() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def measure(cmd: list[str], stdout_path: str | None = None) -> tuple[float, float, int]:
    """(CPU seconds of the whole tree, wall seconds, peak resident bytes of the tree)."""
    reap()  # an orphan of an earlier, unmeasured command (its forkserver) must not count here
    before = os.times()
    sampler = Sampler()
    sampler.start()
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    reap()  # every orphan left behind is ours now: its CPU is counted
    sampler.stop.set()
    sampler.join()
    if stdout_path:
        out.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return cpu, wall, sampler.peak


def check_statuses(json_path: str, want: str, n: int) -> None:
    try:
        rows = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except ValueError:
        raise SystemExit(f"not the JSON of an import: {Path(json_path).read_text(encoding='utf-8')[:500]!r}") from None
    got = [r["status"] for r in rows if r["status"] != "skipped"]
    if len(got) != n or any(s != want for s in got):
        bad = [r for r in rows if r["status"] != want][:1]
        print(f"WARNING: expected {n} × {want}, got {len(got)}: e.g. {bad}", file=sys.stderr)


# -- the run --------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        from shiwan.store.initdb import init_database

        self.args = args
        OUT.mkdir(parents=True, exist_ok=True)
        self.base_db = str(OUT / "base.db")
        for suffix in ("", "-wal", "-shm"):
            Path(self.base_db + suffix).unlink(missing_ok=True)  # fresh each run: the schema may have changed
        init_database(self.base_db)
        self.folder, self.files = generate(args.months, args.seed, self.base_db)
        self.tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
        self.list_file = self.tmp / "files.txt"
        self.list_file.write_text("\n".join(map(str, self.files)), encoding="utf-8")
        self.ref_db = str(self.tmp / "ref.db")
        shutil.copy(self.base_db, self.ref_db)
        with open(self.tmp / "ref.json", "wb") as fh:
            subprocess.run([SHIWAN, "--db", self.ref_db, "import", str(self.folder), "--json"], check=True, stdout=fh)
        check_statuses(str(self.tmp / "ref.json"), "imported", len(self.files))
        self.rows_file = self.tmp / "rows.pickle"
        dump_rows(self.ref_db, self.rows_file)
        self.five_db = self.tmp / "five.db"
        build_five_years(self.base_db, self.ref_db, self.five_db)
        self.runs: dict[str, list[tuple[float, float, int]]] = {}
        self.pg_n = 0

    def fresh(self, source: str | Path) -> str:
        db = self.tmp / "run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        shutil.copy(source, db)
        return str(db)

    def pg_database(self) -> str:
        import psycopg

        url = self.args.pg
        self.pg_n += 1
        name = f"import_bench_{os.getpid()}_{self.pg_n}"
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        new = url.rsplit("/", 1)[0] + "/" + name
        subprocess.run([SHIWAN, "--db", new, "init"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return new

    def contenders(self) -> dict:
        imp = [SHIWAN, "--db", "{db}", "import", str(self.folder), "--json"]
        c = {
            "openpyxl": (None, [sys.executable, __file__, "--role", "openpyxl", str(self.list_file)], None),
            "floor": (self.base_db, [sys.executable, __file__, "--role", "floor", str(self.list_file),
                                     str(self.rows_file), "{db}"], None),
            "import": (self.base_db, imp, "imported"),
            "reimport": (self.ref_db, imp, "unchanged"),
            "import5y": (self.five_db, imp, "imported"),
            "version": (None, [SHIWAN, "--version"], None),
        }
        if self.args.pg:
            c["pg-import"] = ("pg", imp, "imported")
            c["pg-reimport"] = ("pg-again", imp, "unchanged")
        only = set(self.args.only.split(",")) if self.args.only else None
        return {k: v for k, v in c.items() if only is None or k in only}

    def run_one(self, name: str, source, cmd: list[str], want: str | None) -> None:
        db = ""
        if source in ("pg", "pg-again"):
            db = self.pg_database()
            if source == "pg-again":
                subprocess.run([SHIWAN, "--db", db, "import", str(self.folder), "--json"], check=True,
                               stdout=subprocess.DEVNULL)
        elif source is not None:
            db = self.fresh(source)
        out = str(self.tmp / "out.json")
        self.runs.setdefault(name, []).append(measure([a.replace("{db}", db) for a in cmd], out))
        if want:
            check_statuses(out, want, len(self.files))

    def run(self) -> None:
        items = list(self.contenders().items())
        for r in range(self.args.rounds):
            k = r % len(items)  # rotate, so that a busy minute weighs on every contender alike
            for name, (source, cmd, want) in items[k:] + items[:k]:
                self.run_one(name, source, cmd, want)
            print(f"round {r + 1}/{self.args.rounds} done", file=sys.stderr)

    # -- printing -------------------------------------------------------------------------------

    def med(self, name: str, i: int = 0) -> float:
        return statistics.median(r[i] for r in self.runs[name])

    def table(self) -> None:
        n = len(self.files)
        print(f"\n{'contender':<12} {'CPU min':>8} {'median':>8} {'max':>8}   {'wall min':>8} {'median':>8} "
              f"{'max':>8}   {'peak RSS':>9}  files/s (CPU)")
        for name, runs in self.runs.items():
            cpu, wall, rss = ([r[i] for r in runs] for i in range(3))
            rate = f"{n / statistics.median(cpu):8.0f}" if name != "version" else ""
            print(f"{name:<12} {min(cpu):8.2f} {statistics.median(cpu):8.2f} {max(cpu):8.2f}   {min(wall):8.2f} "
                  f"{statistics.median(wall):8.2f} {max(wall):8.2f}   {max(rss) / 2**20:6.0f} MiB  {rate}")
        print(f"(seconds; {len(next(iter(self.runs.values())))} interleaved rounds; peak RSS: the largest sum "
              "over the process tree, sampled every 20 ms)")

    def ratios(self) -> None:
        r = self.runs
        lines = []

        def both(a: str, b: str) -> str:
            return f"CPU {self.med(a) / self.med(b):.2f}x, wall {self.med(a, 1) / self.med(b, 1):.2f}x"

        if "openpyxl" in r and "import" in r:
            lines.append(f"import vs openpyxl reading:   {both('openpyxl', 'import')} faster     (goal CPU >= 5x)")
        if "floor" in r and "import" in r:
            lines.append(f"import vs the floor:          {both('import', 'floor')} slower     (goal CPU <= 1.5x)")
        if "reimport" in r and "import" in r and "version" in r:
            v = self.med("version")
            a, b = self.med("import") - v, self.med("reimport") - v
            lines.append(f"re-import vs fresh, beyond `shiwan --version` ({v:.3f} s CPU): CPU {a / max(b, 1e-3):.1f}x "
                         f"faster ({a:.2f} s vs {b:.3f} s)   (goal >= 20x); whole process CPU "
                         f"{self.med('import') / self.med('reimport'):.1f}x")
        if "import5y" in r and "import" in r:
            lines.append(f"import into 5 years vs empty: {both('import5y', 'import')}          (goal CPU <= 1.05x)")
        if "import" in r:
            lines.append(f"peak memory of the import:    {max(x[2] for x in r['import']) / 2**20:.0f} MiB "
                         f"(median {statistics.median(x[2] for x in r['import']) / 2**20:.0f})   (goal <= 80 MiB)")
        if "pg-import" in r and "pg-reimport" in r and "version" in r:
            v = self.med("version")
            lines.append(f"PostgreSQL: import {self.med('pg-import'):.2f} s CPU (client), re-import "
                         f"{self.med('pg-reimport'):.2f} s: {(self.med('pg-import') - v) / max(self.med('pg-reimport') - v, 1e-3):.1f}x "
                         "beyond start-up")
        print("\n" + "\n".join(lines))


def machine() -> str:
    from importlib.metadata import version

    from shiwan import __version__

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (f"machine: {cpu}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, shiwan {__version__}, python-calamine "
            f"{version('python-calamine')}, openpyxl {version('openpyxl')}, typer {version('typer')}, SQLite "
            f"{sqlite3.sqlite_version}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load:.2f}")


def precompile() -> None:
    """Byte-compile shiwan as an installed copy is (pip compiles at install): an editable install under
    PYTHONDONTWRITEBYTECODE would otherwise compile every module in every process it measures."""
    import compileall

    import shiwan

    compileall.compile_dir(str(Path(shiwan.__file__).parent), quiet=1)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--role":
        {"openpyxl": role_openpyxl, "floor": role_floor}[sys.argv[2]](*sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (min/median/max are printed)")
    ap.add_argument("--pg", default="", help="a PostgreSQL server's URL (postgresql+psycopg://…/postgres) to measure there too")
    ap.add_argument("--only", default="", help="comma-separated contenders to run")
    args = ap.parse_args()
    become_subreaper()
    precompile()
    bench = Bench(args)
    size = sum(f.stat().st_size for f in bench.files)
    print(machine())
    print(f"files: {len(bench.files)} .xlsx, {size / 1e6:.1f} MB, in {bench.folder.relative_to(OUT.parent)}")
    try:
        bench.run()
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    bench.table()
    bench.ratios()


if __name__ == "__main__":
    main()
