"""`shiwan demo`: the main job end to end on the built-in default, in a folder of its own.

It creates a demo database, writes half a year of returns as real .xlsx files (city summaries laid
out by hand in three different ways, and the county returns of one city on the standard template),
imports them through the same import path as `shiwan import`, and prints the province's progress.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from shiwan.base.i18n import t
from shiwan.ref import periods

DEMO_DB = "shiwan-demo.db"
MARKER = ".shiwan-demo"
YEAR = 2003
HANDMADE_INDICATORS = ("reemployed", "referrals", "referral_placed", "trained", "trained_reemployed", "funded_people",
                       "fund_amount", "bases", "markets", "entities", "agencies", "agencies_certified", "training_orgs",
                       "training_orgs_certified")
COUNTY_RETURN_CITY = "230500"  # 双鸭山市: its counties send their own returns too


def run_demo(directory: Path, *, months: int = 6, seed: int = 2003, out=None) -> int:
    from rich.console import Console

    from shiwan.imports import collect_files, import_files
    from shiwan.recognize import Options
    from shiwan.render.importview import print_summary
    from shiwan.render.output import is_terminal
    from shiwan.render.report import write_report
    from shiwan.reports import progress_report
    from shiwan.store.db import open_db
    from shiwan.store.initdb import init_database
    from shiwan.tally.assessment import assessment_report

    out = out or sys.stdout
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        err.print(t("demo.not_ours", path=str(directory)))
        return 2
    if directory.exists():
        shutil.rmtree(directory)
    returns = directory / "returns"
    returns.mkdir(parents=True)
    (directory / MARKER).write_text("made by shiwan demo; safe to delete\n", encoding="utf-8")
    db_path = directory / DEMO_DB
    err.print(t("demo.start", path=str(directory)))
    init_database(str(db_path))
    db = open_db(str(db_path))
    try:
        files = write_returns(db, returns, months=months, seed=seed)
        err.print(t("demo.written", n=len(files), months=months))
        found = collect_files([str(returns)])
        progress = None
        if is_terminal(sys.stderr):
            from shiwan.render.importview import _Progress

            progress = _Progress(len(found.files), False)
        try:
            results = import_files(db, found.files, Options(), progress=progress.update if progress else None)
        finally:
            if progress:
                progress.stop()
        rejected = [r for r in results if r.status == "rejected"]
        if rejected:
            print_summary(rejected, dry_run=False, stream=out)
        counts = {s: sum(1 for r in results if r.status == s) for s in ("imported", "revised", "unchanged", "rejected")}
        err.print(t("import.totals", **counts, figures=sum(r.new + r.changed for r in results)))
        report = progress_report(db, period=periods.make(YEAR, months))
        write_report(report, "table", stream=out)
        # the 目标考核 as it stands: scores only (the breakdown is `report assessment`)
        scores = assessment_report(db, year=YEAR, as_of=periods.make(YEAR, months))
        scores.sections = scores.sections[:1]
        out.write("\n")
        write_report(scores, "table", stream=out)
    finally:
        db.close()
    err.print(t("demo.next", db=str(db_path), period=periods.make(YEAR, months), folder=str(returns)))
    return 1 if rejected else 0


def write_returns(db, folder: Path, *, months: int, seed: int) -> list[Path]:
    """Write the demo's returns into `folder`, one subfolder a month; returns the files written."""
    from shiwan.demo.samples import simulate, write_city_summary
    from shiwan.ref.campaigns import default_campaign
    from shiwan.ref.catalog import Catalog
    from shiwan.ref.units import UnitTree
    from shiwan.render.templates import build_template, footer_cell, template_cells
    from shiwan.tally.engine import targets_for

    tree = UnitTree.from_db(db).at(YEAR)  # the units standing in the demo's year (144 in 2003)
    cat = Catalog.from_db(db)
    province = tree.top()
    assert province is not None
    camp = default_campaign(db)
    reemployed = cat.by_code["reemployed"]
    tg = targets_for(db, YEAR, [reemployed.id], camp.id if camp else None)
    annual = {tree.unit(uid).code: v for (uid, _), v in tg.items()}
    sim = simulate(tree, cat, province, annual, YEAR, months, seed)
    # the indicators of the hand-made summaries, each with its breakdowns (其中) beside it
    inds = [x for c in HANDMADE_INDICATORS if c in cat.by_code for x in (cat.by_code[c], *cat.parts_of(c))]
    name = camp.name if camp else cat.name
    written: list[Path] = []
    county_city = tree.by_code.get(COUNTY_RETURN_CITY)
    for m in range(1, months + 1):
        period = periods.make(YEAR, m)
        month_dir = folder / period
        month_dir.mkdir(parents=True, exist_ok=True)
        for n, city in enumerate(tree.children(province.id)):
            if (city.code, period) in sim.missing:
                continue
            members = [city, *tree.children(city.id)]
            figs = {u.code: sim.figures[(u.code, period)] for u in members}
            path = month_dir / f"{city.name}{YEAR}年{m}月.xlsx"
            write_city_summary(path, city, members, period, figs, inds, variant=n % 3,
                               submitted=sim.submitted.get((city.code, period)), campaign=name)
            written.append(path)
        if county_city is None:
            continue
        # the counties of one city fill in the standard template
        for county in tree.children(county_city.id):
            wb = build_template(db, tree, cat, "county", county, period)
            ws = wb.worksheets[0]
            figs = sim.figures[(county.code, period)]
            for (_, code, slot), ref in template_cells(cat, "county").items():
                mo, ytd = figs.get(code, (0.0, 0.0))
                ws[ref] = (mo if slot == "month" else ytd) or 0
            sent = sim.submitted.get((county_city.code, period))
            ref = footer_cell(ws)
            if ref and sent:
                ws[ref] = ws[ref].value.replace("    年  月  日", f"{sent.year}年{sent.month}月{max(1, sent.day - 1)}日")
            path = month_dir / f"{county.name}_{period}.xlsx"
            wb.save(path)
            written.append(path)
    return written
