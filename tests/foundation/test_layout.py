"""Automatic layout: never overlaps, never exceeds 24 columns, keeps reading order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.render.layout import GridPos, LayoutItem, place

sizes = st.tuples(st.integers(min_value=1, max_value=24), st.integers(min_value=1, max_value=12))


@given(st.lists(sizes, max_size=30), st.integers(min_value=0, max_value=40))
def test_auto_layout_never_overlaps_and_fits_the_grid(items: list[tuple[int, int]], top: int) -> None:
    positions = place([LayoutItem(w, h) for w, h in items], top=top)
    assert len(positions) == len(items)
    seen: set[tuple[int, int]] = set()
    for (w, h), pos in zip(items, positions, strict=True):
        assert (pos.w, pos.h) == (w, h)
        assert pos.x >= 0 and pos.x + pos.w <= 24 and pos.y >= top
        assert not pos.cells() & seen
        seen |= pos.cells()


@given(st.lists(sizes, min_size=2, max_size=20))
def test_later_panels_never_go_above_earlier_ones(items: list[tuple[int, int]]) -> None:
    positions = place([LayoutItem(w, h) for w, h in items])
    rows = [p.y for p in positions]
    assert rows == sorted(rows)


def test_panels_flow_left_to_right_then_wrap() -> None:
    positions = place([LayoutItem(12, 8), LayoutItem(12, 8), LayoutItem(6, 4)])
    assert positions == [GridPos(0, 0, 12, 8), GridPos(12, 0, 12, 8), GridPos(0, 8, 6, 4)]


def test_pinned_panels_keep_their_place_and_others_flow_around() -> None:
    positions = place([LayoutItem(12, 8), LayoutItem(6, 4, pinned=GridPos(0, 0, 6, 4))], top=5)
    assert positions[1] == GridPos(0, 5, 6, 4)
    assert positions[0] == GridPos(6, 5, 12, 8)


def _cell_first_fit(items: list[LayoutItem], top: int) -> list[GridPos]:
    """The reference model: an occupancy grid of cells, scanned row by row, left to right."""
    occupied: set[tuple[int, int]] = set()
    pinned: dict[int, GridPos] = {}
    for index, item in enumerate(items):
        if item.pinned is not None:
            pinned[index] = GridPos(item.pinned.x, item.pinned.y + top, item.pinned.w, item.pinned.h)
            occupied |= pinned[index].cells()
    placed, cursor = [], top
    for index, item in enumerate(items):
        if index in pinned:
            placed.append(pinned[index])
            continue
        row = cursor
        while not (
            spot := next(
                (
                    GridPos(col, row, item.width, item.height)
                    for col in range(24 - item.width + 1)
                    if not GridPos(col, row, item.width, item.height).cells() & occupied
                ),
                None,
            )
        ):
            row += 1
        cursor = spot.y
        occupied |= spot.cells()
        placed.append(spot)
    return placed


pinned_items = st.builds(
    lambda x, y, w, h: LayoutItem(w, h, pinned=GridPos(x, y, w, h)),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=6),
)
any_items = st.lists(st.one_of(sizes.map(lambda s: LayoutItem(*s)), pinned_items), max_size=25)


@given(any_items, st.integers(min_value=0, max_value=10))
def test_the_skyline_places_every_panel_where_a_cell_by_cell_first_fit_does(items: list[LayoutItem], top: int) -> None:
    assert place(items, top=top) == _cell_first_fit(items, top)
