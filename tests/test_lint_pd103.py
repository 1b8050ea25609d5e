"""PD103: every template variable used in a query is defined."""

from __future__ import annotations

from pathlib import Path

from validate_builders import dashboard, lint_findings, panel, panel_line, query_variable, sql_target

from pydis_dash.model import Kind, Ref, Resource, SourceLocation


def test_undefined_variable_in_a_panel_query() -> None:
    sql = "SELECT $__timeGroupAlias(created_at, $__interval), count(*) FROM messages WHERE channel_id IN ($chanel)"
    board = dashboard([panel("Messages", targets=[sql_target(sql)])], variables=[query_variable("channel", "SELECT 1")])

    [finding] = lint_findings("PD103", board)

    assert finding.json_path == "/panels/0/targets/0/rawSql"
    assert (finding.panel, finding.ref_id) == ("Messages", "A")
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == "variable $chanel is not defined on this dashboard"


def test_all_syntaxes_and_builtins() -> None:
    sql = "SELECT $__time(created_at), ${a:csv}, [[b]], $c, $1 FROM t WHERE $__timeFilter(created_at)"
    variables = [query_variable(name, "SELECT 1") for name in ("a", "b")]
    board = dashboard([panel("P", targets=[sql_target(sql)])], variables=variables)

    assert [f.message for f in lint_findings("PD103", board)] == ["variable $c is not defined on this dashboard"]


def test_variable_queries_may_use_other_variables_only_if_defined() -> None:
    variable = query_variable("channel", "SELECT id FROM channels WHERE category_id = $category")
    board = dashboard([panel("P")], variables=[variable])

    [finding] = lint_findings("PD103", board)

    assert finding.json_path == "/templating/list/0/query"
    assert finding.message == "variable $category is not defined on this dashboard"


def test_repeat_over_undefined_variable() -> None:
    board = dashboard([panel("Per channel", repeat="channel")])

    [finding] = lint_findings("PD103", board)

    assert finding.json_path == "/panels/0/repeat"
    assert finding.message == "panel repeats over variable $channel, which is not defined on this dashboard"


def test_alert_rules_have_no_variables() -> None:
    group = Resource(
        ref=Ref(Kind.GRAFANA_RULE_GROUP, "site/django"),
        title="django",
        body={
            "rules": [
                {
                    "title": "5xx",
                    "data": [
                        {"refId": "A", "datasourceUid": "prometheus", "model": {"expr": 'rate(x{job="$job"}[5m])'}}
                    ],
                }
            ]
        },
        source=SourceLocation(Path("alerts/site.py"), 2),
    )

    [finding] = lint_findings("PD103", group)

    assert finding.json_path == "/rules/0/data/0/model/expr"
    assert finding.message == "$job: alert rules have no template variables; write the value in the query"
