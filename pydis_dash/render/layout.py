"""Automatic layout on Grafana's 24-column grid.

Authors list panels in reading order; each takes a width and height (defaults per panel type). Panels
with an explicit ``gridPos`` are pinned first; the others go, in order, to the first free spot at or
below the previous panel's row, left to right (a first-fit, kept on a skyline of column heights). That never overlaps
two auto-placed panels, never exceeds 24 columns, and keeps the order authors wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

GRID_COLUMNS = 24

# Grafana's panel editor defaults, by panel type: stats are small tiles, graphs half width.
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "stat": (6, 4),
    "gauge": (6, 6),
    "text": (24, 3),
    "table": (24, 8),
    "timeseries": (12, 8),
    "barchart": (12, 8),
    "bargauge": (12, 8),
    "piechart": (8, 8),
    "heatmap": (12, 8),
}


@dataclass(frozen=True)
class GridPos:
    """A panel's place on the grid: column ``x`` (0-23), row ``y``, width ``w`` and height ``h``."""

    x: int
    y: int
    w: int
    h: int

    def cells(self) -> set[tuple[int, int]]:
        """Every grid cell (column, row) the panel covers."""
        return {(col, row) for col in range(self.x, self.x + self.w) for row in range(self.y, self.y + self.h)}

    def to_json(self) -> dict[str, int]:
        """Grafana's ``gridPos`` object."""
        return {"h": self.h, "w": self.w, "x": self.x, "y": self.y}


@dataclass(frozen=True)
class LayoutItem:
    """A panel to place: its size, or a pinned position (relative to the section's top)."""

    width: int
    height: int
    pinned: GridPos | None = None


def default_size(panel_type: str) -> tuple[int, int]:
    """Default (width, height) for a panel type."""
    return DEFAULT_SIZES.get(panel_type, (12, 8))


def place(items: list[LayoutItem], top: int = 0) -> list[GridPos]:
    """Place ``items`` below row ``top``; returns one position per item, in the same order.

    Raises ``ValueError`` for a width outside 1..24 or a height below 1 (the loader reports it with
    the panel's line).
    """
    pinned = [
        GridPos(item.pinned.x, item.pinned.y + top, item.pinned.w, item.pinned.h)
        for item in items
        if item.pinned is not None
    ]
    skyline = _Skyline(top, pinned)
    pinned_positions = iter(pinned)
    placed: list[GridPos] = []
    for item in items:
        if item.pinned is not None:
            placed.append(next(pinned_positions))
            continue
        if not 1 <= item.width <= GRID_COLUMNS or item.height < 1:
            raise ValueError(f"panel size {item.width}x{item.height} does not fit the 24-column grid")
        placed.append(skyline.add(item.width, item.height))
    return placed


class _Skyline:
    """First-fit placement in constant work per panel: the height of each column, not a cell grid.

    Auto-placed panels never start above the previous one (reading order), so below that row a column
    is free exactly from its height down: no holes to remember. Only pinned panels can leave holes;
    they are checked as rectangles. A candidate row only becomes free where some column height or
    pinned panel ends, so those rows are the only ones worth trying, lowest first, each left to right:
    the same spot a row-by-row, cell-by-cell first fit finds.
    """

    def __init__(self, top: int, pinned: list[GridPos]) -> None:
        self.heights = [top] * GRID_COLUMNS
        self.cursor_row = top  # the row of the last auto-placed panel
        self.pinned = pinned

    def add(self, width: int, height: int) -> GridPos:
        """Place a ``width`` x ``height`` panel at the first free spot at or below the cursor row."""
        ends = {self.cursor_row, *self.heights, *(p.y + p.h for p in self.pinned)}
        for row in sorted(r for r in ends if r >= self.cursor_row):
            for col in range(GRID_COLUMNS - width + 1):
                if max(self.heights[col : col + width]) <= row and not self._hits_pinned(col, row, width, height):
                    return self._take(GridPos(col, row, width, height))
        raise AssertionError("unreachable: the row below every panel is always free")

    def _hits_pinned(self, col: int, row: int, width: int, height: int) -> bool:
        return any(
            col < p.x + p.w and p.x < col + width and row < p.y + p.h and p.y < row + height for p in self.pinned
        )

    def _take(self, pos: GridPos) -> GridPos:
        self.cursor_row = pos.y
        for col in range(pos.x, pos.x + pos.w):
            self.heights[col] = pos.y + pos.h
        return pos


def bottom(positions: list[GridPos], top: int = 0) -> int:
    """The first free row below ``positions`` (``top`` when there are none)."""
    return max((p.y + p.h for p in positions), default=top)
