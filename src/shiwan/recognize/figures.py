"""Reading figures out of their cells, strictly: every cell that is not a figure is an error naming
the cell and what was expected; a blank cell in a row that has other figures is zero.
"""

from __future__ import annotations

from shiwan.base.problems import Problem, error
from shiwan.read.readers import cell_name
from shiwan.recognize.grid import Grid
from shiwan.recognize.model import FigureIn, TotalIn
from shiwan.recognize.values import parse_figure
from shiwan.ref.catalog import IndicatorDef


class FigureReader:
    """Reads figure cells of one sheet, collecting every problem."""

    def __init__(self, grid: Grid, problems: list[Problem]):
        self.grid = grid
        self.problems = problems
        self._merges_named: set[tuple[int, int, int, int]] = set()
        self._merge_owner: dict[tuple[int, int, int, int], tuple[int, str] | None] = {}

    def value(self, r: int, c: int, ind: IndicatorDef, *, report: bool = True,
              owner: tuple[int, str] | None = None) -> tuple[bool, float | None]:
        """(ok, value) of a figure cell: blank is 0; an unreadable cell is an error (reported once).
        `owner` is the (unit, indicator) the cell is read for, so that one number merged over the
        cells of two units or two indicators is refused."""
        if (r, c) in self.grid.no_value:
            if report:
                self.problems.append(error("read.formula_no_value", sheet=self.grid.name, cell=cell_name(r, c)))
            return False, None
        merged = self._merged_figure(r, c) if owner is not None else None
        if merged and self._merge_owner.setdefault(merged, owner) != owner:
            if report and merged not in self._merges_named:
                self._merges_named.add(merged)
                self.problems.append(error("value.merged_figure", sheet=self.grid.name,
                                           cell=cell_name(*merged[:2]),
                                           span=f"{cell_name(*merged[:2])}:{cell_name(*merged[2:])}",
                                           indicator=ind.name))
            return False, None
        p = parse_figure(self.grid.cell(r, c), ind.decimals, ind.measure)
        if not p.ok:
            if report:
                params = {**dict(p.params), "indicator": ind.name, "decimals": ind.decimals}
                self.problems.append(error(p.error or "value.not_number", sheet=self.grid.name, cell=cell_name(r, c),
                                           **params))
            return False, None
        return True, (0.0 if p.blank else p.value)

    def _merged_figure(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        """The merged range a figure cell lies in when it holds a number over several cells: one figure
        cannot be two units' or two indicators' (a number merged down the rows of two counties)."""
        m = self.grid.merge(r, c)
        if m is None or (m[0], m[1]) == (m[2], m[3]):
            return None
        p = parse_figure(self.grid.cell(m[0], m[1]))
        return m if p.ok and not p.blank and p.value else None

    def figure(self, unit_id: int, ind: IndicatorDef, cells: dict[str, tuple[int, int]], channel: int,
               january: bool = False) -> FigureIn | None:
        """One figure from its cells ({'month'|'ytd': (row, col)}); None when a cell is bad or none given.
        In January 本月 and 本年累计 are the same figure: a return giving one gives both."""
        vals: dict[str, tuple[float | None, str]] = {}
        ok = True
        for slot, (r, c) in cells.items():
            good, v = self.value(r, c, ind, owner=(unit_id, ind.code))
            if good:
                vals[slot] = (v, cell_name(r, c))
            ok = ok and good
        if not ok or not vals:
            return None
        month = vals.get("month", (None, ""))
        ytd = vals.get("ytd", (None, ""))
        if ind.kind == "stock":
            return FigureIn(unit_id, ind.code, None, ytd[0], "", ytd[1], channel)
        if january and ind.kind == "flow":
            month = month if month[0] is not None else ytd
            ytd = ytd if ytd[0] is not None else month
        return FigureIn(unit_id, ind.code, month[0], ytd[0], month[1], ytd[1], channel)

    def total(self, label: str, cells: dict[tuple[str, str], tuple[int, int]], catalog, members: list[int]) -> TotalIn:
        """A 合计 row as written (its blank cells, or SUMs saved without a value, have nothing to check)."""
        out = TotalIn(label, {}, members)
        for (code, slot), (r, c) in cells.items():
            if self.grid.cell(r, c) is None:
                continue
            good, v = self.value(r, c, catalog.by_code[code])
            if good and v is not None:
                out.cells[(code, slot)] = (cell_name(r, c), v)
        return out
