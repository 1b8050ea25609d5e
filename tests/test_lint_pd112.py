"""PD112: every severity used by a rule has a route."""

from __future__ import annotations

from alerting_builders import group, lint, policy, rule, where

from pydis_dash.alerts import Route


def test_routed_severities_pass() -> None:
    assert lint("PD112", group(rule("A", severity="page"), rule("B", severity="low")), policy()) == []


def test_unrouted_severity_is_reported_at_the_rules_label() -> None:
    critical = rule("Disk full", severity="critical")
    tree = policy()

    [finding] = lint("PD112", group(rule("A"), critical), tree)

    assert finding.json_path == "/rules/1/labels/severity"
    assert finding.panel == "Disk full"
    assert str(finding.location) == where(critical)
    assert finding.message == (
        f"severity 'critical' has no route in the notification policy ({where(tree)}); the alert would go to low"
    )


def test_a_continue_route_in_front_does_not_hide_the_severity_route() -> None:
    routes = [
        Route(match={"additional_destination": "moderators"}, receiver="mods", continue_=True),
        Route(matchers=[("severity", "=~", "page|urgent")], receiver="on-call"),
    ]
    raid = rule("Raid", severity="urgent", also_notify="moderators")
    assert lint("PD112", group(raid), policy(routes=routes)) == []


def test_a_route_without_continue_that_takes_the_alert_first_counts_as_unrouted() -> None:
    routes = [
        Route(match={"additional_destination": "moderators"}, receiver="mods"),
        Route(match={"severity": "low"}, receiver="low"),
    ]
    [finding] = lint("PD112", group(rule("Raid", severity="low", also_notify="moderators")), policy(routes=routes))
    assert finding.message.endswith("the alert would go to mods")


def test_no_policy_no_claim_and_rules_without_severity_are_ignored() -> None:
    assert lint("PD112", group(rule("A", severity="critical"))) == []
    assert lint("PD112", group(rule("A", severity=None)), policy()) == []
