"""The schema's history as an Alembic migration chain: `versions/N_*.py` takes a database from schema
version N-1 to N. Revision ids are the schema versions, so `meta.schema_version` (read by every
command without loading Alembic) and Alembic's own `alembic_version` always name the same thing.
Run by `shiwan.store.schema`; docs/architecture.md says how to add a migration."""

from __future__ import annotations


def set_version(op, version: str) -> None:
    """Record in `meta` that the database now has this schema version (inside the migration's
    transaction, so the version and the change it names land together)."""
    op.execute("DELETE FROM meta WHERE key = 'schema_version'")
    op.execute(f"INSERT INTO meta (key, value) VALUES ('schema_version', '{version}')")
