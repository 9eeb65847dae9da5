"""Targets handed down the hierarchy (分解下达): storing an allocation sheet all or nothing, setting one
target, and the allocation check (children's targets against their parent's: under- or over-allocation
is reported, never refused — allocating a little more than the total, 层层加码, is common practice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shiwan.base.errors import UserError
from shiwan.base.problems import Problem, warning
from shiwan.base.settings import os_user
from shiwan.recognize.targets import AllocationSheet, TargetIn, year_text
from shiwan.recognize.values import parse_figure
from shiwan.ref.campaigns import Campaign, default_campaign, list_campaigns
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CAMPAIGN_TOTAL
from shiwan.ref.units import UnitTree
from shiwan.store.initdb import now_iso


def campaign_of(db, code: str | None) -> Campaign:
    if code:
        camp = next((c for c in list_campaigns(db) if c.code == code), None)
        if camp is None:
            raise UserError("campaign.unknown", code=code)
        return camp
    camp = default_campaign(db)
    if camp is None:
        raise UserError("campaign.none")
    return camp


@dataclass
class TargetsResult:
    file: str
    status: str
    unit: str = ""
    year: int | None = None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "unit_code": self.unit,
                "year": "campaign" if self.year == CAMPAIGN_TOTAL else self.year, "added": self.added,
                "changed": self.changed, "unchanged": self.unchanged,
                "errors": [p.to_json() for p in self.problems if p.is_error],
                "warnings": [p.to_json() for p in self.problems if not p.is_error]}


def store_allocation(db, camp: Campaign, sheet: AllocationSheet, res: TargetsResult, *, file_name: str,
                     dry_run: bool = False) -> TargetsResult:
    """Store a recognised allocation sheet's targets, all or nothing, counting what changed."""
    cat = Catalog.from_db(db)
    res.problems.extend(sheet.problems)
    if sheet.reporter:
        res.unit = sheet.reporter.code
    res.year = sheet.year
    if sheet.errors or sheet.year is None:
        return res
    _at_year(UnitTree.from_db(db), sheet, target_year(camp, sheet.year))
    existing = {(u, i): (tid, v) for tid, u, i, v in db.all(
        "SELECT id, unit_id, indicator_id, value FROM target WHERE campaign_id = :c AND year = :y",
        {"c": camp.id, "y": sheet.year})}
    ops = []
    for tg in sheet.targets:
        iid = cat.by_code[tg.indicator].id
        old = existing.get((tg.unit_id, iid))
        if old is None:
            res.added += 1
            ops.append(("insert", tg, iid, None))
        elif abs(old[1] - tg.value) > 1e-9:
            res.changed += 1
            ops.append(("update", tg, iid, old[0]))
        else:
            res.unchanged += 1
    res.status = "unchanged" if not ops else "revised" if res.changed else "imported"
    if not dry_run and ops:
        now, user, src = now_iso(), os_user(), f"file:{file_name}"
        with db.transaction():
            for op, tg, iid, tid in ops:
                if op == "insert":
                    db.insert("target", {"campaign_id": camp.id, "unit_id": tg.unit_id, "indicator_id": iid,
                                         "year": sheet.year, "value": tg.value, "set_at": now, "set_by": user,
                                         "source": f"{src} {sheet.sheet}!{tg.cell}"})
                else:
                    db.run("UPDATE target SET value = :v, set_at = :at, set_by = :by, source = :s WHERE id = :id",
                           {"v": tg.value, "at": now, "by": user, "s": f"{src} {sheet.sheet}!{tg.cell}", "id": tid})
    for w in allocation_warnings(db, camp, sheet.year, {sheet.reporter.id} if sheet.reporter else None,
                                 pending=None if not dry_run else sheet.targets):
        res.problems.append(w)
    return res


def _at_year(tree: UnitTree, sheet: AllocationSheet, year: int) -> None:
    """Targets go to the units standing in their year: a row read as a unit of the same code in other
    years (a code reused for another area) is that code's unit of the year."""
    for tg in sheet.targets:
        u = tree.unit(tg.unit_id)
        if u is not None and not u.stands(year):
            same = tree.find(u.code, year)
            if same is not None:
                tg.unit_id = same.id


def set_target(db, unit: str, indicator: str, year: str, value: float, campaign: str | None = None) -> tuple[float | None, list[Problem]]:
    camp = campaign_of(db, campaign)
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    y = parse_target_year(year)
    u = tree.find(unit, target_year(camp, y))  # the unit as it stood in the target's year
    if u is None:
        raise UserError("layout.unknown_unit_code", code=unit)
    ind = cat.by_code.get(indicator)
    if ind is None:
        raise UserError("report.unknown_indicator", code=indicator, known=", ".join(cat.by_code), exit_code=2)
    p = parse_figure(value, ind.decimals)
    if p.error == "value.negative":
        raise UserError("targets.negative", exit_code=2, value=str(value), indicator=ind.name)
    if not p.ok:
        raise UserError(p.error, exit_code=2, **{**dict(p.params), "indicator": ind.name, "decimals": ind.decimals})
    if p.blank or p.value is None:
        raise UserError("value.not_number", exit_code=2, value=str(value), indicator=ind.name, decimals=ind.decimals)
    old = db.one("SELECT id, value FROM target WHERE campaign_id = :c AND unit_id = :u AND indicator_id = :i AND year = :y",
                 {"c": camp.id, "u": u.id, "i": ind.id, "y": y})
    with db.transaction():
        if old is None:
            db.insert("target", {"campaign_id": camp.id, "unit_id": u.id, "indicator_id": ind.id, "year": y,
                                 "value": p.value, "set_at": now_iso(), "set_by": os_user(), "source": "targets set"})
        else:
            db.run("UPDATE target SET value = :v, set_at = :at, set_by = :by, source = 'targets set' WHERE id = :id",
                   {"v": p.value, "at": now_iso(), "by": os_user(), "id": old[0]})
    parent = {u.parent_id} if u.parent_id is not None else set()
    return (old[1] if old else None), allocation_warnings(db, camp, y, parent | {u.id})


def target_year(camp: Campaign, year: int) -> int:
    """The calendar year whose units a target's year means (the campaign's last, for its total)."""
    return year if year != CAMPAIGN_TOTAL else int(camp.end[:4])


def parse_target_year(text: str) -> int:
    if str(text).lower() in ("campaign", "全程", "total", "0"):
        return CAMPAIGN_TOTAL
    if str(text).isdigit() and 1900 <= int(text) <= 2200:
        return int(text)
    raise UserError("targets.bad_year", year=text, exit_code=2)


def allocation_warnings(db, camp: Campaign, year: int, parents: set[int] | None = None,
                        pending: list[TargetIn] | None = None) -> list[Problem]:
    """Parents whose children's targets add up to less (or more) than their own."""
    tree, cat = UnitTree.from_db(db), Catalog.from_db(db)
    tree = tree.at(target_year(camp, year))
    values: dict[tuple[int, int], float] = {
        (u, i): v for u, i, v in db.all("SELECT unit_id, indicator_id, value FROM target WHERE campaign_id = :c "
                                        "AND year = :y", {"c": camp.id, "y": year})}
    for tg in pending or []:
        values[(tg.unit_id, cat.by_code[tg.indicator].id)] = tg.value
    out = []
    for (uid, iid), total in sorted(values.items()):
        if parents is not None and uid not in parents:
            continue
        kids = [values.get((c.id, iid)) for c in tree.children(uid)]
        given = [k for k in kids if k is not None]
        if not given:
            continue
        s = sum(given)
        ind = cat.by_id[iid]
        if abs(s - total) < 1e-9:
            continue
        key = "targets.under" if s < total else "targets.over"
        out.append(warning(key, unit=tree.unit(uid).name, indicator=ind.name, year=year_text(year),
                           total=f"{total:,.{ind.decimals}f}", sum=f"{s:,.{ind.decimals}f}",
                           diff=f"{abs(total - s):,.{ind.decimals}f}", missing=len(kids) - len(given)))
    return out
