"""Sign-off per return (DESIGN §2 审核): each unit's return for a period is 已收 (received), 已审核
(approved, with who and when), 退回 (returned, with the reason) or, once approved, reopened.

Every action is a row of `review`; the latest row of a (unit, period) is its status. An import that
changes a return writes a `received` row, so that a return sent back and sent again reads as
received. A unit with figures for the period and no row is received. An approved unit's figures for
the month do not change — not by its own return, nor by its row in its city's summary, nor by a
revert — until it is reopened.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiwan.base.errors import UserError
from shiwan.base.settings import os_user
from shiwan.store.db import Database
from shiwan.store.initdb import now_iso

ACTIONS = {"approve": "approved", "return": "returned", "reopen": "reopened"}


@dataclass
class ReviewState:
    unit_id: int
    period: str
    status: str  # received | approved | returned | reopened
    reason: str = ""
    user: str = ""
    at: str = ""
    import_id: int | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


def states(db: Database, period: str) -> dict[int, ReviewState]:
    """unit id -> the latest review action on its return for `period` (units without one are absent)."""
    out: dict[int, ReviewState] = {}
    for uid, status, reason, by, at, imp in db.all(
        "SELECT unit_id, status, reason, user_name, done_at, import_id FROM review WHERE period = :p ORDER BY id",
        {"p": period},
    ):
        out[uid] = ReviewState(uid, period, status, reason or "", by or "", at or "", imp)
    return out


def state_of(db: Database, unit_id: int, period: str) -> ReviewState | None:
    row = db.one("SELECT status, reason, user_name, done_at, import_id FROM review WHERE unit_id = :u AND period = :p "
                 "ORDER BY id DESC", {"u": unit_id, "p": period})
    return ReviewState(unit_id, period, row[0], row[1] or "", row[2] or "", row[3] or "", row[4]) if row else None


def approved_units(db: Database, period: str) -> dict[int, ReviewState]:
    return {uid: s for uid, s in states(db, period).items() if s.approved}


def received(db: Database, unit_id: int, period: str) -> bool:
    """Whether any figure of the unit for the period is stored (its own return, or its row in a summary)."""
    return db.scalar("SELECT COUNT(*) FROM figure WHERE unit_id = :u AND period = :p", {"u": unit_id, "p": period}) > 0


def record_received(db: Database, unit_id: int, period: str, import_id: int, *, user: str, at: str) -> None:
    """An import changed the unit's return: it is received (again)."""
    db.insert("review", {"unit_id": unit_id, "period": period, "status": "received", "reason": "", "user_name": user,
                         "done_at": at, "import_id": import_id})


def review(db: Database, action: str, unit_id: int, unit_name: str, period: str, reason: str = "") -> ReviewState:
    """Approve, return (with a reason) or reopen one unit's return for a period; refused when the
    return's status does not allow it."""
    status = ACTIONS[action]
    with db.transaction():
        current = state_of(db, unit_id, period)
        now = current.status if current else ("received" if received(db, unit_id, period) else None)
        params = {"unit": unit_name, "period": period}
        if now is None:
            raise UserError("review.not_received", **params)
        if action == "return" and not reason.strip():
            raise UserError("review.need_reason", exit_code=2, **params)
        if action == "approve" and now == "approved":
            raise UserError("review.already_approved", by=current.user, at=_at(current.at), **params)
        if action == "return" and now == "approved":
            raise UserError("review.reopen_first", by=current.user, at=_at(current.at), **params)
        if action == "return" and now == "returned":
            raise UserError("review.already_returned", reason=current.reason, **params)
        if action == "reopen" and now != "approved":
            raise UserError("review.not_approved", **params)
        by, at = os_user(), now_iso()
        db.insert("review", {"unit_id": unit_id, "period": period, "status": status, "reason": reason.strip(),
                             "user_name": by, "done_at": at, "import_id": None})
    return ReviewState(unit_id, period, status, reason.strip(), by, at)


def _at(iso: str) -> str:
    return (iso or "")[:16].replace("T", " ")


def review_table(db: Database, period: str, under: str | None = None):
    """Every reporting unit standing at `period` (below `under`) with the status of its return:
    未报, 已收, 已审核, 退回 (and why), 重新打开; who did it and when."""
    from shiwan.base.i18n import t
    from shiwan.base.table import Column, Table
    from shiwan.ref.units import NOT_REPORTING, UnitTree

    tree = UnitTree.from_db(db)
    view = tree.at(period)
    scope = tree.require(under, period) if under else view.top()
    units = view.subtree(scope.id) if scope else view.everything()
    have = {uid for (uid,) in db.all("SELECT DISTINCT unit_id FROM figure WHERE period = :p", {"p": period})}
    st = states(db, period)
    rows = []
    for u in units:
        if u.level in NOT_REPORTING:
            continue
        s = st.get(u.id)
        status = s.status if s else "received" if u.id in have else "missing"
        city = next((a for a in [u, *view.ancestors(u)] if a.level == "city"), None)
        rows.append({"unit_code": u.code, "unit_name": u.name, "city_code": city.code if city else "",
                     "city_name": city.name if city else "", "period": period, "status": status,
                     "reason": s.reason if s else "", "user": s.user if s else "", "at": s.at if s else "",
                     "import_id": s.import_id if s else None, "_status": t(f"review.status.{status}"),
                     "_at": _at(s.at) if s else "", "_name": "  " * (view.depth(u) - 1) + u.name})
    cols = [Column("unit_code", t("col.code")), Column("_name", t("col.unit")), Column("_status", t("col.review_status")),
            Column("reason", t("col.reason")), Column("user", t("col.user")), Column("_at", t("col.when"))]
    return Table(cols, rows, title=t("review.title", period=period))
