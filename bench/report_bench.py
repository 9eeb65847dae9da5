"""Report speed at national scale, as whole processes: 31 provinces, ~2,900 county-level units, 19 indicators, 10 years.

Builds (once, cached under bench/out/national.db) a database directly, not through files: every
unit reports every indicator every month for 2001-2010 (≈ 7.2 million figures), with annual
targets for provinces and cities and a campaign over 2008-2010. Then runs, in interleaved rounds
(each round runs every contender once, in an order that rotates), each as a fresh process:

- `python -c pass` (the interpreter alone), `python -c 'import typer'` and `shiwan --help`;
- `bench/report_sql.py`, the floor: one sqlite3 query computing the report's 本月 and 本年累计,
  for one province's cities and for the whole country's provinces;
- `shiwan report progress` for the same province and for the whole country (the table as printed);
- `shiwan report campaign` for the whole country (no goal; for the record).

Each run is timed by wall clock and by CPU (user + sys of the process and its children, from
`getrusage(RUSAGE_CHILDREN)` deltas): CPU is the figure that survives a shared machine. Prints
min/median/max of both per contender, the ratios of the medians against the goals, and the machine.
Before timing, the report's figures are checked against the floor's, and the shiwan sources are
compiled to bytecode (as an installed package is: this machine sets PYTHONDONTWRITEBYTECODE).

Usage: python bench/report_bench.py [--rounds 7] [--rebuild]
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
DB = OUT / "national.db"
SQL = Path(__file__).resolve().parent / "report_sql.py"
PERIOD = "2010-06"
YEARS = range(2001, 2011)
PROVINCES = 31


def build(path: Path) -> None:
    from shiwan.ref.campaigns import CampaignDef, save_campaign
    from shiwan.store.db import Database
    from shiwan.store.initdb import init_database

    rng = random.Random(31)
    t0 = time.perf_counter()
    if path.exists():
        path.unlink()
    csv_path = OUT / "national-units.csv"
    lines = ["code,name,level,parent_code", "100000,全国,country,"]
    counties = 0
    for p in range(PROVINCES):
        pcode = f"{11 + p:02d}0000"
        lines.append(f"{pcode},省{p + 1:02d},province,100000")
        for c in range(rng.randint(8, 13)):
            ccode = f"{11 + p:02d}{c + 1:02d}00"
            lines.append(f"{ccode},省{p + 1:02d}市{c + 1:02d},city,{pcode}")
            for k in range(rng.randint(6, 12)):
                lines.append(f"{11 + p:02d}{c + 1:02d}{k + 1:02d},省{p + 1:02d}市{c + 1:02d}县{k + 1:02d},county,{ccode}")
                counties += 1
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    init_database(str(path), units=csv_path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA journal_mode = OFF")
    units = con.execute("SELECT id, code, level FROM unit").fetchall()
    # the 19 indicators of the catalog (their 其中 breakdowns left out, as in the runs measured before them)
    inds = con.execute("SELECT id, kind, decimals FROM indicator WHERE parent_id IS NULL ORDER BY sort_order").fetchall()
    imp = con.execute(
        "INSERT INTO import_log (kind, file_name, file_path, sha256, size, form, period, submitted_on, imported_at, "
        "os_user, status, n_new, n_changed, n_unchanged, n_warnings, problems) VALUES ('file', 'bench', 'bench', '', 0, "
        "'city', '', '', '2011-01-01T00:00:00', 'bench', 'imported', 0, 0, 0, 0, '[]')").lastrowid
    con.execute("DROP INDEX IF EXISTS ix_figure_indicator_period")
    con.execute("DROP INDEX IF EXISTS ix_figure_import_id")
    reporting = [(uid, code) for uid, code, level in units if level in ("city", "county")]
    rows = 0
    for year in YEARS:
        batch = []
        for uid, _code in reporting:
            scale = 5 + (uid % 17)
            ytd = [0.0] * len(inds)
            for m in range(1, 13):
                period = f"{year}-{m:02d}"
                for n, (iid, kind, dec) in enumerate(inds):
                    if kind == "flow":
                        v = float(scale + (uid * 7 + m * 3 + n) % 11)
                        if dec:
                            v = round(v / 10, 2)
                        ytd[n] = round(ytd[n] + v, dec)
                        batch.append((uid, iid, period, 0, v, ytd[n], imp))
                    else:
                        batch.append((uid, iid, period, 0, None, float(1 + (uid + n) % 3), imp))
        con.executemany("INSERT INTO figure (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, "
                        "month_cell, ytd_cell, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, '', '', '', '')", batch)
        con.commit()
        rows += len(batch)
        print(f"  {year}: {rows:,} figures, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    con.execute("CREATE INDEX ix_figure_indicator_period ON figure (indicator_id, period, unit_id)")
    con.execute("CREATE INDEX ix_figure_import_id ON figure (import_id)")
    con.commit()
    con.execute("ANALYZE")
    con.close()
    db = Database(str(path))
    codes = {code: (uid, level) for uid, code, level in units}
    camp = CampaignDef(code="bench", name="全国再就业行动", unit="100000", start="2008-01", end="2010-12",
                       indicator="reemployed", target=3_000_000, default=True)
    for year in YEARS:
        for code, (_uid, level) in codes.items():
            if level in ("province", "city"):
                for ind in ("reemployed", "referrals", "trained"):
                    camp.targets[(year, ind, code)] = 2000.0 if level == "city" else 25000.0
    with db.transaction():
        save_campaign(db, camp, user="bench", now="2011-01-01T00:00:00", replace_targets=True)
    db.close()
    print(f"built {path.name}: {len(units):,} units ({counties:,} county-level), {rows:,} figures "
          f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def run_once(cmd: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one whole process, its children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        ram = f"{mem / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "? RAM"
    libs = ", ".join(f"{n} {metadata.version(n)}" for n in ("typer", "rich", "sqlalchemy") if _has(n))
    return (f"{platform.machine()} {cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {libs}, SQLite {sqlite3.sqlite_version}, "
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")


def _has(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def check_figures(shiwan: list[str], under: str) -> None:
    """The report's 本月 and 本年累计 are the floor's sums: the two compute the same numbers."""
    got = json.loads(subprocess.run([*shiwan, "report", "progress", "--under", under, "--period", PERIOD, "-f", "json"],
                                    check=True, capture_output=True, text=True).stdout)
    mine = {(r["unit_code"], r["indicator"]): (r["month"], r["ytd"]) for r in got if r["row_type"] == "unit"}
    out = subprocess.run([sys.executable, str(SQL), str(DB), under, PERIOD], check=True, capture_output=True,
                         text=True).stdout.split("\n")
    floor = {(c, i): (float(m), float(y)) for c, i, m, y in (line.split() for line in out if line)}
    if set(mine) != set(floor) or any(abs(mine[k][0] - floor[k][0]) + abs(mine[k][1] - floor[k][1]) > 1e-6
                                      for k in floor):
        raise SystemExit(f"the report under {under} and the floor disagree")


def stats(xs: list[float]) -> str:
    return f"{min(xs) * 1000:6.0f} {statistics.median(xs) * 1000:6.0f} {max(xs) * 1000:6.0f}"


def measure(contenders: list[tuple[str, list[str]]], rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    for _label, cmd in contenders:  # warm the page cache and the bytecode, untimed
        run_once(cmd)
    got: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _ in contenders}
    for r in range(rounds):
        order = contenders[r % len(contenders):] + contenders[: r % len(contenders)]
        for label, cmd in order:
            wall, cpu = run_once(cmd)
            got[label][0].append(wall)
            got[label][1].append(cpu)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return got


def report(got: dict[str, tuple[list[float], list[float]]], rounds: int) -> None:
    print(f"\n{rounds} interleaved rounds, ms          CPU min    med    max |  wall min    med    max")
    for label, (walls, cpus) in got.items():
        print(f"{label:34s}   {stats(cpus)} |      {stats(walls)}")

    def med(label: str, i: int) -> float:
        return statistics.median(got[label][i])

    print("\nratio of medians                         CPU    wall   goal")
    for label, floor, goal in [("report progress, one province", "sql, one province", 2.5),
                               ("report progress, whole country", "sql, whole country", 2.0)]:
        c, w = med(label, 1) / med(floor, 1), med(label, 0) / med(floor, 0)
        print(f"{label + ' / floor':40s} {c:5.1f}× {w:6.1f}×  ≤ {goal}×  {'met' if c <= goal else 'NOT met'} (CPU)")
    c = (med("shiwan --help", 1) - med("python -c pass", 1)) * 1000
    w = (med("shiwan --help", 0) - med("python -c pass", 0)) * 1000
    print(f"{'shiwan --help beyond python -c pass':40s} {c:4.0f} ms {w:4.0f} ms  ≤ 60 ms  {'met' if c <= 60 else 'NOT met'} (CPU)")
    c = (med("python -c 'import typer'", 1) - med("python -c pass", 1)) * 1000
    w = (med("python -c 'import typer'", 0) - med("python -c pass", 0)) * 1000
    print(f"{'of which importing typer itself':40s} {c:4.0f} ms {w:4.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    if args.rounds < 5:
        ap.error("--rounds: at least 5")
    OUT.mkdir(parents=True, exist_ok=True)
    import shiwan
    from shiwan.ref.constants import SCHEMA_VERSION

    done = DB.with_suffix(".complete")
    if args.rebuild or not done.exists() or done.read_text() != SCHEMA_VERSION:
        done.unlink(missing_ok=True)
        build(DB)
        done.write_text(SCHEMA_VERSION)
    compileall.compile_dir(Path(shiwan.__file__).parent, quiet=1)
    con = sqlite3.connect(DB)
    n_fig = con.execute("SELECT COUNT(*) FROM figure").fetchone()[0]
    n_units = con.execute("SELECT COUNT(*) FROM unit").fetchone()[0]
    province = con.execute("SELECT code FROM unit WHERE level = 'province' ORDER BY code LIMIT 1").fetchone()[0]
    con.close()
    print(f"machine: {machine()}")
    print(f"database: {n_units:,} units, {n_fig:,} figures, {DB.stat().st_size / 1e9:.2f} GB; period {PERIOD}")

    shiwan_cmd = [sys.executable, "-m", "shiwan", "--db", str(DB)]
    for under in (province, "100000"):
        check_figures(shiwan_cmd, under)
    py = sys.executable
    contenders = [
        ("python -c pass", [py, "-c", "pass"]),
        ("python -c 'import typer'", [py, "-c", "import typer"]),
        ("shiwan --help", [*shiwan_cmd, "--help"]),
        ("sql, one province", [py, str(SQL), str(DB), province, PERIOD]),
        ("report progress, one province", [*shiwan_cmd, "report", "progress", "--under", province, "--period", PERIOD]),
        ("sql, whole country", [py, str(SQL), str(DB), "100000", PERIOD]),
        ("report progress, whole country", [*shiwan_cmd, "report", "progress", "--under", "100000", "--period", PERIOD]),
        ("report campaign, whole country", [*shiwan_cmd, "report", "campaign", "--period", PERIOD]),
    ]
    report(measure(contenders, args.rounds), args.rounds)


if __name__ == "__main__":
    main()
