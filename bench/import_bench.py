"""Import speed on a province-year of hand-made returns, against merely reading the same files.

Generates (once, cached under bench/out/) 12 months × (13 city summaries + the returns of the 130
county-level units of 2003) of hand-made-style .xlsx returns for Heilongjiang, then in one process times:

- plain openpyxl (read_only=True, data_only=True) reading every cell of every file;
- plain python-calamine reading every cell of every file;
- `shiwan import` of all of them into a fresh database, through the same code the CLI runs
  (reading in worker processes, layout recognition, every check, one transaction per file),
  with the default workers and with one worker.

Prints files/s, figures/s and the ratios. Usage: python bench/import_bench.py [--months 12] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


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


def generate(months: int, seed: int, base_db: str) -> list[Path]:
    folder = OUT / f"returns-{months}m-seed{seed}"
    done = folder / ".complete"
    if done.exists():
        return sorted(p for p in folder.rglob("*.xlsx"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as ex:
        list(ex.map(_write_month, [(base_db, str(folder), 2003, m, seed) for m in range(1, months + 1)]))
    done.write_text("ok")
    files = sorted(p for p in folder.rglob("*.xlsx"))
    print(f"generated {len(files)} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return files


def read_openpyxl(files: list[Path]) -> int:
    import openpyxl

    cells = 0
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += sum(1 for v in row if v is not None)
        wb.close()
    return cells


def read_calamine(files: list[Path]) -> int:
    import python_calamine as pc

    cells = 0
    for f in files:
        wb = pc.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                cells += sum(1 for v in row if v != "")
    return cells


def run_import(files: list[Path], base_db: str, workers: int | None) -> tuple[float, int, int]:
    from shiwan.imports import import_files
    from shiwan.recognize import Options
    from shiwan.store.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "bench.db")
        shutil.copy(base_db, db_path)
        with open_db(db_path) as db:
            t0 = time.perf_counter()
            results = import_files(db, files, Options(), workers=workers)
            elapsed = time.perf_counter() - t0
        bad = [r for r in results if r.status != "imported"]
        if bad:
            print(f"WARNING: {len(bad)} files not imported, e.g. {bad[0].file}: "
                  f"{[p.message() for p in bad[0].problems][:2]}", file=sys.stderr)
        figures = sum(r.new + r.changed for r in results)
        return elapsed, len(results) - len(bad), figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each contender (medians are printed)")
    args = ap.parse_args()
    from shiwan.store.initdb import init_database

    OUT.mkdir(parents=True, exist_ok=True)
    base_db = str(OUT / "base.db")
    if Path(base_db).exists():
        Path(base_db).unlink()  # a fresh one each run: the schema may have changed since
    init_database(base_db)
    files = generate(args.months, args.seed, base_db)
    size = sum(f.stat().st_size for f in files)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"files: {len(files)} .xlsx, {size / 1e6:.1f} MB")

    # The machine is shared and noisy: interleave the runs and take medians, so that a busy minute
    # weighs on every contender alike.
    runs: dict[str, list[float]] = {"openpyxl": [], "calamine": [], "import": [], "import2": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        cells = read_openpyxl(files)
        runs["openpyxl"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_calamine(files)
        runs["calamine"].append(time.perf_counter() - t0)
        t, n_ok, figures = run_import(files, base_db, None)
        runs["import"].append(t)
        runs["import2"].append(run_import(files, base_db, 2)[0])
    t_openpyxl, t_calamine, t_import, t_import2 = (statistics.median(runs[k]) for k in ("openpyxl", "calamine",
                                                                                       "import", "import2"))
    ratios = sorted(o / i for o, i in zip(runs["openpyxl"], runs["import"], strict=True))

    n = len(files)
    print(f"openpyxl read-only, read every cell   {t_openpyxl:7.2f} s  {n / t_openpyxl:7.1f} files/s  ({cells:,} cells)")
    print(f"python-calamine, read every cell      {t_calamine:7.2f} s  {n / t_calamine:7.1f} files/s")
    from shiwan.read.sandbox import ParsePool

    default = ParsePool.__new__(ParsePool)
    ParsePool.__init__(default, None, print)  # how many readers the default is on this machine
    print(f"shiwan import, all checks and writes  {t_import:7.2f} s  {n / t_import:7.1f} files/s  "
          f"{figures / t_import:9,.0f} figures/s  ({n_ok} files, {figures:,} figures; {default.n} reader process(es))")
    print(f"shiwan import with 2 readers          {t_import2:7.2f} s  {n / t_import2:7.1f} files/s")
    print(f"ratio: import is {t_openpyxl / t_import:.1f}x faster than openpyxl only reading (medians of {args.repeat}; "
          f"run by run {', '.join(f'{r:.1f}x' for r in ratios)}); {t_import / t_calamine:.1f}x the time of calamine "
          f"only reading")


if __name__ == "__main__":
    main()
