"""The end of the demo: a city's office runs shiwan too.

Its counties' returns for the last month (and its own office's) go into the city's own database;
`shiwan send` writes its summary for the month from there; the province imports that file against
what it already holds from the city's hand-made summary, and the demo shows the outcome: `unchanged`
when every figure agrees, else the figures that differ.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shiwan.base.i18n import t

CHAIN_CITY = "230400"  # 鹤岗市: its hand-made summary gives 本月 and 本年累计, so the province holds both
CITY_DB = "shiwan-city.db"


def copy_database(source: Path, target: Path) -> None:
    """A copy of a freshly made SQLite database (the city's starts like the province's)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def run_chain(province_db, city_db_path: Path, folder: Path, sim, inds, period: str, out) -> str | None:
    """The city's round: its returns into its database, its summary sent, the province's import of
    it printed on `out`; the import's status, or None when the city did not report that month."""
    from shiwan.demo.samples import write_county_return
    from shiwan.imports import import_files
    from shiwan.recognize import Options
    from shiwan.ref.units import UnitTree
    from shiwan.render.importview import print_summary, show_import
    from shiwan.render.sendfile import write_send
    from shiwan.store.db import open_db
    from shiwan.tally.sending import outgoing

    tree = UnitTree.from_db(province_db).at(period)
    city = tree.by_code.get(CHAIN_CITY)
    sent_on = sim.submitted.get((CHAIN_CITY, period))
    if city is None or sent_on is None or (CHAIN_CITY, period) in sim.missing:
        return None
    inbox = folder / city.name / period  # the city's name in the path settles 向阳区 (鹤岗's, not 佳木斯's)
    inbox.mkdir(parents=True, exist_ok=True)
    files = []
    for u in [city, *tree.children(city.id)]:  # the counties' returns, and the city office's own
        path = inbox / f"{u.name}_{period}.xlsx"
        write_county_return(path, u, period, sim.figures[(u.code, period)], inds, submitted=sent_on)
        files.append(path)
    sent = folder / f"{city.name}_{period}_汇总表.xlsx"
    with open_db(str(city_db_path)) as city_db:
        refused = [r for r in import_files(city_db, files, Options()) if r.status == "rejected"]
        if refused:
            print_summary(refused, dry_run=False, stream=out)
        write_send(city_db, outgoing(city_db, period, CHAIN_CITY), sent, sent_on)
    out.write("\n" + t("demo.chain", city=city.name, period=period, file=str(sent)) + "\n")
    result = import_files(province_db, [sent], Options())[0]
    print_summary([result], dry_run=False, stream=out)
    if result.import_id is not None:  # what differs: the figures the import set or changed
        show_import(province_db, result.import_id, "table", stream=out)
    return result.status
