"""Constants of the schema that light-weight code needs without importing SQLModel."""

SCHEMA_VERSION = "4"  # 2: period_lock.user_name, done_at (were by, at); 3: unit spans, breakdowns, review, unit locks; 4: import_read

# Who reported a figure: the unit itself, or its parent in a summary (see models.Figure).
CHANNEL_OWN = 0
CHANNEL_SUMMARY = 1

# Target.year for a target that covers the whole campaign rather than one calendar year.
CAMPAIGN_TOTAL = 0
