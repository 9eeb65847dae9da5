"""Schema version 1, the first release: the tables as `shiwan init` created them then.

A database of version 1 or 2 was made before this chain existed and has no `alembic_version`; its
`meta.schema_version` says where it stands, and `shiwan db upgrade` starts there. This revision builds
version 1 from nothing, which the tests use to make a version-1 database on any engine.
"""

import sqlalchemy as sa
from alembic import op

from shiwan.store.migrations import set_version

revision = "1"
down_revision = None
branch_labels = None
depends_on = None


def _s(n: int) -> sa.String:
    return sa.String(length=n)


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _s(64), nullable=False),
        sa.Column("name", _s(128), nullable=False),
        sa.Column("name_en", _s(128), nullable=False),
        sa.Column("aliases", _s(1024), nullable=False),
        sa.Column("measure", _s(16), nullable=False),
        sa.Column("kind", _s(8), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "meta",
        sa.Column("key", _s(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "period_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", _s(7), nullable=False),
        sa.Column("action", _s(8), nullable=False),
        sa.Column("by", _s(128), nullable=False),
        sa.Column("at", _s(32), nullable=False),
        sa.Column("note", _s(512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_period_lock_period", "period_lock", ["period"], unique=False)
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _s(32), nullable=False),
        sa.Column("name", _s(128), nullable=False),
        sa.Column("level", _s(16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("aliases", _s(1024), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_division", sa.Boolean(), nullable=False),
        sa.Column("note", _s(512), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_unit_parent_id", "unit", ["parent_id"], unique=False)
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _s(64), nullable=False),
        sa.Column("name", _s(128), nullable=False),
        sa.Column("name_en", _s(128), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("start_period", _s(7), nullable=False),
        sa.Column("end_period", _s(7), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("total_target", sa.Float(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _s(8), nullable=False),
        sa.Column("file_name", _s(512), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("sha256", _s(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("form", _s(16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("period", _s(7), nullable=False),
        sa.Column("submitted_on", _s(10), nullable=False),
        sa.Column("imported_at", _s(32), nullable=False),
        sa.Column("os_user", _s(128), nullable=False),
        sa.Column("status", _s(12), nullable=False),
        sa.Column("n_new", sa.Integer(), nullable=False),
        sa.Column("n_changed", sa.Integer(), nullable=False),
        sa.Column("n_unchanged", sa.Integer(), nullable=False),
        sa.Column("n_warnings", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.Column("reverted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["reverted_by_id"], ["import_log.id"]),
        sa.ForeignKeyConstraint(["reverts_id"], ["import_log.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_unit_period", "import_log", ["unit_id", "period"], unique=False)
    op.create_table(
        "rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _s(64), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("whole_id", sa.Integer(), nullable=False),
        sa.Column("severity", _s(8), nullable=False),
        sa.Column("message", _s(512), nullable=False),
        sa.Column("message_en", _s(512), nullable=False),
        sa.ForeignKeyConstraint(["part_id"], ["indicator.id"]),
        sa.ForeignKeyConstraint(["whole_id"], ["indicator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    for name in ("figure", "figure_history"):
        op.create_table(name, *_figure_columns(history=name == "figure_history"))
    op.create_index("ix_figure_import_id", "figure", ["import_id"], unique=False)
    op.create_index("ix_figure_indicator_period", "figure", ["indicator_id", "period", "unit_id"], unique=False)
    op.create_index("ix_figure_history_replaced_by_id", "figure_history", ["replaced_by_id"], unique=False)
    op.create_index("ix_history_key", "figure_history", ["unit_id", "indicator_id", "period", "channel"], unique=False)
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("set_at", _s(32), nullable=False),
        sa.Column("set_by", _s(128), nullable=False),
        sa.Column("source", _s(512), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "unit_id", "indicator_id", "year", name="uq_target_key"),
    )
    op.create_index("ix_target_year", "target", ["year", "indicator_id"], unique=False)
    set_version(op, revision)


def _figure_columns(*, history: bool) -> list:
    """The columns of `figure` (a value now) or `figure_history` (a value replaced)."""
    cols = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("month", sa.Float(), nullable=True),
        sa.Column("ytd", sa.Float(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("sheet", _s(128), nullable=False),
        sa.Column("month_cell", _s(16), nullable=False),
        sa.Column("ytd_cell", _s(16), nullable=False),
    ]
    if history:
        cols += [
            sa.Column("replaced_by_id", sa.Integer(), nullable=False),
            sa.Column("action", _s(10), nullable=False),
            sa.ForeignKeyConstraint(["replaced_by_id"], ["import_log.id"]),
        ]
    else:
        cols += [
            sa.Column("warnings", sa.Text(), nullable=False),
            sa.UniqueConstraint("unit_id", "indicator_id", "period", "channel", name="uq_figure_key"),
        ]
    return [*cols,
            sa.ForeignKeyConstraint(["import_id"], ["import_log.id"]),
            sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"]),
            sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
            sa.PrimaryKeyConstraint("id")]


def downgrade() -> None:
    raise NotImplementedError("version 1 is the first: there is nothing before it")
