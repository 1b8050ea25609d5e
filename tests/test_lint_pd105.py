"""PD105: refIds unique per panel."""

from __future__ import annotations

from validate_builders import TIME_SQL, dashboard, lint_findings, panel, panel_line, sql_target


def test_duplicate_ref_id_is_reported_on_the_second_target() -> None:
    board = dashboard([panel("Two queries", targets=[sql_target(TIME_SQL, "A"), sql_target(TIME_SQL, "A")])])

    [finding] = lint_findings("PD105", board)

    assert finding.json_path == "/panels/0/targets/1/refId"
    assert (finding.panel, finding.ref_id) == ("Two queries", "A")
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == "refId 'A' is also used by target 0 of this panel"


def test_same_ref_id_in_different_panels_is_fine() -> None:
    board = dashboard([panel("One"), panel("Two", grid=(12, 0, 12, 8))])
    assert lint_findings("PD105", board) == []
