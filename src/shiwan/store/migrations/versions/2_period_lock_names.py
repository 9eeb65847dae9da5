"""Schema version 2: period_lock's `by` and `at` become `user_name` and `done_at` (BY is a reserved
word in PostgreSQL, which the plain SQL of the tool could not name).

Databases made by the very first builds of version 1 also differ in small ways from the release:
no `campaign.config`, and single-column indexes on the import log and one on figure (period, unit);
this step brings those to the release's shape as well, so that every version-1 database arrives at
the same version 2.
"""

import sqlalchemy as sa
from alembic import op

from shiwan.store.migrations import set_version

revision = "2"
down_revision = "1"
branch_labels = None
depends_on = None

_EARLY_INDEXES = {"import_log": ("ix_import_log_sha256", "ix_import_log_unit_id", "ix_import_log_period"),
                  "figure": ("ix_figure_period_unit",)}


def upgrade() -> None:
    with op.batch_alter_table("period_lock") as batch:
        batch.alter_column("by", new_column_name="user_name", existing_type=sa.String(128), existing_nullable=False)
        batch.alter_column("at", new_column_name="done_at", existing_type=sa.String(32), existing_nullable=False)
    inspector = sa.inspect(op.get_bind())
    if "config" not in {c["name"] for c in inspector.get_columns("campaign")}:
        with op.batch_alter_table("campaign") as batch:
            batch.add_column(sa.Column("config", sa.Text(), nullable=False, server_default="{}"))
    for table, names in _EARLY_INDEXES.items():
        present = {ix["name"] for ix in inspector.get_indexes(table)}
        for name in names:
            if name in present:
                op.drop_index(name, table_name=table)
        if table == "import_log" and "ix_import_unit_period" not in present:
            op.create_index("ix_import_unit_period", "import_log", ["unit_id", "period"], unique=False)
    set_version(op, revision)


def downgrade() -> None:
    raise NotImplementedError("no way back but the backup `shiwan db upgrade` made: shiwan db restore")
