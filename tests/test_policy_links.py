"""The notification policy depends on every contact point and mute timing it names (deploy order, and
skipping the policy when one of them failed): links made when the project is rendered."""

from __future__ import annotations

from alerting_builders import ROOT, contact_points, policy, render

from pydis_dash.alerts import MuteTiming, Route, TimeInterval, email_contact_point
from pydis_dash.definition import Definition
from pydis_dash.model import Kind, Ref
from pydis_dash.selectors import Selection


def policy_dependencies(*definitions: Definition) -> set[str]:
    [tree] = [r for r in render(*definitions) if r.kind is Kind.GRAFANA_NOTIFICATION_POLICY]
    return {str(ref) for ref in tree.depends_on}


def test_the_policy_depends_on_each_integration_of_every_contact_point_it_routes_to() -> None:
    routes = [Route(match={"severity": "page"}, receiver="on-call", routes=[Route(match={"team": "x"}, receiver="x")])]
    on_call_mail = email_contact_point("on-call", addresses=["ops@example.org"])
    assert policy_dependencies(
        policy("low", routes), *contact_points("low", "on-call", "x", "unused"), on_call_mail
    ) == {
        "grafana-contact-point/pydis-dash-low-discord",
        "grafana-contact-point/pydis-dash-on-call-discord",
        "grafana-contact-point/pydis-dash-on-call-email",
        "grafana-contact-point/pydis-dash-x-discord",
    }


def test_the_policy_depends_on_the_mute_timings_its_routes_name() -> None:
    nights = MuteTiming("Nights", [TimeInterval(times=[("00:00", "06:00")])])
    weekends = MuteTiming("Weekends", [TimeInterval(weekdays=["saturday:sunday"])])
    routes = [Route(match={"severity": "low"}, receiver="low", mute_timings=["Nights"])]
    assert policy_dependencies(policy("low", routes), *contact_points("low"), nights, weekends) == {
        "grafana-contact-point/pydis-dash-low-discord",
        "grafana-mute-timing/nights",
    }


def test_a_name_no_definition_has_adds_no_dependency() -> None:
    # Lint rule PD111 reports it; the link step only links what exists.
    assert policy_dependencies(policy("nobody", [Route(match={"a": "b"}, receiver="low")]), *contact_points("low")) == {
        "grafana-contact-point/pydis-dash-low-discord"
    }


def test_selecting_the_policy_selects_what_it_names() -> None:
    resources = render(policy("low", [Route(match={"a": "b"}, receiver="low")]), *contact_points("low", "other"))
    selected = Selection.parse(["grafana-notification-policy/*"], ROOT).apply(resources)
    assert {r.ref for r in selected} == {
        Ref(Kind.GRAFANA_NOTIFICATION_POLICY, "notification-policy"),
        Ref(Kind.GRAFANA_CONTACT_POINT, "pydis-dash-low-discord"),
    }
