"""Panel rectangles on Grafana's grid, shared by the layout rules (PD106, PD107)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GRID_COLUMNS = 24


@dataclass(frozen=True)
class Rect:
    """A panel's ``gridPos``: column ``x``, row ``y``, width ``w`` and height ``h`` in grid units."""

    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Rect) -> bool:
        """True when the two rectangles share at least one grid cell."""
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def __str__(self) -> str:
        return f"x={self.x} y={self.y} w={self.w} h={self.h}"


def grid_rect(panel: Mapping[str, Any]) -> Rect | None:
    """The panel's gridPos, or ``None`` when it is missing or not all integers (the schema reports that)."""
    grid = panel.get("gridPos")
    if not isinstance(grid, Mapping):
        return None
    values = [grid.get(key) for key in ("x", "y", "w", "h")]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    x, y, w, h = (int(v) for v in values)  # type: ignore[arg-type]
    return Rect(x, y, w, h)
