"""Automatic layout on Grafana's 24-column grid.

Authors list panels in reading order; each takes a width and height (defaults per panel type). Panels
with an explicit ``gridPos`` are pinned first; the others go, in order, to the first free spot at or
below the previous panel's row, left to right (a first-fit on an occupancy grid). That never overlaps
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
    occupied: set[tuple[int, int]] = set()
    positions: list[GridPos | None] = []
    for item in items:
        if item.pinned is not None:
            pos = GridPos(item.pinned.x, item.pinned.y + top, item.pinned.w, item.pinned.h)
            occupied |= pos.cells()
            positions.append(pos)
        else:
            positions.append(None)
    placed: list[GridPos] = []
    cursor_row = top
    for item, pinned in zip(items, positions, strict=True):
        if pinned is not None:
            placed.append(pinned)
            continue
        if not 1 <= item.width <= GRID_COLUMNS or item.height < 1:
            raise ValueError(f"panel size {item.width}x{item.height} does not fit the 24-column grid")
        pos = _first_fit(item.width, item.height, occupied, cursor_row)
        cursor_row = pos.y
        occupied |= pos.cells()
        placed.append(pos)
    return placed


def _first_fit(width: int, height: int, occupied: set[tuple[int, int]], start_row: int) -> GridPos:
    # Scanning from the previous auto-placed panel's row (not from the top) keeps reading order: a later
    # panel never jumps above an earlier one. Dashboards hold tens of panels, so a plain scan is enough.
    row = start_row
    while True:
        for col in range(GRID_COLUMNS - width + 1):
            candidate = GridPos(col, row, width, height)
            if not candidate.cells() & occupied:
                return candidate
        row += 1


def bottom(positions: list[GridPos], top: int = 0) -> int:
    """The first free row below ``positions`` (``top`` when there are none)."""
    return max((p.y + p.h for p in positions), default=top)
