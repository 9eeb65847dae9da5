"""Report speed at national scale: 31 provinces, ~2,900 county-level units, 19 indicators, 10 years.

Builds (once, cached under bench/out/national.db) a database directly, not through files: every
unit reports every indicator every month for 2001-2010 (≈ 7.5 million figures), with annual
targets for provinces and cities and a campaign over 2008-2010. Then times, each as the real CLI
in a fresh process (median of several runs, minus a bare `python -c pass` in the same run) and as
the library call in this process:

- `report progress` for one province (its ~10 cities);
- `report progress` for the whole country (31 provinces);
- `report campaign` for the whole country;
- `shiwan --help`.

Usage: python bench/report_bench.py [--runs 5] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
DB = OUT / "national.db"
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


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from shiwan.ref.constants import SCHEMA_VERSION

    done = DB.with_suffix(".complete")
    if args.rebuild or not done.exists() or done.read_text() != SCHEMA_VERSION:
        done.unlink(missing_ok=True)
        build(DB)
        done.write_text(SCHEMA_VERSION)
    con = sqlite3.connect(DB)
    n_fig = con.execute("SELECT COUNT(*) FROM figure").fetchone()[0]
    n_units = con.execute("SELECT COUNT(*) FROM unit").fetchone()[0]
    province = con.execute("SELECT code FROM unit WHERE level = 'province' ORDER BY code LIMIT 1").fetchone()[0]
    con.close()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"database: {n_units:,} units, {n_fig:,} figures, {DB.stat().st_size / 1e9:.2f} GB")

    shiwan = [sys.executable, "-m", "shiwan", "--db", str(DB)]
    base = wall([sys.executable, "-c", "pass"], args.runs)
    cases = [
        ("report progress, one province", ["report", "progress", "--under", province, "--period", "2010-06"]),
        ("report progress, whole country", ["report", "progress", "--under", "100000", "--period", "2010-06"]),
        ("report campaign, whole country", ["report", "campaign", "--period", "2010-06"]),
        ("shiwan --help", ["--help"]),
    ]
    print(f"interpreter start (python -c pass): {base * 1000:.0f} ms (median of {args.runs})")
    for label, argv in cases:
        t = wall([*shiwan, *argv], args.runs)
        print(f"{label:34s} {t * 1000:7.0f} ms wall, {max(0.0, t - base) * 1000:7.0f} ms beyond interpreter start")

    # the same reports as library calls in this process (imports already paid)
    from shiwan.reports import campaign_report, progress_report
    from shiwan.store.db import open_db

    with open_db(str(DB)) as db:
        for label, fn in [
            ("progress_report(one province)", lambda: progress_report(db, period="2010-06", under=province)),
            ("progress_report(whole country)", lambda: progress_report(db, period="2010-06", under="100000")),
            ("campaign_report(whole country)", lambda: campaign_report(db, period="2010-06")),
        ]:
            fn()
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            print(f"{label:34s} {statistics.median(times) * 1000:7.0f} ms in-process")


if __name__ == "__main__":
    main()
