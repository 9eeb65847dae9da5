"""The customary short names of units (`哈市` for 哈尔滨市, `齐市` for 齐齐哈尔市), as data: a CSV of
`code,aliases` (aliases `|`-separated), added to every unit of that code. They let a title or a
填报单位 line that writes the short form name its unit; a short name shared by two units stays
ambiguous and is refused with both, like any name."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shiwan.base.errors import FileContentError

DEFAULT_ALIASES = "divisions-heilongjiang-aliases.csv"


class AliasesFileError(FileContentError):
    """An aliases file that cannot be used; the message names the line."""


def read_aliases(path: Path) -> dict[str, list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AliasesFileError(path, "file.unreadable", detail=str(exc)) from None
    out: dict[str, list[str]] = {}
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
        code, names = (row.get("code") or "").strip(), (row.get("aliases") or "").strip()
        if not code or not names:
            raise AliasesFileError(f"{path}:{n}", "file.missing_key", key="code" if not code else "aliases")
        out.setdefault(code, []).extend(a.strip() for a in names.split("|") if a.strip())
    return out


def add_aliases(db, aliases: dict[str, list[str]]) -> int:
    """Add the aliases to every unit of each code (keeping those it has); returns the units changed."""
    changed = 0
    for code, names in aliases.items():
        for uid, current in db.all("SELECT id, aliases FROM unit WHERE code = :c", {"c": code}):
            have = [a for a in (current or "").split("|") if a]
            new = have + [a for a in names if a not in have]
            if new != have:
                db.run("UPDATE unit SET aliases = :a WHERE id = :i", {"a": "|".join(new), "i": uid})
                changed += 1
    return changed
