"""PD107: no overlapping panels."""

from __future__ import annotations

from validate_builders import dashboard, lint_findings, panel, panel_line, row


def test_overlap_is_reported_on_the_later_panel() -> None:
    board = dashboard([panel("Left", grid=(0, 0, 12, 8)), panel("Right", grid=(8, 4, 12, 8))])

    [finding] = lint_findings("PD107", board)

    assert finding.json_path == "/panels/1/gridPos"
    assert finding.panel == "Right"
    assert str(finding.location) == f"dashboards/test.py:{panel_line(1)}"
    assert finding.message == "overlaps panel 'Left' (x=8 y=4 w=12 h=8 vs x=0 y=0 w=12 h=8)"


def test_touching_panels_do_not_overlap() -> None:
    board = dashboard(
        [panel("Left", grid=(0, 0, 12, 8)), panel("Right", grid=(12, 0, 12, 8)), panel("Below", grid=(0, 8, 24, 8))]
    )
    assert lint_findings("PD107", board) == []


def test_collapsed_row_panels_are_compared_among_themselves() -> None:
    inner = [panel("A", grid=(0, 1, 12, 8)), panel("B", grid=(6, 1, 12, 8))]
    # The row's panels would overlap the top-level panel below the row if compared with it; they are not.
    board = dashboard([row("Row", 0, inner), panel("Top", grid=(0, 1, 24, 8))])

    [finding] = lint_findings("PD107", board)

    assert finding.json_path == "/panels/0/panels/1/gridPos"
    assert finding.message == "overlaps panel 'A' (x=6 y=1 w=12 h=8 vs x=0 y=1 w=12 h=8)"
