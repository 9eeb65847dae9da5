"""Stored flow series of the units a batch touches, for the month-to-month checks."""

from __future__ import annotations

from shiwan.check.model import Change, MonthValue
from shiwan.ref.catalog import Catalog
from shiwan.store.db import Database, in_clause


class FlowHistory:
    """Stored flow figures of the units a batch touches, loaded once per unit and kept up to date
    as the batch writes, so that checking a file does not re-read what the last file just wrote."""

    def __init__(self, db: Database, catalog: Catalog, since: str):
        self.db = db
        self.since = since
        self.flow_ids = [i.id for i in catalog.with_parts() if i.kind == "flow"]  # breakdowns chain month to month too
        self.series: dict[tuple[int, int], dict[str, dict[int, MonthValue]]] = {}
        self._sorted: dict[tuple[int, int], list[str]] = {}
        self.loaded: set[int] = set()

    def reach_back(self, since: str) -> None:
        """Make sure months from `since` on are covered (a batch may go back in time)."""
        if since < self.since:
            self.since = since
            self.series.clear()
            self._sorted.clear()
            self.loaded.clear()

    def load(self, unit_ids: set[int]) -> None:
        missing = sorted(u for u in unit_ids if u not in self.loaded)
        ic, ip = in_clause("i", self.flow_ids)
        for n in range(0, len(missing), 400):
            chunk = missing[n : n + 400]
            uc, up = in_clause("u", chunk)
            for uid, iid, period, channel, month, ytd, import_id, sheet, cell in self.db.iter(
                "SELECT unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, "
                f"COALESCE(NULLIF(ytd_cell, ''), month_cell) FROM figure WHERE unit_id IN {uc} "
                f"AND indicator_id IN {ic} AND period >= :a", {**up, **ip, "a": self.since},
            ):
                self.series.setdefault((uid, iid), {}).setdefault(period, {})[channel] = \
                    MonthValue(month, ytd, (self.db, import_id, sheet, cell))
                self._sorted.pop((uid, iid), None)
            self.loaded.update(chunk)

    def sorted_periods(self, key: tuple[int, int]) -> list[str]:
        """The months stored for (unit, indicator), in order (kept until the key changes)."""
        got = self._sorted.get(key)
        if got is None:
            got = self._sorted[key] = sorted(self.series.get(key, ()))
        return got

    def record(self, plan: list[Change], import_id: int) -> None:
        """The figures a file has just written."""
        for c in plan:
            f = c.figure
            if f.unit_id in self.loaded and c.period >= self.since and c.indicator_id in self.flow_ids:
                where = (self.db, import_id, c.sheet, f.ytd_cell or f.month_cell)
                key = (f.unit_id, c.indicator_id)
                months = self.series.setdefault(key, {})
                if c.period not in months:
                    self._sorted.pop(key, None)
                months.setdefault(c.period, {})[f.channel] = MonthValue(f.month, f.ytd, where)


