"""From stored figures to the numbers reports show: 本月, 本年累计 and levels, per unit and per subtree.

Rules (DESIGN §2):
- a unit's own (本级) figure is what it reported itself, else — for a county, which has no units
  below it — its row in its city's summary; a city's row in a province's summary is the city's total,
  used only where nothing in the city reported;
- a flow's 本年累计 at month P is the latest 累计 reported in P's year up to P, carried forward over
  months not reported, plus any 本月 figures reported after it (a return with only 本月 adds up);
- a flow's 本月 at P is the 本月 reported, else this month's 累计 minus last month's (however last
  month was reported);
- a stock's level at P is the latest level reported at or before P, in any year (carried forward);
- a subtree's figure is the sum over the unit (本级) and every unit below it.

What a figure does not know (docs/reports.md, "What a report does not know"): every figure stands at
a month (`as_of`): the month of the return it comes from, which is earlier than the period asked
about when it was carried forward; a subtree's figure stands at the oldest month among the figures it
sums, and counts how many of the subtree's reporting units sent figures of the period itself
(`received` of `expected`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shiwan.ref import periods
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.units import UnitTree
from shiwan.store.db import Database, in_clause

# Units that compile rather than report: a province's own figures are not expected every month.
NOT_REPORTING = ("province", "country")

# Beyond this many units a query is not restricted by unit id (an IN list that long costs more than it saves).
MAX_UNIT_FILTER = 800


@dataclass(frozen=True)
class Coverage:
    """How complete a figure is: reporting units expected in the subtree, those of them whose figure
    is of the period itself, and the oldest month among the figures summed (None: no figure at all)."""

    expected: int
    received: int
    as_of: str | None
    newest: str | None = None  # the latest month among the figures summed

    def __post_init__(self) -> None:
        if self.newest is None:
            object.__setattr__(self, "newest", self.as_of)

    def carried(self, period: str) -> bool:
        """True when some figure in it is from an earlier month than `period`."""
        return self.as_of is not None and self.as_of < period


def combined(parts: list[Coverage | None]) -> Coverage | None:
    """The coverage of a sum of subtrees' figures."""
    got = [c for c in parts if c is not None]
    if not got:
        return None
    months = [m for c in got for m in (c.as_of, c.newest) if m is not None]
    return Coverage(sum(c.expected for c in got), sum(c.received for c in got), min(months) if months else None,
                    max(months) if months else None)


class Values:
    """Figures of some indicators over a span of months, for one subtree (or everything)."""

    def __init__(self, db: Database, tree: UnitTree, catalog: Catalog, codes: Iterable[str], first: str, last: str,
                 scope_id: int | None = None, focus: Iterable[str] | None = None):
        """Load `codes` for months `first`..`last` (`first` in January of the earliest year asked about).

        `focus`, when given, names the only months the caller will ask flows about: then only those
        months (and the months before them) are read, and a unit's whole span only where its
        return for a focus month does not carry a 本年累计 — most units' figures come from one row."""
        self.tree = tree.base
        self.catalog = catalog
        self.codes = list(dict.fromkeys(codes))
        self.first, self.last = first, last
        self.scope_id = scope_id
        # the units standing in any year of the span, under the scope as it stood that year
        self._order: dict[int, list] = {}
        seen: dict[int, object] = {}
        for y in range(periods.year_of(first), periods.year_of(last) + 1):
            for u in self._standing(y):
                seen.setdefault(u.id, u)
        self.units = list(seen.values())
        self.unit_ids = [u.id for u in self.units]
        self.db = db
        flows = [catalog.by_code[c] for c in self.codes if catalog.by_code[c].kind == "flow"]
        stocks = [catalog.by_code[c] for c in self.codes if catalog.by_code[c].kind == "stock"]
        # (unit_id, indicator code) -> {period: (month, ytd)} with the channel already resolved
        self.flow: dict[tuple[int, str], dict[str, tuple[float | None, float | None]]] = {}
        # (unit_id, indicator code) -> sorted [(period, level)]
        self.stock: dict[tuple[int, str], list[tuple[str, float]]] = {}
        self._ytd_cache: dict[tuple[int, str, str], float | None] = {}
        self._memo: dict[tuple, dict] = {}  # whole-subtree results, which never change once loaded
        self._present: set[str] | None = None  # the codes the units read have figures of, when first asked
        # totals a parent's summary gave for units that have units below them, used where nothing
        # below reported: (unit_id, code) -> like `flow` / `stock`
        self.flow_total: dict[tuple[int, str], dict[str, tuple[float | None, float | None]]] = {}
        self.stock_total: dict[tuple[int, str], list[tuple[str, float]]] = {}
        self._parents = {u.id for y in range(periods.year_of(first), periods.year_of(last) + 1)
                         for u in self._standing(y) if self.tree.at(y).children(u.id)}
        self._unit_filter, self._uparams = "", {}
        if len(self.unit_ids) <= MAX_UNIT_FILTER:
            clause, self._uparams = in_clause("u", self.unit_ids)
            self._unit_filter = f" AND unit_id IN {clause}"
        flows = self._reported(flows, first, last)
        if flows and focus is None:
            self._load_flows(flows, "period BETWEEN :a AND :b", {"a": first, "b": last})
        elif flows:
            self._load_focus(flows, list(focus or ()), first, last)
        if stocks:
            self._load_stocks(stocks, first, last)

    def _load_focus(self, flows: list, focus: list[str], first: str, last: str) -> None:
        """Only the focus months (and the months before them); a unit's whole span only where its
        return for a focus month carries no 本年累计."""
        months = sorted({m for f in focus for m in (f, periods.previous(f))})
        pclause, pparams = in_clause("p", months)
        self._load_flows(flows, f"period IN {pclause}", pparams)
        need = set()
        flow, codes = self.flow, [ind.code for ind in flows]
        checks = [(f, not f.endswith("-01")) for f in focus]  # a January's 本月 is its 累计
        for u in self.units:
            for code in codes:
                series = flow.get((u.id, code)) or {}
                if any((row := series.get(f)) is None or (row[1] is None and later) for f, later in checks):
                    need.add(u.id)
                    break
        ids = sorted(need)
        for n in range(0, len(ids), 400):
            uclause, uparams = in_clause("w", ids[n : n + 400])
            self._load_flows(flows, f"period BETWEEN :a AND :b AND unit_id IN {uclause}",
                             {"a": first, "b": last, **uparams}, scoped=False)

    def _reported(self, flows: list, first: str, last: str) -> list:
        """The flows with any figure in the span (one index probe each): an indicator nobody reported,
        a breakdown most often, is not looked for unit by unit."""
        if len(flows) <= 1:
            return flows
        return [i for i in flows if self.db.scalar(
            "SELECT 1 FROM figure WHERE indicator_id = :i AND period BETWEEN :a AND :b LIMIT 1",
            {"i": i.id, "a": first, "b": last})]

    def _standing(self, year: int) -> list:
        """The units under the scope standing in `year`, depth first (parents before children)."""
        got = self._order.get(year)
        if got is None:
            view = self.tree.at(year)
            got = view.subtree(self.scope_id) if self.scope_id is not None else view.everything()
            self._order[year] = got
        return got

    def _load_flows(self, flows, where: str, params: dict, *, scoped: bool = True) -> None:
        clause, iparams = in_clause("i", [i.id for i in flows])
        by_id = {i.id: i.code for i in flows}
        unit_filter, uparams = (self._unit_filter, self._uparams) if scoped else ("", {})
        found = f"indicator_id IN {clause} AND {where}{unit_filter}"
        if self.db.is_sqlite:
            # the rows found in the index, then read in the table's own order: the index holds no
            # figures, and read in its order every row was a seek elsewhere in the table (-20 %);
            # PostgreSQL's bitmap scans already read the table in its order
            found = f"id IN (SELECT id FROM figure WHERE {found})"
        rows = self.db.all("SELECT unit_id, indicator_id, period, channel, month, ytd FROM figure "
                           f"WHERE {found}", {**iparams, **params, **uparams})
        flow = self.flow
        others = []  # rows of a summary above the unit, most often none
        for row in rows:
            if row[3] != CHANNEL_OWN:
                others.append(row)
                continue
            uid, iid, period, _channel, month, ytd = row
            flow.setdefault((uid, by_id[iid]), {})[period] = (month, ytd)
        if not others:
            return
        own = {(r[0], r[1], r[2]) for r in rows if r[3] == CHANNEL_OWN}
        for uid, iid, period, _channel, month, ytd in others:  # in the order read: the last one wins
            code = by_id[iid]
            if uid in self._parents:
                # a city's row in the province's summary is the city's total, not its 本级
                self.flow_total.setdefault((uid, code), {})[period] = (month, ytd)
            elif (uid, iid, period) not in own:  # the unit's own return wins over its row in the parent's summary
                flow.setdefault((uid, code), {})[period] = (month, ytd)

    def _load_stocks(self, stocks, first: str, last: str) -> None:
        """Levels reported in `first`..`last`, and the latest one before `first` (carried forward)."""
        clause, iparams = in_clause("i", [i.id for i in stocks])
        by_id = {i.id: i.code for i in stocks}
        params = {**iparams, **self._uparams, "a": first, "b": last}
        rows = self.db.all(
            "SELECT unit_id, indicator_id, period, channel, ytd FROM figure "
            f"WHERE indicator_id IN {clause} AND period BETWEEN :a AND :b AND ytd IS NOT NULL{self._unit_filter}",
            params,
        )
        rows += self.db.all(
            "SELECT f.unit_id, f.indicator_id, f.period, f.channel, f.ytd FROM figure f JOIN ("
            f"SELECT unit_id, indicator_id, MAX(period) AS last_period FROM figure WHERE indicator_id IN {clause} "
            f"AND period < :a AND ytd IS NOT NULL{self._unit_filter} GROUP BY unit_id, indicator_id) m "
            "ON f.unit_id = m.unit_id AND f.indicator_id = m.indicator_id AND f.period = m.last_period "
            "WHERE f.ytd IS NOT NULL",
            params,
        )
        rows.sort(key=lambda r: (r[0], r[1], r[2], -r[3]))  # own channel (0) last within a month: it wins
        for uid, iid, period, channel, level in rows:
            target = self.stock_total if (channel != CHANNEL_OWN and uid in self._parents) else self.stock
            series = target.setdefault((uid, by_id[iid]), [])
            if series and series[-1][0] == period:
                series[-1] = (period, level)
            else:
                series.append((period, level))

    def has_figures(self, code: str) -> bool:
        """Whether any of the units read has a figure of `code` in `flow` or `stock`."""
        if self._present is None:
            ids = set(self.unit_ids)
            self._present = {c for uid, c in (*self.flow, *self.stock) if uid in ids}
        return code in self._present

    # -- one unit's own figures ------------------------------------------------------------------------------

    def ytd(self, unit_id: int, code: str, period: str) -> float | None:
        """The unit's own 本年累计 at `period` (None when it reported nothing in that year so far)."""
        series = self.flow.get((unit_id, code))
        if series:
            here = series.get(period)
            if here is not None and here[1] is not None:
                return here[1]  # what the walk would give, without it (most units, most months)
        key = (unit_id, code, period)
        if key not in self._ytd_cache:
            self._ytd_cache[key] = _walk_ytd(self.flow.get((unit_id, code)), period)
        return self._ytd_cache[key]

    def month(self, unit_id: int, code: str, period: str) -> float | None:
        """The unit's own 本月 at `period`: as reported, else this 累计 minus last month's."""
        return _month(self.flow.get((unit_id, code)), period)

    def level(self, unit_id: int, code: str, period: str) -> float | None:
        """The unit's own level of a stock at `period`: the latest reported at or before it."""
        return _level(self.stock.get((unit_id, code)), period)

    def reported_total(self, unit_id: int, code: str, period: str, what: str) -> float | None:
        """The total its parent's summary gave for a unit with units below it."""
        if self.catalog.by_code[code].kind == "stock":
            return _level(self.stock_total.get((unit_id, code)), period)
        series = self.flow_total.get((unit_id, code))
        return _walk_ytd(series, period) if what == "ytd" else _month(series, period)

    def reported(self, unit_id: int, code: str, period: str) -> bool:
        if self.catalog.by_code[code].kind == "stock":
            return any(p == period for p, _ in self.stock.get((unit_id, code), []))
        return period in self.flow.get((unit_id, code), {})

    def value(self, unit_id: int, code: str, period: str, what: str) -> float | None:
        return self._getter(code, what)(unit_id, code, period)

    def _getter(self, code: str, what: str):
        """The method `value` calls for `code` and `what`: (unit id, code, period) -> figure."""
        if what == "ytd":
            return self.ytd if self.catalog.by_code[code].kind == "flow" else self.level
        return self.month if what == "month" else self.level

    def as_of(self, unit_id: int, code: str, period: str) -> str | None:
        """The month of the unit's own figure at `period`: the last month up to `period` (in its year,
        for a flow) in which it was reported; None when there is none."""
        if self.catalog.by_code[code].kind == "stock":
            return _level_month(self.stock.get((unit_id, code)), period)
        return _last_month(self.flow.get((unit_id, code)), period)

    def _reported_total_as_of(self, unit_id: int, code: str, period: str) -> str | None:
        if self.catalog.by_code[code].kind == "stock":
            return _level_month(self.stock_total.get((unit_id, code)), period)
        return _last_month(self.flow_total.get((unit_id, code)), period)

    def coverage(self, code: str, period: str) -> dict[int, Coverage]:
        """unit id -> how complete the unit's subtree figure is at `period` (see `Coverage`)."""
        key = ("coverage", code, period)
        if key not in self._memo:
            self._memo[key] = self._coverage(code, period)
        return self._memo[key]

    def _coverage(self, code: str, period: str) -> dict[int, Coverage]:
        out: dict[int, Coverage] = {}
        year = periods.year_of(period)
        children, got, as_of, parents = self.tree.at(year).children, out.get, self.as_of, self._parents
        for u in reversed(self._standing(year)):  # children before parents, as the tree stood then
            month = as_of(u.id, code, period)
            expected = 1 if (u.level not in NOT_REPORTING or month is not None) else 0
            received = 1 if month == period else 0
            months = [month] if month is not None else []
            for child in children(u.id):
                c = got(child.id)
                if c is None:
                    continue
                expected += c.expected
                received += c.received
                if c.as_of is not None:
                    months += [c.as_of, c.newest]
            if not months and u.id in parents:
                total_month = self._reported_total_as_of(u.id, code, period)
                if total_month is not None:  # the parent's summary gave this subtree's total
                    out[u.id] = Coverage(expected, expected if total_month == period else 0, total_month)
                    continue
            out[u.id] = Coverage(expected, received, min(months) if months else None, max(months) if months else None)
        return out

    # -- subtrees ------------------------------------------------------------------------------------------------

    def totals(self, code: str, period: str, what: str = "ytd") -> dict[int, float | None]:
        """unit id -> the figure summed over the unit and its whole subtree as it stood at `period`
        (None where nothing below it reported anything)."""
        key = ("totals", code, period, what)
        if key not in self._memo:
            own = self._getter(code, what)
            self._memo[key] = self._roll_up(periods.year_of(period), lambda uid: own(uid, code, period),
                                            lambda uid: self.reported_total(uid, code, period, what))
        return self._memo[key]

    def totals_where(self, code: str, period: str, what: str, present: str) -> dict[int, float | None]:
        """Like `totals`, counting only the units whose own figure of `present` is known too: the whole
        a breakdown is a share of, over the units that reported the breakdown."""
        def own(uid: int) -> float | None:
            return self.value(uid, code, period, what) if self.value(uid, present, period, what) is not None else None

        return self._roll_up(periods.year_of(period), own, lambda uid: None)

    def span_value(self, unit_id: int, code: str, first: str, last: str) -> float | None:
        """A unit's own figure of a flow over the months `first`..`last` of one year: the sum of its
        months where every month is known, else its 累计 at the end less its 累计 before the span
        where both are known; unknown when it reported nothing in the span (its 累计 only carries)."""
        months = periods.span(first, last)
        series = self.flow.get((unit_id, code)) or {}
        if not any(p in series for p in months):
            return None
        vals = [self.month(unit_id, code, p) for p in months]
        if all(v is not None for v in vals):
            return sum(vals)  # type: ignore[arg-type]
        before = None if periods.month_of(first) == 1 else periods.previous(first)
        return _diff(self.ytd(unit_id, code, last), self.ytd(unit_id, code, before) if before else None, before is None)

    def span_totals(self, code: str, first: str, last: str) -> dict[int, float | None]:
        """unit id -> a flow's figure over the months `first`..`last` of one year, summed like `totals`."""
        months = periods.span(first, last)
        before = None if periods.month_of(first) == 1 else periods.previous(first)

        def reported(uid: int) -> float | None:
            series = self.flow_total.get((uid, code))
            if not series or not any(p in series for p in months):
                return None
            return _diff(_walk_ytd(series, last), _walk_ytd(series, before) if before else None, before is None)

        return self._roll_up(periods.year_of(last), lambda uid: self.span_value(uid, code, first, last), reported)

    def _roll_up(self, year: int, own, reported) -> dict[int, float | None]:
        out: dict[int, float | None] = {}
        children, got, parents = self.tree.at(year).children, out.get, self._parents
        for u in reversed(self._standing(year)):  # children before parents
            uid = u.id
            total = own(uid)
            for child in children(uid):
                cv = got(child.id)
                if cv is not None:
                    total = (total or 0.0) + cv
            if total is None and uid in parents:
                total = reported(uid)
            out[uid] = total
        return out


def _diff(end: float | None, start: float | None, from_january: bool) -> float | None:
    """累计 at the end of a span less 累计 before it: unknown when nothing was reported before the span
    (a 累计 given only at its end may hold months before it)."""
    if end is None:
        return None
    if from_january:
        return end
    return None if start is None else end - start


def _walk_ytd(series: dict[str, tuple[float | None, float | None]] | None, period: str) -> float | None:
    """本年累计 at `period` from a unit's months: the latest 累计 reported in the year, carried over
    months not reported, plus the 本月 figures reported after it."""
    if not series:
        return None
    here = series.get(period)
    if here is not None and here[1] is not None:
        return here[1]  # the month's own 累计: the latest of the year up to it, nothing after it added
    running: float | None = None
    year = periods.year_of(period)
    for m in range(1, periods.month_of(period) + 1):
        v = series.get(periods.make(year, m))
        if v is None:
            continue
        month, ytd = v
        if ytd is not None:
            running = ytd
        elif month is not None:
            running = (running or 0.0) + month
    return running


def _month(series: dict[str, tuple[float | None, float | None]] | None, period: str) -> float | None:
    """本月 at `period`: as reported, else this month's 累计 minus last month's (however last month
    was reported)."""
    if not series:
        return None
    v = series.get(period)
    if v is None:
        return None
    month, ytd = v
    if month is not None:
        return month
    if periods.month_of(period) == 1:
        return ytd
    prev = periods.previous(period)
    if ytd is not None and prev in series:
        before = _walk_ytd(series, prev)
        if before is not None:
            return ytd - before
    return None


def _last_month(series: dict[str, tuple[float | None, float | None]] | None, period: str) -> str | None:
    """The last month of `period`'s year, up to `period`, with a row in `series`."""
    if not series:
        return None
    if period in series:
        return period
    start = periods.year_start(period)
    found = [p for p in series if start <= p <= period]
    return max(found) if found else None


def _level_month(series: list[tuple[str, float]] | None, period: str) -> str | None:
    found = None
    for p, _v in series or []:
        if p > period:
            break
        found = p
    return found


def _level(series: list[tuple[str, float]] | None, period: str) -> float | None:
    found = None
    for p, v in series or []:
        if p > period:
            break
        found = v
    return found


def latest_period(db: Database) -> str | None:
    return db.scalar("SELECT MAX(period) FROM figure")


def targets_for(db: Database, year: int, indicator_ids: list[int], campaign_id: int | None = None) -> dict[tuple[int, int], float]:
    """(unit id, indicator id) -> the target for `year` (0 = the whole campaign). The given (or
    default) campaign's targets come first; others fill the gaps."""
    if not indicator_ids:
        return {}
    clause, params = in_clause("i", indicator_ids)
    params["y"] = year
    rows = db.all(
        "SELECT t.unit_id, t.indicator_id, t.value, t.campaign_id, c.is_default FROM target t "
        f"JOIN campaign c ON c.id = t.campaign_id WHERE t.year = :y AND t.indicator_id IN {clause}",
        params,
    )
    out: dict[tuple[int, int], float] = {}
    rank: dict[tuple[int, int], int] = {}
    for uid, iid, value, cid, is_default in rows:
        pref = 0 if (campaign_id is not None and cid == campaign_id) else 1 if is_default else 2
        key = (uid, iid)
        if key not in rank or pref < rank[key]:
            rank[key] = pref
            out[key] = float(value)
    return out
