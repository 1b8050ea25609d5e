"""Rendered alerting resources against Grafana's alerting JSON schema (rule groups through
``validate.schema``, contact points and the policy tree through ``validate.alerting_schema``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from alerting_builders import contact_points, group, policy, render, rule, where

from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources
from pydis_dash.validate.alerting_schema import check_alerting_schemas
from pydis_dash.validate.schema import check_schemas

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_bundled_alerting_resources_pass_the_schema() -> None:
    resources = load_resources(REPO_ROOT, ["alerts/"])
    kinds = {r.kind for r in resources}
    assert {Kind.GRAFANA_RULE_GROUP, Kind.GRAFANA_CONTACT_POINT, Kind.GRAFANA_NOTIFICATION_POLICY} <= kinds
    assert check_schemas(resources) == []
    assert check_alerting_schemas(resources) == []


def test_a_bad_rule_field_is_a_schema_finding_at_the_rules_line() -> None:
    bad = rule("A", extra={"noDataState": "Firing"})
    [_, rendered] = render(group(rule("B"), bad))

    [finding] = check_schemas([rendered])

    assert finding.rule == "SCHEMA"
    assert finding.json_path == "/rules/1/noDataState"
    assert str(finding.location) == where(bad)
    assert '"Firing" is not one of' in finding.message


def test_an_unknown_rule_field_is_reported() -> None:
    [_, rendered] = render(group(rule("A", extra={"forr": "5m"})))
    [finding] = check_schemas([rendered])
    assert "'forr' was unexpected" in finding.message


def test_contact_point_and_policy_errors() -> None:
    [point] = render(*contact_points("on-call"))
    [tree] = render(policy())
    broken_point = replace(point, body={**point.body, "type": "carrier-pigeon"})
    broken_tree = replace(tree, body={**tree.body, "routes": [{"object_matchers": "severity=page"}]})

    findings = check_alerting_schemas([broken_point, broken_tree, point, tree])

    assert [(f.ref.kind if f.ref else None, f.json_path) for f in findings] == [
        (Kind.GRAFANA_CONTACT_POINT, "/type"),
        (Kind.GRAFANA_NOTIFICATION_POLICY, "/routes/0/object_matchers"),
    ]
    assert findings[0].message.startswith("contact point /type: 'carrier-pigeon' is not one of")
