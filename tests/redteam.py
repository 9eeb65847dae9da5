"""Scoring the importer against returns nobody tuned it for: the red-team sets under
tests/fixtures/redteam/<set>/ (files + expected.json, see SPEC.md there).

Each file is imported into a fresh copy of one initialised database (after the files its truth says
come first, for revisions) and every value stored is compared with the truth:

- right: a value the truth gives, stored exactly;
- missing: a value the truth gives, not stored (a refused file, a skipped column);
- wrong: a value stored that differs from the truth, or that the truth does not hold at all (a
  figure for a unit marked 未报, a 本月 where the file gives none) — silently wrong when the import
  said it succeeded;
- outcome: the file's status (imported or rejected) is the one the truth allows.

Run as a script to print the counts for any shiwan installation:

    python tests/redteam.py tests/fixtures/redteam/a tests/fixtures/redteam/b
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Runner = Callable[[list[str]], tuple[int, str]]
EPS = 1e-6


@dataclass
class FileScore:
    file: str
    expected: str
    status: str = ""
    right: int = 0
    missing: int = 0
    wrong: list[str] = field(default_factory=list)
    warn_cells_missed: list[str] = field(default_factory=list)
    error_cells_missed: list[str] = field(default_factory=list)
    error_cells: list[str] = field(default_factory=list)  # the cells the truth names for a refused file
    forgiven: int = 0  # values of a file the truth allows to be refused, which was refused
    messages: list[str] = field(default_factory=list)

    @property
    def outcome_ok(self) -> bool:
        return self.status in self.expected.split("|")

    @property
    def exact(self) -> bool:
        return self.outcome_ok and not self.wrong and not self.missing


@dataclass
class SetScore:
    files: list[FileScore]

    def total(self, attr: str) -> int:
        return sum(len(getattr(f, attr)) if isinstance(getattr(f, attr), list) else getattr(f, attr)
                   for f in self.files)

    def summary(self) -> str:
        values = self.total("right") + self.total("missing") + self.total("forgiven")
        silent = sum(len(f.wrong) for f in self.files if f.status == "imported")
        return (f"{self.total('right')}/{values} values right, {self.total('missing')} missing, "
                f"{silent} silently wrong ({self.total('wrong')} wrong in all), "
                f"{sum(f.outcome_ok for f in self.files)}/{len(self.files)} outcomes as expected, "
                f"{sum(f.exact for f in self.files)}/{len(self.files)} exact; "
                f"{self.total('warn_cells_missed')} expected warnings not given, "
                f"{self.total('error_cells_missed')} expected error cells not named")


def load_truth(folder: Path) -> dict[str, dict]:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def stored(db: Path) -> dict[tuple[str, str, str], list[tuple[float | None, float | None]]]:
    """(unit code, indicator code, period) -> the stored (month, ytd) of every channel."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT u.code, i.code, f.period, f.month, f.ytd FROM figure f JOIN unit u ON u.id = "
                           "f.unit_id JOIN indicator i ON i.id = f.indicator_id").fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str, str], list] = {}
    for u, i, p, m, y in rows:
        out.setdefault((u, i, p), []).append((m, y))
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < EPS


def _import(run: Runner, db: Path, path: Path, options: list[str]) -> dict:
    code, out = run(["--db", str(db), "import", str(path), *options, "--json"])
    try:
        results = json.loads(out)
    except json.JSONDecodeError:
        return {"status": "crashed", "errors": [{"cell": "", "message": out[-300:]}], "warnings": []}
    return results[0] if results else {"status": "crashed", "errors": [], "warnings": []}


def score_file(run: Runner, base_db: Path, folder: Path, name: str, truth: dict[str, dict], work: Path) -> FileScore:
    spec = truth[name]
    db = work / f"{Path(name).stem}.db"
    shutil.copy(base_db, db)
    for before in spec.get("import_after", []):
        _import(run, db, folder / before, truth.get(before, {}).get("options", []))
    prior = stored(db)
    res = _import(run, db, folder / name, spec.get("options", []))
    status = {"imported": "imported", "revised": "imported", "unchanged": "imported"}.get(res.get("status"), "rejected")
    fs = FileScore(name, spec["status"], status)
    fs.messages = [f"{e.get('cell', '')}: {e.get('message', '')}" for e in res.get("errors", [])]
    after = stored(db)
    changed = {k: v for k, v in after.items() if prior.get(k) != v}
    period = spec.get("period")
    want: dict[tuple[str, str, str], tuple] = {}
    for f in spec.get("figures", []):
        want[(f["unit"], f["indicator"], f.get("period") or period)] = (f.get("month"), f.get("ytd"))
    forgive = status == "rejected" and "rejected" in spec["status"].split("|") and spec["status"] != "rejected"
    for key, (m, y) in want.items():
        got = after.get(key, [])
        for part, value in (("month", m), ("ytd", y)):
            values = [g[0] if part == "month" else g[1] for g in got]
            if value is None:
                if any(v is not None for v in values) and key in changed:
                    fs.wrong.append(f"{key} {part}: stored {values}, the file gives none")
                continue
            if forgive:
                fs.forgiven += 1
            elif any(_same(v, value) for v in values):
                fs.right += 1
            elif any(v is not None for v in values):
                fs.wrong.append(f"{key} {part}: stored {values}, truth {value}")
            else:
                fs.missing += 1
    for key, vals in changed.items():
        if key not in want:
            fs.wrong.append(f"{key}: stored {vals}, the file holds no such figure")
    cells = {w.get("cell") for w in res.get("warnings", [])}
    fs.warn_cells_missed = [c for c in spec.get("warn_cells", []) if c not in cells]
    fs.error_cells = list(spec.get("error_cells", []))
    if status == "rejected":  # a cell counts as named when an error names it, or another cell of its row
        ecells = {e.get("cell") for e in res.get("errors", [])}
        rows = {re.sub(r"^[A-Z]+", "", c) for c in ecells if c}
        fs.error_cells_missed = [c for c in spec.get("error_cells", []) if c not in ecells
                                 and re.sub(r"^[A-Z]+", "", c) not in rows]
    return fs


def score_set(run: Runner, base_db: Path, folder: Path) -> SetScore:
    truth = load_truth(folder)
    with tempfile.TemporaryDirectory() as tmp:
        return SetScore([score_file(run, base_db, folder, name, truth, Path(tmp)) for name in truth])


def cli_runner() -> Runner:
    """The CLI in this process (the shiwan on sys.path)."""
    from typer.testing import CliRunner

    from shiwan.cli import app

    runner = CliRunner()

    def run(args: list[str]) -> tuple[int, str]:
        r = runner.invoke(app, args)
        return r.exit_code, r.stdout

    return run


def main(argv: list[str]) -> int:
    run = cli_runner()
    verbose = "-v" in argv
    init = ["--units", argv[argv.index("--units") + 1]] if "--units" in argv else []
    argv = [a for i, a in enumerate(argv) if a != "--units" and (i == 0 or argv[i - 1] != "--units")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        code, out = run(["--db", str(base), "init", *init])
        if code:
            print(out)
            return 1
        for folder in [Path(a) for a in argv if a != "-v"]:
            score = score_set(run, base, folder)
            print(f"{folder}: {score.summary()}")
            for f in score.files:
                if not f.exact or f.warn_cells_missed or f.error_cells_missed or (verbose and f.messages):
                    print(f"  {f.file}: {f.status} (expected {f.expected}), right {f.right}, missing {f.missing}, "
                          f"wrong {len(f.wrong)}; warnings missed {f.warn_cells_missed}, error cells missed "
                          f"{f.error_cells_missed}")
                    for w in f.wrong[:6]:
                        print(f"      wrong: {w}")
                    if f.status != "imported" and (f.error_cells_missed or not f.outcome_ok) or verbose:
                        for m in f.messages[:3]:
                            print(f"      error: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
