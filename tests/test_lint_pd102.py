"""PD102: data source references resolve to defined data sources of a compatible type."""

from __future__ import annotations

from pathlib import Path

from validate_builders import (
    METRICITY,
    PROMETHEUS,
    dashboard,
    lint_findings,
    panel,
    panel_line,
    prom_target,
    query_variable,
    sql_target,
)

from pydis_dash.model import Kind, Ref, Resource, SourceLocation


def test_undefined_datasource_uid_on_a_target() -> None:
    target = {
        **sql_target("SELECT 1 AS time"),
        "datasource": {"type": "grafana-postgresql-datasource", "uid": "metricty"},
    }
    board = dashboard([panel("Messages", targets=[target])])

    [finding] = lint_findings("PD102", board)

    assert finding.json_path == "/panels/0/targets/0/datasource"
    assert finding.panel == "Messages"
    assert finding.ref_id == "A"
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == "data source 'metricty' is not defined (defined: graphite, metricity, prometheus)"


def test_reference_type_must_match_the_defined_type() -> None:
    board = dashboard([panel("Rate", datasource={"type": "prometheus", "uid": "metricity"}, targets=[])])

    [finding] = lint_findings("PD102", board)

    assert finding.json_path == "/panels/0/datasource"
    assert finding.message == (
        "data source 'metricity' is of type 'grafana-postgresql-datasource', but the reference says 'prometheus'"
    )


def test_old_postgres_plugin_id_is_compatible() -> None:
    board = dashboard([panel("Messages", datasource={"type": "postgres", "uid": "metricity"}, targets=[])])
    assert lint_findings("PD102", board) == []


def test_query_field_must_fit_the_datasource() -> None:
    target = {"refId": "A", "datasource": PROMETHEUS, "rawSql": "SELECT 1"}
    board = dashboard([panel("Mixed up", targets=[target], datasource=PROMETHEUS)])

    [finding] = lint_findings("PD102", board)

    assert finding.json_path == "/panels/0/targets/0/rawSql"
    assert finding.message == "target has a sql query (rawSql) but its data source 'prometheus' is prometheus (promql)"


def test_datasource_variable_must_exist() -> None:
    board = dashboard([panel("Up", datasource={"type": "prometheus", "uid": "${ds}"}, targets=[prom_target("up")])])
    findings = lint_findings("PD102", board)
    assert [(f.json_path, f.message) for f in findings] == [
        (
            "/panels/0/datasource",
            "data source variable ${ds} is not defined (add a template variable of type datasource)",
        )
    ]


def test_datasource_variable_of_the_right_plugin_is_accepted() -> None:
    ds_var = {"type": "datasource", "name": "ds", "query": "prometheus"}
    target = {"refId": "A", "datasource": {"type": "prometheus", "uid": "${ds}"}, "expr": "up"}
    board = dashboard(
        [panel("Up", datasource={"type": "prometheus", "uid": "${ds}"}, targets=[target])], variables=[ds_var]
    )
    assert lint_findings("PD102", board) == []


def test_query_variable_datasource_is_checked() -> None:
    variable = query_variable("channel", "SELECT name FROM channels", datasource={**METRICITY, "uid": "nope"})
    board = dashboard([panel("Messages", targets=[sql_target("SELECT $channel AS time")])], variables=[variable])

    [finding] = lint_findings("PD102", board)

    assert finding.json_path == "/templating/list/0/datasource"
    assert finding.message.startswith("data source 'nope' is not defined")


def test_alert_rule_datasource_uid_is_checked() -> None:
    group = Resource(
        ref=Ref(Kind.GRAFANA_RULE_GROUP, "site/django"),
        title="django",
        body={
            "title": "django",
            "rules": [
                {
                    "title": "High latency",
                    "data": [
                        {"refId": "A", "datasourceUid": "promethues", "model": {"expr": "up"}},
                        {"refId": "B", "datasourceUid": "__expr__", "model": {"type": "threshold"}},
                    ],
                }
            ],
        },
        source=SourceLocation(Path("alerts/site.py"), 4),
    )

    [finding] = lint_findings("PD102", group)

    assert finding.json_path == "/rules/0/data/0/datasourceUid"
    assert (finding.panel, finding.ref_id) == ("High latency", "A")
    assert str(finding.location) == "alerts/site.py:4"
    assert finding.message.startswith("data source 'promethues' is not defined")
