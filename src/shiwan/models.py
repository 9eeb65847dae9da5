"""The schema of record, as SQLModel tables.

`shiwan init` creates these tables (with their keys, foreign keys and indexes) through SQLAlchemy, so
the same schema is produced on SQLite and PostgreSQL. Day-to-day reads and writes go through
`shiwan.db.Database` with plain, portable SQL; importing this module costs about half a second (it
pulls in pydantic and SQLAlchemy's ORM), which the commands that only read cannot afford.

Conventions:
- a period is the text `YYYY-MM`; years and quarters are read off it;
- timestamps are ISO 8601 text with the local UTC offset;
- a flow figure has `month` (本月) and/or `ytd` (本年累计); a stock figure keeps its level in `ytd`;
- `channel` says who reported a figure: 0 = the unit itself (its own return, or a city's 本级 row),
  1 = the parent's summary (a county's row in its city's summary). Both are kept; reports use the
  unit's own figure where there is one.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shiwan.ref.constants import CHANNEL_OWN, SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "create_schema"]


class Meta(SQLModel, table=True):
    """Key/value settings of one database: schema version, catalog version, deadline day."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Unit(SQLModel, table=True):
    """A union federation in the hierarchy (province -> city -> county), keyed by its code and the
    years it stands in: a code reused for a different area (230104 道外区 before and after 2004) is
    two units."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("code", "first_year", name="uq_unit_code_span"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, index=True)
    name: str = Field(max_length=128)
    level: str = Field(max_length=16)  # country | province | city | county | other
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    aliases: str = Field(default="", max_length=1024)  # '|'-separated other names
    sort_order: int = 0
    is_division: bool = True  # a GB/T 2260 code, not one of our own
    note: str = Field(default="", max_length=512)
    first_year: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # first year it stands (0: always)
    last_year: int = Field(default=9999, sa_column_kwargs={"server_default": "9999"})  # last year (9999: standing)
    successors: str = Field(default="", max_length=256, sa_column_kwargs={"server_default": ""})  # codes that took over its area: `230104;230112[2006]`


class Indicator(SQLModel, table=True):
    """One counted quantity of the catalog."""

    __tablename__ = "indicator"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=128)
    name_en: str = Field(default="", max_length=128)
    aliases: str = Field(default="", max_length=1024)  # '|'-separated
    measure: str = Field(max_length=16)  # 人, 人次, 期, 个, 处, 万元, 笔, 条
    kind: str = Field(max_length=8)  # flow | stock
    decimals: int = 0
    headline: bool = False
    sort_order: int = 0
    parent_id: int | None = Field(default=None, foreign_key="indicator.id")  # a breakdown (其中) of this indicator
    part_name: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})  # `女性`
    part_name_en: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


class Rule(SQLModel, table=True):
    """A consistency rule between two indicators of one unit and period: part <= whole."""

    __tablename__ = "rule"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    part_id: int = Field(foreign_key="indicator.id")
    whole_id: int = Field(foreign_key="indicator.id")
    severity: str = Field(max_length=8)  # error | warning
    message: str = Field(default="", max_length=512)
    message_en: str = Field(default="", max_length=512)


class Import(SQLModel, table=True):
    """One import of one file (or one revert), with where it came from and what it did."""

    __tablename__ = "import_log"
    __table_args__ = (Index("ix_import_unit_period", "unit_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="file", max_length=8)  # file | revert | targets
    file_name: str = Field(default="", max_length=512)
    file_path: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sha256: str = Field(default="", max_length=64)
    size: int = 0
    form: str = Field(default="", max_length=16)  # county | city | targets
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    period: str = Field(default="", max_length=7)
    submitted_on: str = Field(default="", max_length=10)  # 报出日期 YYYY-MM-DD, when the file says
    imported_at: str = Field(max_length=32)
    os_user: str = Field(default="", max_length=128)
    status: str = Field(max_length=12)  # imported | revised | rejected | reverted | revert
    n_new: int = 0
    n_changed: int = 0
    n_unchanged: int = 0
    n_warnings: int = 0
    problems: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON
    reverts_id: int | None = Field(default=None, foreign_key="import_log.id")
    reverted_by_id: int | None = Field(default=None, foreign_key="import_log.id")


class ImportRead(SQLModel, table=True):
    """What an applied import read from its file, keyed by all the reading depends on: the same file
    read again under the same conditions is known to be unchanged without being parsed."""

    __tablename__ = "import_read"
    import_id: int = Field(foreign_key="import_log.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    read_key: str = Field(max_length=64, index=True)
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON


class Figure(SQLModel, table=True):
    """The current value of one indicator for one unit and period, as one channel reported it."""

    __tablename__ = "figure"
    __table_args__ = (
        UniqueConstraint("unit_id", "indicator_id", "period", "channel", name="uq_figure_key"),
        # reports: one indicator (or a few) over a span of months; queries by period alone name
        # every indicator so that this index serves them too
        Index("ix_figure_indicator_period", "indicator_id", "period", "unit_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    indicator_id: int = Field(foreign_key="indicator.id")
    period: str = Field(sa_column=Column(String(7), nullable=False))
    channel: int = CHANNEL_OWN
    month: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    ytd: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    import_id: int = Field(foreign_key="import_log.id", index=True)
    sheet: str = Field(default="", max_length=128)
    month_cell: str = Field(default="", max_length=16)
    ytd_cell: str = Field(default="", max_length=16)
    warnings: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # JSON list


class FigureHistory(SQLModel, table=True):
    """A value a figure used to have, and the import (or revert) that replaced or removed it."""

    __tablename__ = "figure_history"
    __table_args__ = (Index("ix_history_key", "unit_id", "indicator_id", "period", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    indicator_id: int = Field(foreign_key="indicator.id")
    period: str = Field(sa_column=Column(String(7), nullable=False))
    channel: int = CHANNEL_OWN
    month: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    ytd: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    import_id: int = Field(foreign_key="import_log.id")  # the import that had set this value
    sheet: str = Field(default="", max_length=128)
    month_cell: str = Field(default="", max_length=16)
    ytd_cell: str = Field(default="", max_length=16)
    replaced_by_id: int = Field(foreign_key="import_log.id", index=True)
    action: str = Field(max_length=10)  # revised | reverted


class Campaign(SQLModel, table=True):
    """A campaign: its span of months, headline indicator and total target."""

    __tablename__ = "campaign"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=128)
    name_en: str = Field(default="", max_length=128)
    unit_id: int = Field(foreign_key="unit.id")
    start_period: str = Field(max_length=7)
    end_period: str = Field(max_length=7)
    indicator_id: int = Field(foreign_key="indicator.id")
    total_target: float = 0
    is_default: bool = False
    illustrative: bool = False
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    config: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON: checklist, scheme


class Target(SQLModel, table=True):
    """The number a unit (with its whole subtree) must reach: in a year, or over the whole campaign."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "indicator_id", "year", name="uq_target_key"),
        Index("ix_target_year", "year", "indicator_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    unit_id: int = Field(foreign_key="unit.id")
    indicator_id: int = Field(foreign_key="indicator.id")
    year: int  # the calendar year, or schema.CAMPAIGN_TOTAL (0) for the whole campaign
    value: float
    set_at: str = Field(default="", max_length=32)
    set_by: str = Field(default="", max_length=128)
    source: str = Field(default="", max_length=512)


class PeriodLock(SQLModel, table=True):
    """Each lock and unlock of a period (of one unit, or of every unit), with who and when; the latest
    row is the state."""

    __tablename__ = "period_lock"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # None: the whole month
    action: str = Field(max_length=8)  # lock | unlock
    user_name: str = Field(default="", max_length=128)
    done_at: str = Field(max_length=32)
    note: str = Field(default="", max_length=512)


class Review(SQLModel, table=True):
    """Each sign-off action on one unit's return for one period: received (已收), approved (已审核),
    returned (退回, with the reason) or reopened; the latest row is the return's status."""

    __tablename__ = "review"
    __table_args__ = (Index("ix_review_unit_period", "unit_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    period: str = Field(max_length=7)
    status: str = Field(max_length=10)  # received | approved | returned | reopened
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    user_name: str = Field(default="", max_length=128)
    done_at: str = Field(max_length=32)
    import_id: int | None = Field(default=None, foreign_key="import_log.id")


def create_schema(url: str) -> None:
    """Create every table and index that does not exist yet (safe to run again)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        SQLModel.metadata.create_all(engine)
    finally:
        engine.dispose()
