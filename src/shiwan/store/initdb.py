"""`shiwan init`: create a database and load the built-in defaults (or files given instead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shiwan.base.settings import data_dir, os_user
from shiwan.ref.campaigns import load_campaign_file, save_campaign
from shiwan.ref.catalog import load_catalog_file, save_catalog
from shiwan.ref.unitaliases import DEFAULT_ALIASES, add_aliases, read_aliases
from shiwan.ref.unitsfile import read_units_csv, save_units
from shiwan.store.db import Database, sqlite_path

DEFAULT_UNITS = "divisions-heilongjiang-history.csv"  # every division since 1981, with the years it stood
DEFAULT_CATALOG = "indicators.toml"
DEFAULT_CAMPAIGN = "campaign-shiwan.toml"
DEFAULT_DEADLINE_DAY = 5


@dataclass
class InitReport:
    location: str
    created: bool
    units_added: int = 0
    units_updated: int = 0
    indicators_added: int = 0
    indicators_updated: int = 0
    campaign: str = ""
    targets_added: int = 0
    targets_updated: int = 0
    skipped_campaign: str = ""


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def init_database(location: str, *, units: Path | None = None, catalog: Path | None = None,
                  campaign: Path | None = None) -> InitReport:
    """Create the schema (at the newest version, stamped) and load the defaults into a new database;
    on an existing one, load only the files given. Every file is checked before anything is written,
    and schema and data go in one transaction: all or nothing, and a second `init` at the same time
    waits for the first, then finds the database made."""
    from shiwan.store.schema import create_at_head, schema_transaction

    path = sqlite_path(location)
    existed = path is not None and Path(path).is_file() and Path(path).stat().st_size > 0
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Read every input first, so that a bad file changes nothing.
    unit_rows = read_units_csv(units or data_dir() / DEFAULT_UNITS) if (units or not existed) else None
    cat = load_catalog_file(catalog or data_dir() / DEFAULT_CATALOG) if (catalog or not existed) else None
    camp = load_campaign_file(campaign or data_dir() / DEFAULT_CAMPAIGN) if (campaign or not existed) else None

    with schema_transaction(location) as conn:
        fresh = create_at_head(conn, location)
        db = Database.on_connection(conn, location)
        report = InitReport(location=location, created=fresh)
        if fresh:
            db.set_meta("created_at", now_iso())
            db.set_meta("deadline_day", str(DEFAULT_DEADLINE_DAY))
        if unit_rows is not None and (units or fresh):
            report.units_added, report.units_updated = save_units(db, unit_rows)
            if units is None or Path(units).resolve().parent == data_dir().resolve():  # built-in units: short names too
                add_aliases(db, read_aliases(data_dir() / DEFAULT_ALIASES))
        if cat is not None and (catalog or fresh):
            report.indicators_added, report.indicators_updated = save_catalog(db, cat)
        if camp is not None and (campaign or fresh):
            _load_campaign(db, camp, report, given=campaign is not None)
    return report


def _load_campaign(db: Database, camp, report: InitReport, *, given: bool) -> None:
    known = {c for (c,) in db.all("SELECT code FROM unit")}
    inds = {c for (c,) in db.all("SELECT code FROM indicator")}
    needed = {camp.indicator, *(i for (_, i, _) in camp.targets), *camp.config.get("checklist", [])}
    units_needed = {camp.unit, *(u for (_, _, u) in camp.targets)}
    if not given and (not units_needed <= known or not needed <= inds):
        # another province or another catalog: the built-in campaign does not apply
        report.skipped_campaign = camp.code
        return
    report.targets_added, report.targets_updated = save_campaign(
        db, camp, user=os_user(), now=now_iso(), replace_targets=given)
    report.campaign = camp.code
