"""Schema version 4: `import_read`, what each applied import read from its file, so that the same
file read again under the same conditions is known to be unchanged without being parsed.

- import_id: the import (of kind `file`, imported or revised) this reading belongs to;
- read_key: SHA-256 of everything the reading depends on (the file's bytes and path, the options
  given, the units, the catalog, the code that reads);
- summary: JSON of what the file's result shows that the import log does not keep (the months of
  its sheets, what made the file, the problems found in reading it).

A new, empty table: no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

from shiwan.store.migrations import set_version

revision = "4"
down_revision = "3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_read",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("read_key", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["import_log.id"]),
        sa.PrimaryKeyConstraint("import_id"),
    )
    op.create_index("ix_import_read_read_key", "import_read", ["read_key"], unique=False)
    set_version(op, revision)
