"""Finding the cells that name an indicator, the first pass over every sheet.

A hit is a header cell naming an indicator of the catalog, with the measure the same cell may name
(`实现再就业人数(本月)`, `1-6月累计实现再就业人数`). Where the hits lie says how the table is laid out.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiwan.read.readers import Sheet
from shiwan.recognize.words import MEASURE_HINTS, Measure, split_measure
from shiwan.ref.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Hit:
    r: int
    c: int
    code: str
    measure: Measure | None


_cache: dict[tuple[int, str], tuple[str | None, Measure | None]] = {}


def header_hit(catalog: Catalog, v: str) -> tuple[str | None, Measure | None]:
    """(indicator code, measure) a header cell names, remembered across files of one worker."""
    key = (id(catalog), v)
    hit = _cache.get(key)
    if hit is None:
        code, mw = catalog.match(v), None
        if code is None and any(h in v for h in MEASURE_HINTS):
            name, mw = split_measure(v)
            code = catalog.match(name) if mw else None
        hit = (code, mw if code else None)
        if len(_cache) < 100_000:
            _cache[key] = hit
    return hit


def find_hits(sheet: Sheet, catalog: Catalog) -> list[Hit]:
    """Every header cell that names an indicator."""
    hits = []
    pieces = []
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if v.__class__ is str and 1 < len(v) < 80:
                code, mw = header_hit(catalog, v)
                if code:
                    hits.append(Hit(r, c, code, mw))
                elif len(v) < 12:
                    pieces.append((r, c, v))
    return hits + _broken_names(sheet, catalog, pieces, {(h.r, h.c) for h in hits})


def _broken_names(sheet: Sheet, catalog: Catalog, pieces: list[tuple[int, int, str]],
                  taken: set[tuple[int, int]]) -> list[Hit]:
    """A name broken over two header cells, one above the other (`实现再` over `就业人数`), neither naming
    an indicator alone: the lower cell names it, as if the name were written whole there."""
    found = []
    for r, c, v in pieces:
        below = sheet.cell(r + 1, c)
        if (r + 1, c) in taken or below.__class__ is not str or not catalog.qualifies(v):
            continue
        code = catalog.match_joined(v, below)
        if code:
            found.append(Hit(r + 1, c, code, None))
    return found


def distinct_by_row(hits: list[Hit]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for h in hits:
        out.setdefault(h.r, set()).add(h.code)
    return out


def distinct_by_col(hits: list[Hit]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for h in hits:
        out.setdefault(h.c, set()).add(h.code)
    return out
