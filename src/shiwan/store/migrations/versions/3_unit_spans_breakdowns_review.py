"""Schema version 3: the office's world as it was.

- unit: a code reused for another area is two units, so `code` is no longer unique on its own but
  with `first_year`; `first_year`, `last_year` (0 and 9999: always) and `successors` are new;
- indicator: `parent_id`, `part_name`, `part_name_en` for breakdowns (其中);
- period_lock: `unit_id`, a lock of one unit's month (NULL: the whole month, as every lock so far);
- review: the sign-off actions on each return (new table).

Every existing row keeps its values; new columns take their defaults.
"""

import sqlalchemy as sa
from alembic import op

from shiwan.store.migrations import set_version

revision = "3"
down_revision = "2"
branch_labels = None
depends_on = None

# SQLite keeps version 2's UNIQUE(code) unnamed; this names it so that it can be dropped
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    unique_code = _unique_code_constraint()
    with op.batch_alter_table("unit", naming_convention=_NAMES) as batch:
        batch.drop_constraint(unique_code, type_="unique")
        batch.add_column(sa.Column("first_year", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_year", sa.Integer(), nullable=False, server_default="9999"))
        batch.add_column(sa.Column("successors", sa.String(256), nullable=False, server_default=""))
        batch.create_unique_constraint("uq_unit_code_span", ["code", "first_year"])
        batch.create_index("ix_unit_code", ["code"], unique=False)
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_indicator_parent_id", "indicator", ["parent_id"], ["id"])
        batch.add_column(sa.Column("part_name", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("part_name_en", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("period_lock") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_period_lock_unit_id", "unit", ["unit_id"], ["id"])
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("done_at", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["import_log.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_unit_period", "review", ["unit_id", "period"], unique=False)
    set_version(op, revision)


def _unique_code_constraint() -> str:
    """The name of version 2's UNIQUE(code) on unit: PostgreSQL named it, SQLite did not."""
    for uc in sa.inspect(op.get_bind()).get_unique_constraints("unit"):
        if uc["column_names"] == ["code"] and uc["name"]:
            return uc["name"]
    return "uq_unit_code"


def downgrade() -> None:
    raise NotImplementedError("no way back but the backup `shiwan db upgrade` made: shiwan db restore")
