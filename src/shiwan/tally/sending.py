"""What `shiwan send` puts in the return a unit sends up for a month: the figures as stored, with
where each came from.

- A unit with units under it sends a summary: its own office's figures (本级: what it reported
  itself), then each unit standing under it at the month: a county's own return (else its row in a
  summary the database holds), a unit with units of its own the sum of what they and it reported (else
  the total a summary gave for it). A unit with nothing stored for the month did not report (未报).
- A unit without units under it sends its own return.

Nothing is carried from other months and nothing is made up: a figure not stored is not given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.base.errors import UserError
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN, CHANNEL_SUMMARY
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.store.db import in_clause


@dataclass
class Source:
    """One stored figure a sent figure comes from."""

    unit_code: str
    channel: int
    import_id: int
    file: str
    sheet: str
    month_cell: str
    ytd_cell: str


@dataclass
class SentFigure:
    month: float | None
    ytd: float | None
    sources: list[Source] = field(default_factory=list)


@dataclass
class SentRow:
    unit: UnitRec
    figures: dict[str, SentFigure] | None  # None: the unit did not report (未报)
    summed: int = 0  # a unit with units under it: how many units' figures are added up (0: as stored)


@dataclass
class Outgoing:
    unit: UnitRec
    period: str
    form: str  # city | county
    rows: list[SentRow]

    @property
    def figure_count(self) -> int:
        return sum(len(r.figures) for r in self.rows if r.figures)


Stored = dict[tuple[int, str], dict[int, tuple[float | None, float | None, Source]]]


def outgoing(db, period: str, unit: str | None = None) -> Outgoing:
    """The return `unit` (by default the unit every figure of the month lies under) sends for `period`."""
    from shiwan.tally.report import resolve_scope

    tree = UnitTree.from_db(db)
    cat = Catalog.from_db(db)
    view = tree.at(period)
    u = resolve_scope(tree, unit, period) if unit else _default_unit(db, view, cat, period)
    stored = _stored(db, view, cat, u, period)
    children = view.children(u.id)
    if not children:
        rows = [SentRow(u, _figures(stored, u, cat, own_only=False))]
    else:
        rows = [SentRow(u, _figures(stored, u, cat, own_only=True))]
        rows += [_child_row(stored, view, cat, c) for c in children]
    if all(r.figures is None for r in rows):
        raise UserError("send.nothing", unit=u.name, period=period)
    return Outgoing(u, period, "city" if children else "county", rows)


def _default_unit(db, view: UnitTree, cat: Catalog, period: str) -> UnitRec:
    """The lowest unit under which every figure of the month lies: the city in a city's database."""
    clause, params = in_clause("i", sorted(i for i in cat.by_id))  # by indicator and period: the index serves it
    ids = [r[0] for r in db.all(f"SELECT DISTINCT unit_id FROM figure WHERE indicator_id IN {clause} AND period = :p",
                                {**params, "p": period}) if r[0] in view.by_id]
    if not ids:
        raise UserError("send.no_unit", period=period, exit_code=2)
    return view.lowest_common(ids)


def _stored(db, view: UnitTree, cat: Catalog, u: UnitRec, period: str) -> Stored:
    ids = [x.id for x in view.subtree(u.id)]
    out: Stored = {}
    for n in range(0, len(ids), 500):
        clause, params = in_clause("u", ids[n:n + 500])
        for uid, iid, channel, month, ytd, import_id, sheet, mcell, ycell, fname in db.all(
            "SELECT f.unit_id, f.indicator_id, f.channel, f.month, f.ytd, f.import_id, f.sheet, f.month_cell, "
            "f.ytd_cell, i.file_name FROM figure f JOIN import_log i ON i.id = f.import_id "
            f"WHERE f.period = :p AND f.unit_id IN {clause}", {**params, "p": period},
        ):
            ind = cat.by_id.get(iid)
            if ind is None:
                continue
            src = Source(view.by_id[uid].code, channel, import_id, fname or "", sheet or "", mcell or "", ycell or "")
            out.setdefault((uid, ind.code), {})[channel] = (month, ytd, src)
    return out


def _figures(stored: Stored, u: UnitRec, cat: Catalog, *, own_only: bool,
             channel: int | None = None) -> dict[str, SentFigure] | None:
    """A unit's figures: its own channel (for a county without one, its row in a summary)."""
    out = {}
    for ind in cat.with_parts():
        by_channel = stored.get((u.id, ind.code), {})
        got = by_channel.get(channel) if channel is not None else by_channel.get(CHANNEL_OWN)
        if got is None and channel is None and not own_only:
            got = by_channel.get(CHANNEL_SUMMARY)
        if got is not None:
            out[ind.code] = SentFigure(got[0], got[1], [got[2]])
    return out or None


def _child_row(stored: Stored, view: UnitTree, cat: Catalog, child: UnitRec) -> SentRow:
    if not view.children(child.id):
        return SentRow(child, _figures(stored, child, cat, own_only=False))
    parts = []
    for m in view.subtree(child.id):
        figs = _figures(stored, m, cat, own_only=bool(view.children(m.id)))
        if figs:
            parts.append(figs)
    if not parts:  # nothing under it reported here: the total a summary gave for it, if any
        return SentRow(child, _figures(stored, child, cat, own_only=True, channel=CHANNEL_SUMMARY))
    return SentRow(child, _sum(parts, cat), summed=len(parts))


def _sum(parts: list[dict[str, SentFigure]], cat: Catalog) -> dict[str, SentFigure]:
    """Figures added up unit by unit; a slot some unit gave no figure for is not known (None)."""
    out = {}
    for ind in cat.with_parts():
        given = [p[ind.code] for p in parts if ind.code in p]
        if not given:
            continue
        month = None if any(g.month is None for g in given) else round(sum(g.month for g in given), ind.decimals)
        ytd = None if any(g.ytd is None for g in given) else round(sum(g.ytd for g in given), ind.decimals)
        if month is None and ytd is None:
            continue
        out[ind.code] = SentFigure(month, ytd, [s for g in given for s in g.sources])
    return out
