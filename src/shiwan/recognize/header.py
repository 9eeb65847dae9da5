"""Finding the header band of a table with indicators across: the row naming most indicators, the
rows above it (本月 / 本年累计 over the names, a group title) and below it (本月 / 累计 / 其中:女性 under
the names), and the rows under the header that are not figures: a 栏次 row (`甲 | 乙 | 1 | 2 | 3`)
and a 计量单位 row (`人 | 人次 | 万元`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiwan.recognize.grid import Grid, is_number
from shiwan.recognize.hits import Hit, distinct_by_row
from shiwan.recognize.words import (
    COLUMN_NUMBER_WORDS,
    FIGURE_MEASURES,
    IGNORE,
    INDICATOR_HEADERS,
    MEASURE_UNIT_HEADERS,
    MEASURE_UNIT_WORDS,
    SERIAL_HEADERS,
    UNIT_HEADERS,
    measure_of,
)
from shiwan.ref.catalog import Catalog
from shiwan.ref.text import normalize_header, squash


@dataclass
class Band:
    """The header rows (top to bottom), the row naming most indicators, the first row of figures, and
    the rows between them that are not figures (栏次, 计量单位) with the measure units they state."""

    rows: list[int]
    head: int
    first_data: int
    skipped: list[int] = field(default_factory=list)
    measure_units: dict[int, tuple[int, str]] = field(default_factory=dict)  # col -> (row, 人 | 万元 ...)

    @property
    def top(self) -> int:
        return self.rows[0]

    @property
    def bottom(self) -> int:
        return self.rows[-1]


def find_band(grid: Grid, hits: list[Hit], catalog: Catalog) -> Band:
    by_row = distinct_by_row(hits)
    head = _head_row(grid, hits, by_row)
    hit_cols = {h.c for h in hits if h.r == head} | {c for h in hits if h.r == head for c in grid.columns_of(h.r, h.c)}
    rows = [head]
    for r in range(head - 1, max(-1, head - 4), -1):
        if r in by_row or sub_header_row(grid, r, hit_cols, catalog) or _group_row(grid, r, hit_cols):
            rows.insert(0, r)
        else:
            break
    r = head + 1
    while r < min(grid.height, head + 4) and (r in by_row or sub_header_row(grid, r, hit_cols, catalog)):
        rows.append(r)
        r += 1
    band = Band(rows, head, rows[-1] + 1)
    _skip_non_figure_rows(grid, band, hit_cols)
    return band


def _head_row(grid: Grid, hits: list[Hit], by_row: dict[int, set[str]]) -> int:
    """The row naming the indicators of the table: of the rows naming many, the one with the most
    figures beneath it (a block of targets above the table may name more indicators than its header)."""
    best = max(len(v) for v in by_row.values())
    candidates = []
    for r in sorted(r for r, v in by_row.items() if len(v) >= max(2, best / 2)):
        if not any(by_row[x] == by_row[r] for x in candidates):  # the header again, on a second printed page
            candidates.append(r)
    candidates = candidates or [max(by_row, key=lambda r: len(by_row[r]))]

    def figures_below(r: int) -> int:
        cols = {c for h in hits if h.r == r for c in grid.columns_of(h.r, h.c)}
        stop = next((x for x in candidates if x > r), grid.height)
        return sum(1 for x in range(r + 1, min(stop, r + 80)) for c in cols if is_number(grid.cell(x, c)))

    return max(candidates, key=lambda r: (figures_below(r), len(by_row[r]), -r))


def sub_header_row(grid: Grid, r: int, hit_cols: set[int], catalog: Catalog) -> bool:
    """A header row of 本月 / 本年累计 / 其中:… words over or under indicator columns — not a title
    line such as `(1-6月)` in the first column, not a row of figures."""
    if r < 0 or r >= grid.height:
        return False
    n = 0
    for c, v in enumerate(grid.row(r)):
        if isinstance(v, str):
            if not v.strip():
                continue
            m = measure_of(v)
            span = grid.columns_of(r, c) if grid.merge(r, c) else range(c - 1, c + 1)
            near = c >= min(hit_cols, default=0) - 1 and any(j in hit_cols for j in span) and \
                not (grid.merge(r, c) and c < min(hit_cols, default=0))  # a title merged across is not a header
            if (m is not None and m.kind in (*FIGURE_MEASURES, IGNORE)) or catalog.names_part(v):
                n += near
            elif catalog.match(v) is None and not _header_word(v):
                return False
        elif v is not None:
            return False
    return n > 0


# a sub-header under an indicator naming the indicator's own count, beside its 其中 columns
WHOLE_WORDS = ("人数", "人次", "数量", "个数", "户数", "总人数", "人数合计")


def _header_word(v: str) -> bool:
    h = normalize_header(v)
    return h in UNIT_HEADERS or h in SERIAL_HEADERS or h in INDICATOR_HEADERS or h in MEASURE_UNIT_HEADERS \
        or h in ("小计", "合计", "总计", "计", "总数", "其中", *WHOLE_WORDS)


def _group_row(grid: Grid, r: int, hit_cols: set[int]) -> bool:
    """A row of group titles over the indicator names (`就业服务` spanning three of them): text cells
    only, each starting at or right of the first indicator column (a title starts at the left edge)
    and each over some, not all, of the indicator columns."""
    cells = grid.filled(r)
    if not cells or not hit_cols or any(not isinstance(v, str) for _, v in cells):
        return False
    first = min(hit_cols)
    for c, _ in cells:
        covered = set(grid.columns_of(r, c))
        if c < first or not covered & hit_cols or hit_cols <= covered and len(hit_cols) > 1:
            return False
    return True


def _skip_non_figure_rows(grid: Grid, band: Band, hit_cols: set[int]) -> None:
    """Move the first data row past 栏次 and 计量单位 rows, noting the measure units stated."""
    r = band.first_data
    while r < grid.height:
        if is_column_number_row(grid, r):
            band.skipped.append(r)
        elif is_measure_unit_row(grid, r):
            band.skipped.append(r)
            for c, v in grid.filled(r):
                if isinstance(v, str) and squash(v) in MEASURE_UNIT_WORDS:
                    band.measure_units[c] = (r, squash(v))
        else:
            break
        r += 1
    band.first_data = r


def is_column_number_row(grid: Grid, r: int) -> bool:
    """`甲 | 乙 | 1 | 2 | 3 …`: column numbers under the header (栏次), not figures."""
    cells = grid.filled(r)
    if not cells:
        return False
    words = [v for _, v in cells if isinstance(v, str) and squash(v) in COLUMN_NUMBER_WORDS]
    nums = []
    for _, v in cells:
        if isinstance(v, str) and squash(v) in COLUMN_NUMBER_WORDS:
            continue
        s = squash(str(v)).rstrip("栏") if not isinstance(v, float) else str(int(v)) if v.is_integer() else "x"
        if not s.isdigit():
            return False
        nums.append(int(s))
    consecutive = len(nums) >= 3 and all(b == a + 1 for a, b in zip(nums, nums[1:], strict=False))
    return consecutive or (bool(words) and (not nums or all(b == a + 1 for a, b in zip(nums, nums[1:], strict=False))))


def is_measure_unit_row(grid: Grid, r: int) -> bool:
    """`计量单位 | 人 | 人次 | 万元 …` under a one-row header."""
    cells = grid.filled(r)
    if len(cells) < 2:
        return False
    units = 0
    for _, v in cells:
        if not isinstance(v, str):
            return False
        s = squash(v)
        if s in MEASURE_UNIT_WORDS:
            units += 1
        elif normalize_header(s) not in MEASURE_UNIT_HEADERS and s not in COLUMN_NUMBER_WORDS:
            return False
    return units >= 1 and units >= len(cells) - 2


def number_cells(grid: Grid, r: int, cols) -> int:
    return sum(1 for c in cols if is_number(grid.cell(r, c)))
