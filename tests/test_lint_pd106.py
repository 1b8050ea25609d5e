"""PD106: gridPos within the 24 columns."""

from __future__ import annotations

import pytest
from validate_builders import dashboard, lint_findings, panel, panel_line, row


def test_panel_past_column_24() -> None:
    board = dashboard([panel("Wide", grid=(16, 0, 12, 8))])

    [finding] = lint_findings("PD106", board)

    assert finding.json_path == "/panels/0/gridPos"
    assert finding.panel == "Wide"
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == "gridPos x=16 w=12 ends at column 28, past the 24 columns"


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ((-1, 0, 12, 8), "gridPos x=-1 is left of the grid (x must be >= 0)"),
        ((0, 0, 0, 8), "gridPos w=0 h=8: a panel must be at least 1 wide and 1 high"),
    ],
)
def test_other_bad_positions(grid: tuple[int, int, int, int], message: str) -> None:
    assert [f.message for f in lint_findings("PD106", dashboard([panel("P", grid=grid)]))] == [message]


def test_panels_inside_collapsed_rows_are_checked() -> None:
    board = dashboard([row("Row", 0, [panel("Inner", grid=(20, 1, 8, 8))])])

    [finding] = lint_findings("PD106", board)

    assert finding.json_path == "/panels/0/panels/0/gridPos"
    assert finding.panel == "Inner"


def test_full_width_panel_is_fine() -> None:
    assert lint_findings("PD106", dashboard([panel("P", grid=(0, 0, 24, 8))])) == []
