"""Schema checks: dashboards, panel options and field config, alert rule groups (Grafana's own schemas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from validate_builders import dashboard, panel, panel_line, row

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate import schema
from pydis_dash.validate.findings import Severity
from pydis_dash.validate.schema import check_resource, panel_plugins


def _summary(resource: Resource) -> list[tuple[str, str, str, str | None]]:
    return [(f.json_path, str(f.location), f.message, f.panel) for f in check_resource(resource)]


def test_builder_dashboard_is_valid() -> None:
    board = dashboard([panel("A"), panel("B", "stat", grid=(12, 0, 12, 8)), row("R", 8, [panel("C", "table")])])
    assert check_resource(board) == []


def test_unknown_dashboard_property() -> None:
    [finding] = check_resource(dashboard([], __inputs=[]))
    assert finding.rule == "SCHEMA"
    assert finding.severity is Severity.ERROR
    assert finding.json_path == ""
    assert str(finding.location) == "dashboards/test.py:1"
    assert finding.message == "dashboard /: Additional properties are not allowed ('__inputs' was unexpected)"


def test_wrong_type_of_dashboard_field() -> None:
    assert _summary(dashboard([], refresh=5)) == [
        ("/refresh", "dashboards/test.py:1", "dashboard /refresh: expected string, got number 5", None)
    ]


def test_panel_errors_come_from_the_branch_the_panel_is() -> None:
    """A panel is oneOf(Panel, RowPanel): a typo in a timeseries panel is not reported as "not a row"."""
    board = dashboard([panel("Messages", titel="typo"), panel("Wide", grid=(0, 8, 30, 8))])
    assert _summary(board) == [
        (
            "/panels/0",
            f"dashboards/test.py:{panel_line(0)}",
            "dashboard /panels/0: Additional properties are not allowed ('titel' was unexpected)",
            "Messages",
        ),
        (
            "/panels/1/gridPos/w",
            f"dashboards/test.py:{panel_line(1)}",
            "dashboard /panels/1/gridPos/w: 30 is greater than the maximum of 24",
            "Wide",
        ),
    ]


def test_row_errors_come_from_the_row_branch() -> None:
    broken_row = {**row("R", 0, [panel("Inner")]), "collapsed": "yes"}
    assert _summary(dashboard([broken_row])) == [
        (
            "/panels/0/collapsed",
            f"dashboards/test.py:{panel_line(0)}",
            'dashboard /panels/0/collapsed: expected boolean, got string "yes"',
            "R",
        ),
    ]


def test_panel_options_against_the_plugin_schema() -> None:
    stat = panel("Posters", "stat")
    stat["options"]["colorMode"] = "rainbow"
    assert _summary(dashboard([stat])) == [
        (
            "/panels/0/options/colorMode",
            f"dashboards/test.py:{panel_line(0)}",
            'stat options /panels/0/options/colorMode: "rainbow" is not one of "value", "background", '
            '"background_solid", "none"',
            "Posters",
        ),
    ]


def test_missing_required_option() -> None:
    series = panel("Messages")
    del series["options"]["legend"]
    [finding] = check_resource(dashboard([series]))
    assert finding.json_path == "/panels/0/options"
    assert finding.message == "timeseries options /panels/0/options: 'legend' is a required property"


def test_field_config_custom_against_the_plugin_schema() -> None:
    series = panel("Messages")
    series["fieldConfig"]["defaults"]["custom"]["drawStyle"] = "dots"
    [finding] = check_resource(dashboard([series]))
    assert finding.json_path == "/panels/0/fieldConfig/defaults/custom/drawStyle"
    assert finding.message.startswith(
        'timeseries field config /panels/0/fieldConfig/defaults/custom/drawStyle: "dots" is not one of "line"'
    )


def test_panels_in_collapsed_rows_are_checked_too() -> None:
    inner = panel("Inner", "stat")
    inner["options"]["graphMode"] = 3
    [finding] = check_resource(dashboard([row("R", 0, [inner])]))
    assert finding.json_path == "/panels/0/panels/0/options/graphMode"
    assert finding.panel == "Inner"


def _rule_group(rule: dict[str, Any]) -> Resource:
    return Resource(
        ref=Ref(Kind.GRAFANA_RULE_GROUP, "site/django"),
        title="django",
        body={"title": "django", "folderUid": "site", "interval": 60, "rules": [rule]},
        source=SourceLocation(Path("alerts/site.py"), 5),
        anchors={"/rules/0": SourceLocation(Path("alerts/site.py"), 7)},
    )


VALID_RULE = {
    "uid": "site-5xx",
    "title": "Any 5xx",
    "orgID": 1,
    "folderUID": "site",
    "ruleGroup": "django",
    "condition": "B",
    "for": "5m",
    "noDataState": "OK",
    "execErrState": "Error",
    "data": [
        {
            "refId": "A",
            "datasourceUid": "prometheus",
            "relativeTimeRange": {"from": 600, "to": 0},
            "model": {"expr": "sum(rate(x[5m]))", "refId": "A"},
        }
    ],
}


def test_valid_rule_group() -> None:
    assert check_resource(_rule_group(VALID_RULE)) == []


def test_rule_group_against_alerting_schema() -> None:
    rule = {key: value for key, value in VALID_RULE.items() if key != "condition"}
    rule["noDataState"] = "Silence"
    assert [(f.json_path, str(f.location), f.message) for f in check_resource(_rule_group(rule))] == [
        ("/rules/0", "alerts/site.py:7", "alert rule group /rules/0: 'condition' is a required property"),
        (
            "/rules/0/noDataState",
            "alerts/site.py:7",
            'alert rule group /rules/0/noDataState: "Silence" is not one of "OK", "Alerting", "NoData", "KeepLast"',
        ),
    ]


def test_other_kinds_have_no_schema() -> None:
    folder = Resource(Ref(Kind.GRAFANA_FOLDER, "f"), "F", {"anything": 1}, SourceLocation(Path("x.py")))
    assert check_resource(folder) == []


def test_plugins_and_compiled_once() -> None:
    assert {
        "timeseries",
        "stat",
        "table",
        "bargauge",
        "barchart",
        "piechart",
        "gauge",
        "heatmap",
        "text",
        "histogram",
        "statetimeline",
        "statushistory",
    } <= panel_plugins()
    first = schema._validator("stat.jsonschema.json", "Options")
    assert schema._validator("stat.jsonschema.json", "Options") is first
