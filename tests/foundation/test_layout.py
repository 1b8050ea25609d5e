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
