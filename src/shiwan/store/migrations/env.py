"""Alembic's environment: run the chain on the connection `shiwan.store.schema` hands over (inside
the transaction it holds), or on `sqlalchemy.url` when a developer runs `alembic` by hand."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from shiwan.models import SQLModel

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - a developer's `alembic -x ...` run
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
