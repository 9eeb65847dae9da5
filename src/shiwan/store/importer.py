"""Applying recognised files to the database: what an import promises.

- **All or nothing per file**: each file is checked completely (cells, 合计 rows, rules, months
  before and after, locks) and then written in one transaction, or not at all.
- **Nothing lost or doubled**: a file whose figures are all stored already is `unchanged` and
  writes nothing; a file that changes figures already stored is a revision: the old values move to
  `figure_history`, the new ones apply.
- **Every figure knows where it came from**: the import (file name, SHA-256, size, OS user, time),
  the sheet and the cell.

A file whose 报出日期 is older than the stored version's (or one applied earlier) is refused, not applied.
"""

from __future__ import annotations

import dataclasses
import json
import os

from shiwan.base.i18n import t
from shiwan.base.problems import Problem, error, warning
from shiwan.base.settings import os_user
from shiwan.check.chain import check_changes
from shiwan.check.model import Change, Stored
from shiwan.check.reconcile import reconcile_warnings
from shiwan.check.standing import StandingFigure, standing_problems
from shiwan.read.sandbox import Parsed
from shiwan.recognize import FigureIn, ParsedFile, ReturnIn
from shiwan.ref.catalog import Catalog
from shiwan.ref.constants import CHANNEL_OWN
from shiwan.ref.units import UnitRec, UnitTree
from shiwan.store.db import Database, in_clause
from shiwan.store.initdb import now_iso
from shiwan.store.known import keep_unchanged_reading, save_reading
from shiwan.store.locks import covering_lock, lock_of, unit_locks
from shiwan.store.results import FileResult
from shiwan.store.review import approved_units, record_received
from shiwan.store.series import FlowHistory

EPS = 1e-9


class _Refused(Exception):
    """A file's checks found errors: roll its transaction back."""


class Importer:
    """Applies parsed files to the database, one transaction each.

    A file is checked against what it reads inside its own write transaction, holding the lock of
    every unit it writes (`Database.lock_units`): a second import waits, then sees what the first
    wrote. What is kept between files is dropped once another process has written (`_enter`). A dry
    run keeps what each file would have written, to reach the real import's verdicts."""

    def __init__(self, db: Database, catalog: Catalog, units: UnitTree, *, dry_run: bool = False):
        self.db = db
        self.catalog = catalog
        self.units = units
        self.dry_run = dry_run
        self.ind_ids = {code: i.id for code, i in catalog.by_code.items()}
        self.user = os_user()
        self.history = FlowHistory(db, catalog, "9999-99")
        self._locks: dict[str, tuple[str, str] | None] = {}
        self._unit_locks: dict[str, dict[int, tuple[str, str]]] = {}
        self._approved: dict[str, dict] = {}
        # a dry run's would-be writes: figure key -> value, and return key -> 报出日期
        self._pending: dict[tuple[int, int, str, int], Stored] = {}
        self._pending_dates: dict[tuple[int, str, str], str] = {}
        self._dated: set[tuple[int, str, str]] | None = None
        self._log_rows: int | None = None  # rows of the import log as far as this importer knows

    def apply(self, path: str, p: Parsed | None, read_key: str | None = None) -> FileResult:
        """Check and store one file (all or nothing); `read_key` keeps its reading for a re-import."""
        res = FileResult(file=path)
        if p is None:
            res.problems.append(error("read.crash"))
            return self._reject(res)
        res.sha256, res.size = p.sha256, p.size
        if p.refusal:
            res.problems.append(error(p.refusal, **(p.params or {})))
            return self._reject(res)
        parsed = p.parsed
        assert parsed is not None
        res.problems.extend(parsed.problems)
        res.problems.extend(self._at_period(parsed))
        self._describe(res, parsed)
        if res.errors or not parsed.returns:
            if not res.problems:
                res.problems.append(error("layout.no_indicators"))
            return self._reject(res)
        if self.dry_run:
            plan, found = self._plan(parsed)
            res.problems.extend(found)
            if res.errors:
                return self._reject(res)
            self._count(res, plan)
            if res.status != "unchanged":
                self._remember(parsed, plan)
            return res
        for attempt in (1, 2):
            try:
                with self.db.transaction():
                    self._enter(parsed)
                    plan, found = self._plan(parsed)
                    if any(f.is_error for f in found):
                        res.problems.extend(found)
                        raise _Refused
                    self._count(res, plan)
                    if res.status == "unchanged":
                        if read_key:
                            keep_unchanged_reading(self.db, read_key, res, parsed.problems, plan)
                        return res
                    res.problems.extend(found)
                    res.import_id = self._log(res, parsed)
                    self._write(plan, res.import_id)
                    self._received(parsed, plan, res.import_id)
                    if read_key:
                        save_reading(self.db, res.import_id, read_key, res, parsed.problems)
                self._logged()
                if self._dated is not None and parsed.submitted_on:
                    self._dated.update((r.reporter_id, r.period, r.form) for r in parsed.returns)
                break
            except _Refused:
                return self._reject(res)
            except Exception as exc:  # another import wrote the same figures first: plan again, once
                if attempt == 2 or "IntegrityError" not in type(exc).__name__:
                    raise
                res.problems = list(parsed.problems)
        self.history.record(plan, res.import_id)
        return res

    def _enter(self, parsed: ParsedFile) -> None:
        """Start a file's transaction: lock its units; forget what others wrote since (into the log)."""
        self.db.lock_units({r.reporter_id for r in parsed.returns if r.reporter_id is not None}
                           | {f.unit_id for r in parsed.returns for f in r.figures})
        self._locks.clear()
        rows = self._others_mark()
        if rows != self._log_rows:
            self._dated = None
            self.history = FlowHistory(self.db, self.catalog, "9999-99")
        self._log_rows = rows

    def _at_period(self, parsed: ParsedFile) -> list[Problem]:
        """Every figure goes to the unit standing at its return's period. A unit of another span is
        replaced by the one of the period with its code (a code reused for another area), else by the
        one of its name under the same parent (香坊区 was 230106 until 2003); a unit that did not
        stand then is an error at its cell. (A recogniser that matches names among the units standing
        at the period leaves nothing to replace.)"""
        found: list[Problem] = []
        for ret in parsed.returns:
            view = self.units.at(ret.period)
            for f in ret.figures:
                u = self.units.unit(f.unit_id)
                if u is None or f.unit_id in view.by_id:
                    continue
                same = _standing_counterpart(self.units, view, u)
                if same is not None:
                    f.unit_id = same.id
                    continue
                if all(p.params.get("code") != u.code or p.sheet != ret.sheet for p in found):
                    found.append(error("import.not_standing", sheet=ret.sheet, cell=f.ytd_cell or f.month_cell,
                                       unit=u.name, code=u.code, year=ret.period[:4], period=ret.period,
                                       span=u.span_text() or "—"))
            reporter = self.units.unit(ret.reporter_id)
            if reporter is not None and ret.reporter_id not in view.by_id:
                same = _standing_counterpart(self.units, view, reporter)
                if same is not None:
                    ret.reporter_id = same.id
        if parsed.returns:
            parsed.reporter_id = parsed.returns[0].reporter_id
        return found

    def _count(self, res: FileResult, plan: list[Change]) -> None:
        res.new = sum(1 for a in plan if a.old is None)
        res.changed = sum(1 for a in plan if a.old is not None and a.changed)
        res.unchanged = sum(1 for a in plan if a.old is not None and not a.changed)
        res.status = "unchanged" if not (res.new or res.changed) else "revised" if res.changed else "imported"

    def _remember(self, parsed: ParsedFile, plan: list[Change]) -> None:
        """A dry run: keep what this file would have written, for the files after it."""
        for a in plan:
            f = a.figure
            self._pending[(f.unit_id, a.indicator_id, a.period, f.channel)] = Stored(
                0, f.month, f.ytd, 0, a.sheet, f.month_cell, f.ytd_cell)
        self.history.record(plan, 0)
        if parsed.submitted_on:
            for ret in parsed.returns:
                self._pending_dates[(ret.reporter_id, ret.period, ret.form)] = parsed.submitted_on.isoformat()

    def _describe(self, res: FileResult, parsed: ParsedFile) -> None:
        res.form = parsed.form
        res.source = parsed.source
        if parsed.reporter_id is not None:
            u = self.units.unit(parsed.reporter_id)
            assert u is not None
            res.unit, res.unit_name, res.unit_id = u.code, u.name, u.id
        months = sorted({r.period for r in parsed.returns})
        res.period = parsed.period
        res.periods = months
        res.submitted_on = parsed.submitted_on.isoformat() if parsed.submitted_on else ""

    # -- planning: compare with what is stored, check across months -----------------------------------

    def _plan(self, parsed: ParsedFile) -> tuple[list[Change], list[Problem]]:
        """What the file would change, and every problem with it. A file that changes nothing is not
        checked against locks, later versions or other months: it is simply unchanged."""
        found: list[Problem] = []
        per_return = [(ret, self._changes(ret)) for ret in parsed.returns]
        if not any(c.old is None or c.changed for _, changes in per_return for c in changes):
            return [c for _, changes in per_return for c in changes], found
        plan: list[Change] = []
        for ret, changes in per_return:
            if not any(c.old is None or c.changed for c in changes):
                plan.extend(changes)
                continue
            if ret.period not in self._locks:
                self._locks[ret.period] = lock_of(self.db, ret.period)
            lock = self._locks[ret.period]
            if lock:
                found.append(error("import.locked", sheet=ret.sheet, period=ret.period, by=lock[0],
                                   at=lock[1][:16].replace("T", " ")))
                continue
            blocked = self._blocked(ret, changes)
            if blocked:
                found.extend(blocked)
                continue
            newer = self._newer_import(ret, parsed)
            if newer:
                found.append(error("import.outdated", sheet=ret.sheet, import_id=newer[0], submitted=newer[1],
                                   ours=parsed.submitted_on.isoformat() if parsed.submitted_on else ""))
                continue
            found.extend(self._cross_form(ret, changes))
            plan.extend(changes)
        if not any(f.is_error for f in found):
            known = {(p.key, p.sheet, p.cell) for p in parsed.problems}
            stored = self._standing(plan)
            found.extend(p for p in standing_problems(self.catalog, plan, stored)
                         if (p.key, p.sheet, p.cell) not in known)
            found.extend(reconcile_warnings(self.catalog, self.units, plan, stored))
        if not any(f.is_error for f in found):
            found.extend(check_changes(self.catalog, self.units, plan, self.history))
            # warnings of the catalog's rules travel with the figures they are about
            by_cell = {(c.sheet, cell): c for c in plan for cell in (c.figure.month_cell, c.figure.ytd_cell) if cell}
            for w in parsed.warnings:
                c = by_cell.get((w.sheet, w.cell))
                if c is not None and w.key.startswith("rule."):
                    c.warnings.append(w.to_record())
        return plan, found

    def _blocked(self, ret: ReturnIn, changes: list[Change]) -> list[Problem]:
        """A return that would change figures of a unit whose month is locked (the unit or one above
        it), or whose return for the month is approved: refused, naming the unit."""
        p = ret.period
        if p not in self._unit_locks:
            self._unit_locks[p] = unit_locks(self.db, p)
            self._approved[p] = approved_units(self.db, p)
        locks, approved = self._unit_locks[p], self._approved[p]
        if not locks and not approved:
            return []
        view = self.units.at(p)
        touched = {c.figure.unit_id for c in changes if c.old is None or c.changed}
        if any(c.old is None or c.changed for c in changes):
            touched.add(ret.reporter_id)
        out: list[Problem] = []
        for uid in sorted(touched, key=lambda i: (view.by_id[i].sort_order if i in view.by_id else 0, i)):
            u = view.by_id.get(uid)
            if u is None:
                continue
            lock = covering_lock(view, u, locks)
            if lock is not None:
                out.append(error("import.unit_locked", sheet=ret.sheet, unit=u.name, locked=lock[0].name,
                                 code=lock[0].code, period=p, by=lock[1], at=lock[2][:16].replace("T", " ")))
            elif uid in approved:
                st = approved[uid]
                out.append(error("import.approved", sheet=ret.sheet, unit=u.name, code=u.code, period=p, by=st.user,
                                 at=st.at[:16].replace("T", " ")))
        return out

    def _standing(self, plan: list[Change]) -> dict[tuple[int, str, int], dict[str, StandingFigure]]:
        """The stored figures of the units and months the plan touches, named by their source."""
        out: dict[tuple[int, str, int], dict[str, StandingFigure]] = {}
        by_period: dict[str, set[int]] = {}
        for c in plan:
            by_period.setdefault(c.period, set()).add(c.figure.unit_id)
        names: dict[int, str] = {}
        # every indicator named, so that the figure key (unit, indicator, period) is the index used,
        # not the unit's figures of every year
        iclause, iparams = in_clause("i", sorted(self.catalog.by_id))
        for period, unit_ids in by_period.items():
            clause, params = in_clause("u", sorted(unit_ids))
            for uid, iid, channel, month, ytd, import_id, sheet, mcell, ycell in self.db.all(
                "SELECT unit_id, indicator_id, channel, month, ytd, import_id, sheet, month_cell, ytd_cell FROM figure "
                f"WHERE unit_id IN {clause} AND indicator_id IN {iclause} AND period = :p ORDER BY unit_id, indicator_id",
                {**params, **iparams, "p": period},
            ):
                if import_id not in names:
                    names[import_id] = self.db.scalar("SELECT file_name FROM import_log WHERE id = :i",
                                                      {"i": import_id}) or ""
                code = self.catalog.by_id[iid].code
                where = " › ".join(x for x in (names[import_id], sheet) if x)
                out.setdefault((uid, period, channel), {})[code] = StandingFigure(
                    code, month, ytd, f"{where} › {mcell}" if mcell else "", f"{where} › {ycell}" if ycell else "")
        for (uid, iid, period, channel), old in self._pending.items():  # a dry run's earlier files
            if period in by_period and uid in by_period[period]:
                code = self.catalog.by_id[iid].code
                out.setdefault((uid, period, channel), {})[code] = StandingFigure(code, old.month, old.ytd,
                                                                                  old.month_cell, old.ytd_cell)
        return out

    def _newer_import(self, ret: ReturnIn, parsed: ParsedFile) -> tuple[int, str] | None:
        """An import of the same return whose 报出日期 is later than this file's."""
        if parsed.submitted_on is None:
            return None
        ours = parsed.submitted_on.isoformat()
        pending = self._pending_dates.get((ret.reporter_id, ret.period, ret.form))
        if pending and pending > ours:
            return 0, pending
        if self._dated is None:  # the returns stored with a 报出日期, read once per batch
            self._dated = {(u, p, f) for u, p, f in self.db.all(
                "SELECT DISTINCT unit_id, period, form FROM import_log WHERE status IN ('imported', 'revised') "
                "AND submitted_on <> ''")}
        if (ret.reporter_id, ret.period, ret.form) not in self._dated:
            return None
        row = self.db.one(
            "SELECT id, submitted_on FROM import_log WHERE unit_id = :u AND period = :p AND form = :f "
            "AND status IN ('imported', 'revised') AND submitted_on > :s ORDER BY submitted_on DESC",
            {"u": ret.reporter_id, "p": ret.period, "f": ret.form, "s": ours},
        )
        return (row[0], row[1]) if row else None

    def _cross_form(self, ret: ReturnIn, changes: list[Change]) -> list[Problem]:
        """A unit's own figures set by one kind of return (its city summary's 本级 row) and now changed
        by another (its own monthly return): both are the unit speaking for itself, and they disagree."""
        old_ids = {c.old.import_id for c in changes if c.changed and c.figure.channel == CHANNEL_OWN and c.old}
        if not old_ids:
            return []
        clause, params = in_clause("x", sorted(old_ids))
        forms = dict(self.db.all(f"SELECT id, form FROM import_log WHERE id IN {clause}", params))
        out = []
        for c in changes:
            if c.changed and c.old and forms.get(c.old.import_id) not in (None, "", ret.form):
                ind = self.catalog.by_code[c.figure.indicator]
                out.append(warning("import.cross_form", sheet=ret.sheet, cell=c.figure.ytd_cell or c.figure.month_cell,
                                   unit=self.units.by_id[c.figure.unit_id].name, indicator=ind.name,
                                   old=_n(c.old.ytd if c.old.ytd is not None else c.old.month),
                                   new=_n(c.figure.ytd if c.figure.ytd is not None else c.figure.month),
                                   old_form=t("form." + forms[c.old.import_id]), form=t("form." + ret.form)))
        return out

    def _changes(self, ret: ReturnIn) -> list[Change]:
        unit_ids = sorted({f.unit_id for f in ret.figures})
        clause, params = in_clause("u", unit_ids)
        iclause, iparams = in_clause("i", sorted({self.ind_ids[f.indicator] for f in ret.figures}))
        params.update(iparams)
        params["p"] = ret.period
        existing = {}
        for r in self.db.all(
            "SELECT unit_id, indicator_id, channel, id, month, ytd, import_id, sheet, month_cell, ytd_cell "
            f"FROM figure WHERE unit_id IN {clause} AND indicator_id IN {iclause} AND period = :p", params
        ):
            existing[(r[0], r[1], r[2])] = Stored(*r[3:])
        out = []
        for f in ret.figures:
            iid = self.ind_ids[f.indicator]
            old = existing.get((f.unit_id, iid, f.channel))
            if self._pending:
                old = self._pending.get((f.unit_id, iid, ret.period, f.channel)) or old
            if old is not None:
                f = merged_figure(f, old)
            changed = old is not None and not (_same(old.month, f.month) and _same(old.ytd, f.ytd))
            out.append(Change(ret.period, ret.sheet, f, iid, old, changed))
        return out

    # -- writing -----------------------------------------------------------------------------------

    def _log(self, res: FileResult, parsed: ParsedFile | None) -> int:
        """One entry of the import log (a refusal has no counts and no import id in its result)."""
        unit_id = res.unit_id
        return self.db.insert("import_log", {
            "kind": "file", "file_name": os.path.basename(res.file), "file_path": os.path.abspath(res.file),
            "sha256": res.sha256, "size": res.size, "form": res.form, "unit_id": unit_id, "period": res.period,
            "submitted_on": res.submitted_on, "imported_at": now_iso(), "os_user": self.user,
            "status": res.status, "n_new": res.new, "n_changed": res.changed, "n_unchanged": res.unchanged,
            "n_warnings": len(res.warnings),
            "problems": json.dumps([p.to_record() for p in res.problems], ensure_ascii=False),
        })

    def _write(self, plan: list[Change], import_id: int) -> None:
        history, updates, inserts = [], [], []
        for a in plan:
            f = a.figure
            warn = json.dumps(a.warnings, ensure_ascii=False) if a.warnings else ""
            row = {"unit_id": f.unit_id, "indicator_id": a.indicator_id, "period": a.period, "channel": f.channel,
                   "month": f.month, "ytd": f.ytd, "import_id": import_id, "sheet": a.sheet,
                   "month_cell": f.month_cell, "ytd_cell": f.ytd_cell, "warnings": warn}
            if a.old is None:
                inserts.append(row)
            elif a.changed:
                o = a.old
                history.append({"unit_id": f.unit_id, "indicator_id": a.indicator_id, "period": a.period,
                                "channel": f.channel, "month": o.month, "ytd": o.ytd, "import_id": o.import_id,
                                "sheet": o.sheet, "month_cell": o.month_cell, "ytd_cell": o.ytd_cell,
                                "replaced_by_id": import_id, "action": "revised"})
                row["id"] = o.id
                updates.append(row)
        self.db.many(
            "INSERT INTO figure_history (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, "
            "month_cell, ytd_cell, replaced_by_id, action) VALUES (:unit_id, :indicator_id, :period, :channel, :month, "
            ":ytd, :import_id, :sheet, :month_cell, :ytd_cell, :replaced_by_id, :action)", history)
        self.db.many(
            "UPDATE figure SET month = :month, ytd = :ytd, import_id = :import_id, sheet = :sheet, "
            "month_cell = :month_cell, ytd_cell = :ytd_cell, warnings = :warnings WHERE id = :id", updates)
        self.db.many(
            "INSERT INTO figure (unit_id, indicator_id, period, channel, month, ytd, import_id, sheet, month_cell, "
            "ytd_cell, warnings) VALUES (:unit_id, :indicator_id, :period, :channel, :month, :ytd, :import_id, :sheet, "
            ":month_cell, :ytd_cell, :warnings)", inserts)

    def _received(self, parsed: ParsedFile, plan: list[Change], import_id: int) -> None:
        """Each return the file changed is received (again): after a 退回, the new version reads as 已收."""
        changed = {(c.period, c.sheet) for c in plan if c.old is None or c.changed}
        at = now_iso()
        for ret in parsed.returns:
            if (ret.period, ret.sheet) in changed:
                record_received(self.db, ret.reporter_id, ret.period, import_id, user=self.user, at=at)

    def _reject(self, res: FileResult) -> FileResult:
        res.status = "rejected"
        res.new = res.changed = res.unchanged = 0
        if not self.dry_run:
            # The refusal is logged (the assessment counts refused returns); no figure changes.
            with self.db.transaction():
                self._log(res, None)
            self._logged()
        return res

    def _others_mark(self) -> int:
        """What changes when another process writes: on SQLite the file's data version (O(1), moved by
        every other connection's commit, never by this one's), elsewhere the rows of the import log
        (counting stays correct where ids are taken out of commit order)."""
        if self.db.is_sqlite:
            return int(self.db.scalar("PRAGMA data_version"))
        return int(self.db.scalar("SELECT COUNT(*) FROM import_log"))

    def _logged(self) -> None:
        """This importer's own entry of the log is in (not a sign of anyone else's writes)."""
        if not self.db.is_sqlite:
            self._log_rows = None if self._log_rows is None else self._log_rows + 1


def _standing_counterpart(tree: UnitTree, view: UnitTree, u: UnitRec) -> UnitRec | None:
    """The unit standing in `view`'s year that `u` (of another span) stands for: the same code, else
    the same name under a parent of the same code."""
    same = view.by_code.get(u.code)
    if same is not None:
        return same
    parent = tree.unit(u.parent_id) if u.parent_id is not None else None
    here = view.by_code.get(parent.code) if parent is not None else None
    if here is None:
        return None
    named = [c for c in view.children(here.id) if c.name == u.name]
    return named[0] if len(named) == 1 else None


def merged_figure(f: FigureIn, old: Stored) -> FigureIn:
    """A revision replaces the cells it gives and leaves the others as they stand: a return giving only
    本年累计 keeps the 本月 stored before (and its cell)."""
    if f.month is not None or old.month is None:
        return f
    return dataclasses.replace(f, month=old.month, month_cell=old.month_cell)


def _n(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}".rstrip("0").rstrip(".")


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= EPS * max(1.0, abs(a))
