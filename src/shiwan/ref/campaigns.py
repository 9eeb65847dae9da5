"""Campaigns as data: span, headline indicator, total target, and targets per unit.

A campaign file (TOML; the default is `data/campaign-shiwan.toml`) has a `[campaign]` table and
`[targets.<year>.<indicator>]` tables of `unit_code = value`; `[targets.campaign.<indicator>]` holds
targets for the whole campaign.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from shiwan.base.errors import FileContentError
from shiwan.ref import periods
from shiwan.ref.constants import CAMPAIGN_TOTAL


class CampaignFileError(FileContentError):
    """A campaign file that cannot be used; the message names the entry."""


@dataclass
class CampaignDef:
    code: str
    name: str
    unit: str
    start: str
    end: str
    indicator: str
    target: float
    name_en: str = ""
    illustrative: bool = False
    default: bool = False
    note: str = ""
    config: dict = field(default_factory=dict)  # checklist, certified pairs, assessment scheme
    # (year or CAMPAIGN_TOTAL, indicator code, unit code) -> value
    targets: dict[tuple[int, str, str], float] = field(default_factory=dict)


@dataclass
class Campaign:
    """A campaign as stored."""

    id: int
    code: str
    name: str
    name_en: str
    unit_id: int
    start: str
    end: str
    indicator_id: int
    total_target: float
    is_default: bool
    illustrative: bool
    note: str
    config: dict = field(default_factory=dict)

    @property
    def months(self) -> int:
        return periods.months_between(self.start, self.end)

    def label(self) -> str:
        from shiwan.base.i18n import pick

        return pick(self.name, self.name_en)


def load_campaign_file(path: Path) -> CampaignDef:
    """Read and check a campaign TOML file: `[campaign]` (span, headline indicator, target, checklist,
    scoring scheme) and `[targets.<year>.<indicator>]` tables of unit code = target."""
    import tomllib  # here, not at the top: a report reads no TOML
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CampaignFileError(path, "file.unreadable", detail=str(exc)) from None
    c = data.get("campaign")
    if not isinstance(c, dict):
        raise CampaignFileError(path, "campaignfile.no_table")
    camp = _campaign_table(path, c)
    _campaign_config(path, c, camp)
    _campaign_targets(path, data.get("targets") or {}, camp)
    return camp


def _campaign_table(path: Path, c: dict) -> CampaignDef:
    for key in ("code", "name", "unit", "start", "end", "indicator", "target"):
        if key not in c:
            raise CampaignFileError(f"{path} [campaign]", "file.missing_key", key=key)
    if not isinstance(c["target"], (int, float)) or isinstance(c["target"], bool) or c["target"] < 0:
        raise CampaignFileError(f"{path} [campaign] target", "file.not_number", value=repr(c["target"]))
    try:
        start, end = periods.parse_period(str(c["start"])), periods.parse_period(str(c["end"]))
    except periods.PeriodError as exc:
        raise CampaignFileError(f"{path} [campaign]", "campaignfile.span", value=str(exc)) from None
    if end < start:
        raise CampaignFileError(f"{path} [campaign]", "campaignfile.backwards")
    return CampaignDef(
        code=str(c["code"]), name=str(c["name"]), name_en=str(c.get("name_en", "")), unit=str(c["unit"]),
        start=start, end=end, indicator=str(c["indicator"]), target=float(c["target"]),
        illustrative=bool(c.get("illustrative", False)), default=bool(c.get("default", False)),
        note=str(c.get("note", "")),
    )


def _campaign_config(path: Path, c: dict, camp: CampaignDef) -> None:
    """The checklist (三个扶持建立), its deadline, the certified pairs and the scoring scheme."""
    if "checklist" in c:
        if not isinstance(c["checklist"], list) or not all(isinstance(x, str) for x in c["checklist"]):
            raise CampaignFileError(f"{path} [campaign] checklist", "campaignfile.codes")
        camp.config["checklist"] = c["checklist"]
    if "checklist_deadline" in c:
        try:
            camp.config["checklist_deadline"] = periods.parse_period(str(c["checklist_deadline"]))
        except periods.PeriodError:
            raise CampaignFileError(f"{path} [campaign] checklist_deadline", "campaignfile.period",
                                    value=str(c["checklist_deadline"])) from None
    if "certified" in c:
        pairs = c["certified"]
        if not isinstance(pairs, list) or not all(isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) for y in x)
                                                  for x in pairs):
            raise CampaignFileError(f"{path} [campaign] certified", "campaignfile.pairs")
        camp.config["certified"] = pairs
    if "assessment" in c:
        from shiwan.ref.scheme import SchemeError, load_scheme

        try:
            camp.config["assessment"] = load_scheme(path.parent / str(c["assessment"])).to_dict()
        except SchemeError as exc:
            raise CampaignFileError(exc.where, exc.key, **exc.params) from None


def _campaign_targets(path: Path, targets: dict, camp: CampaignDef) -> None:
    for year_key, per_ind in targets.items():
        if year_key == "campaign":
            year = CAMPAIGN_TOTAL
        elif str(year_key).isdigit() and 1900 <= int(year_key) <= 2200:
            year = int(year_key)
        else:
            raise CampaignFileError(f"{path} [targets.{year_key}]", "campaignfile.year")
        if not isinstance(per_ind, dict):
            raise CampaignFileError(f"{path} [targets.{year_key}]", "campaignfile.per_indicator")
        for ind, per_unit in per_ind.items():
            if not isinstance(per_unit, dict):
                raise CampaignFileError(f"{path} [targets.{year_key}.{ind}]", "campaignfile.per_unit")
            for unit, value in per_unit.items():
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise CampaignFileError(f"{path} [targets.{year_key}.{ind}] {unit}", "file.not_number",
                                            value=repr(value))
                camp.targets[(year, str(ind), str(unit))] = float(value)


def save_campaign(db, camp: CampaignDef, *, user: str, now: str, replace_targets: bool) -> tuple[int, int]:
    """Store the campaign and its targets; returns (targets added, targets updated).

    With `replace_targets=False` targets already in the database are left as they are (re-running
    `init` must not undo a `targets set`)."""
    units = dict(db.all("SELECT code, id FROM unit"))
    inds = dict(db.all("SELECT code, id FROM indicator"))
    if camp.unit not in units:
        raise CampaignFileError(camp.code, "file.unknown_unit", code=camp.unit)
    if camp.indicator not in inds:
        raise CampaignFileError(camp.code, "file.unknown_indicator", code=camp.indicator)
    for code in [*camp.config.get("checklist", []), *(c for pair in camp.config.get("certified", []) for c in pair)]:
        if code not in inds:
            raise CampaignFileError(camp.code, "file.unknown_indicator", code=code)
    for (_, ind, unit) in camp.targets:
        if ind not in inds:
            raise CampaignFileError(camp.code, "file.unknown_indicator", code=ind)
        if unit not in units:
            raise CampaignFileError(camp.code, "file.unknown_unit", code=unit)
    row = {"code": camp.code, "name": camp.name, "name_en": camp.name_en, "unit_id": units[camp.unit],
           "start_period": camp.start, "end_period": camp.end, "indicator_id": inds[camp.indicator],
           "total_target": camp.target, "is_default": camp.default, "illustrative": camp.illustrative,
           "note": camp.note, "config": json.dumps(camp.config, ensure_ascii=False)}
    cid = db.scalar("SELECT id FROM campaign WHERE code = :code", {"code": camp.code})
    if cid is None:
        if camp.default or not db.scalar("SELECT COUNT(*) FROM campaign"):
            db.run("UPDATE campaign SET is_default = :f", {"f": False})
            row["is_default"] = True
        cid = db.insert("campaign", row)
    else:
        db.run("UPDATE campaign SET name = :name, name_en = :name_en, unit_id = :unit_id, start_period = :start_period, "
               "end_period = :end_period, indicator_id = :indicator_id, total_target = :total_target, "
               "illustrative = :illustrative, note = :note, config = :config WHERE code = :code", row)
    added = updated = 0
    for (year, ind, unit), value in camp.targets.items():
        key = {"c": cid, "u": units[unit], "i": inds[ind], "y": year}
        old = db.one("SELECT id, value FROM target WHERE campaign_id = :c AND unit_id = :u AND indicator_id = :i "
                     "AND year = :y", key)
        if old is None:
            db.insert("target", {"campaign_id": cid, "unit_id": units[unit], "indicator_id": inds[ind], "year": year,
                                 "value": value, "set_at": now, "set_by": user, "source": f"campaign:{camp.code}"})
            added += 1
        elif replace_targets and old[1] != value:
            db.run("UPDATE target SET value = :v, set_at = :at, set_by = :by, source = :src WHERE id = :id",
                   {"v": value, "at": now, "by": user, "src": f"campaign:{camp.code}", "id": old[0]})
            updated += 1
    return added, updated


def list_campaigns(db) -> list[Campaign]:
    rows = db.all("SELECT id, code, name, name_en, unit_id, start_period, end_period, indicator_id, total_target, "
                  "is_default, illustrative, note, config FROM campaign ORDER BY id")
    return [Campaign(id=r[0], code=r[1], name=r[2], name_en=r[3] or "", unit_id=r[4], start=r[5], end=r[6],
                     indicator_id=r[7], total_target=float(r[8] or 0), is_default=bool(r[9]), illustrative=bool(r[10]),
                     note=r[11] or "", config=json.loads(r[12] or "{}")) for r in rows]


def default_campaign(db) -> Campaign | None:
    camps = list_campaigns(db)
    for c in camps:
        if c.is_default:
            return c
    return camps[0] if camps else None
