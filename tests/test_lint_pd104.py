"""PD104: every defined template variable is used (warning)."""

from __future__ import annotations

from validate_builders import dashboard, lint_findings, panel, query_variable, sql_target

from pydis_dash.validate.findings import Severity


def test_unused_variable_is_a_warning_at_its_definition() -> None:
    used = query_variable("channel", "SELECT id FROM channels")
    unused = query_variable("category", "SELECT id FROM categories")
    board = dashboard(
        [panel("P", targets=[sql_target("SELECT created_at AS time FROM m WHERE channel_id = $channel")])],
        variables=[used, unused],
    )

    [finding] = lint_findings("PD104", board)

    assert finding.severity is Severity.WARNING
    assert finding.json_path == "/templating/list/1"
    assert str(finding.location) == "dashboards/test.py:1"
    assert finding.message == "variable $category is defined but never used"


def test_a_variable_referring_to_itself_only_is_unused() -> None:
    own = query_variable("x", "SELECT $x")
    assert [f.message for f in lint_findings("PD104", dashboard([panel("P")], variables=[own]))] == [
        "variable $x is defined but never used"
    ]


def test_uses_in_titles_other_variables_datasources_and_repeats_count() -> None:
    variables = [
        query_variable("title_var", "SELECT 1"),
        query_variable("parent", "SELECT 1"),
        query_variable("child", "SELECT id FROM t WHERE p = ${parent:sqlstring}"),
        {"type": "datasource", "name": "ds", "query": "prometheus"},
        query_variable("repeated", "SELECT 1"),
        {"type": "adhoc", "name": "filters"},
    ]
    panels = [
        panel("Messages in $title_var", targets=[sql_target("SELECT 1 AS time WHERE x = [[child]]")]),
        panel("Up", datasource={"type": "prometheus", "uid": "${ds}"}, targets=[], grid=(12, 0, 12, 8)),
        panel("Per", repeat="repeated", grid=(0, 8, 12, 8)),
    ]
    assert lint_findings("PD104", dashboard(panels, variables=variables)) == []
