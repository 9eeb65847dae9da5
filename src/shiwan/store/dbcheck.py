"""`shiwan db check`: is the database whole, and is it the schema this program expects?

- the file itself (SQLite's `integrity_check`; PostgreSQL checks its pages itself);
- every foreign key points at a row that exists (SQLite's `foreign_key_check`, and on any engine a
  query per key of the models, so a database restored or edited by hand is caught too);
- the schema version, in `meta` and in Alembic's `alembic_version`;
- the tables, columns and indexes are those of the models (Alembic's comparison), so a column
  dropped or added by hand shows up before the first write fails on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.ref.constants import SCHEMA_VERSION
from shiwan.store.db import Database, open_db

CHECKS = ("integrity", "foreign_keys", "version", "schema")


@dataclass
class CheckResult:
    check: str
    ok: bool
    details: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"check": self.check, "ok": self.ok, "details": self.details}


def check_database(location: str) -> list[CheckResult]:
    """One result per check, in the order of CHECKS."""
    from sqlalchemy import create_engine, inspect

    from shiwan.store.db import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(location))
    try:
        with open_db(location, any_version=True) as db:
            with engine.connect() as conn:
                keys = _declared_keys(inspect(conn))
            results = [_integrity(db), _foreign_keys(db, keys), _version(db)]
        results.append(_schema(engine))
    finally:
        engine.dispose()
    return results


def _declared_keys(inspector) -> list[tuple[str, str, str, str]]:
    """(table, column, referred table, referred column) of every foreign key the database declares."""
    out = []
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            for col, ref_col in zip(fk["constrained_columns"], fk["referred_columns"], strict=False):
                out.append((table, col, fk["referred_table"], ref_col))
    return out


def _integrity(db: Database) -> CheckResult:
    if not db.is_sqlite:
        return CheckResult("integrity", True)
    rows = [r[0] for r in db.all("PRAGMA integrity_check")]
    return CheckResult("integrity", rows == ["ok"], [] if rows == ["ok"] else rows[:20])


def _foreign_keys(db: Database, keys: list[tuple[str, str, str, str]]) -> CheckResult:
    details = []
    if db.is_sqlite:
        for table, rowid, parent, _fk in db.all("PRAGMA foreign_key_check")[:20]:
            details.append(f"{table} #{rowid} -> {parent}")
    for table, col, ref_table, ref_col in keys:
        n = db.scalar(f"SELECT COUNT(*) FROM {table} c WHERE c.{col} IS NOT NULL AND NOT EXISTS "
                      f"(SELECT 1 FROM {ref_table} p WHERE p.{ref_col} = c.{col})")
        if n:
            details.append(f"{table}.{col} -> {ref_table}.{ref_col}: {n}")
    details = list(dict.fromkeys(details))
    return CheckResult("foreign_keys", not details, details)


def _version(db: Database) -> CheckResult:
    found = db.meta("schema_version")
    # a database from before the migration chain has no alembic_version
    stamped = db.scalar("SELECT version_num FROM alembic_version") if db.has_table("alembic_version") else None
    details = []
    if found != SCHEMA_VERSION:
        details.append(f"meta.schema_version = {found}, this program: {SCHEMA_VERSION} (shiwan db upgrade)")
    if stamped != found:
        details.append(f"alembic_version = {stamped}, meta.schema_version = {found}")
    return CheckResult("version", not details, details)


def _schema(engine) -> CheckResult:
    """Differences between the database's tables and the models, as Alembic's autogenerate sees them."""
    details = [describe_difference(d) for d in schema_differences(engine)]
    return CheckResult("schema", not details, details)


def schema_differences(engine) -> list:
    """Alembic's differences between the tables of a database and those of the models (its own
    bookkeeping table aside): empty when the migrations have built exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import shiwan.models  # noqa: F401 - registers the tables

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    return [d for d in diff if not _is_bookkeeping(d)]


def _is_bookkeeping(d) -> bool:
    return isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version"


def describe_difference(d) -> str:
    """One line for one of Alembic's differences: `add_column figure.note`, `remove_index ix_x`."""
    if isinstance(d, list):  # column changes come as a list of tuples
        return "; ".join(describe_difference(x) for x in d)
    kind = d[0]
    if kind in ("add_table", "remove_table"):
        return f"{kind} {d[1].name}"
    if kind in ("add_column", "remove_column"):
        return f"{kind} {d[2]}.{d[3].name}"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        obj = d[1]
        table = getattr(getattr(obj, "table", None), "name", "")
        cols = ",".join(c.name for c in getattr(obj, "columns", []))
        return f"{kind} {table}({cols}) {obj.name or ''}".rstrip()
    if kind.startswith("modify_"):
        return f"{kind} {d[2]}.{d[3]}: {d[5]} -> {d[6]}"
    return str(d)
