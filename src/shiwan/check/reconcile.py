"""A unit's own figure against another source for the same unit and month: a county's own return
against its row in its city's summary, or a city's row in the province summary against what its own
office and its counties reported. Used when a file arrives (a warning that names both sources) and
by `check --period` on stored figures (an error to settle before signing).
"""

from __future__ import annotations

from typing import Protocol

EPS = 1e-6


class Pair(Protocol):
    month: float | None
    ytd: float | None


def disagreements(own: Pair, other: Pair) -> list[tuple[str, float, float]]:
    """('month' | 'ytd', own value, other value) for each figure both give and that differs."""
    out = []
    for attr in ("month", "ytd"):
        x, y = getattr(own, attr), getattr(other, attr)
        if x is not None and y is not None and abs(x - y) > EPS:
            out.append((attr, x, y))
    return out
