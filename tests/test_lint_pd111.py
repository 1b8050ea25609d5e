"""PD111: policy routes end at defined contact points and name defined mute timings."""

from __future__ import annotations

from alerting_builders import contact_points, lint, policy, where

from pydis_dash.alerts import MuteTiming, Route, TimeInterval


def test_defined_receivers_pass() -> None:
    assert lint("PD111", policy(), *contact_points("low", "on-call")) == []


def test_unknown_receiver_is_reported_at_its_route() -> None:
    typo = Route(match={"severity": "page"}, receiver="on-cal")
    tree = policy(routes=[typo])

    [finding] = lint("PD111", tree, *contact_points("low", "on-call"))

    assert finding.json_path == "/routes/0/receiver"
    assert str(finding.location) == where(typo)
    assert finding.message == (
        "route /routes/0 sends to contact point 'on-cal', which is not defined (defined: low, on-call)"
    )


def test_unknown_default_receiver_is_reported_at_the_root() -> None:
    [finding] = lint("PD111", policy(receiver="nobody"), *contact_points("low", "on-call"))
    assert finding.json_path == "/receiver"
    assert finding.message.startswith("the default route sends to contact point 'nobody'")


def test_inherited_receiver_is_fine_and_mute_timings_must_exist() -> None:
    nested = Route(
        match={"severity": "page"},
        receiver="on-call",
        routes=[Route(match={"team": "db"}, mute_timings=["nights", "lunch"])],
    )
    nights = MuteTiming("nights", [TimeInterval(times=[("00:00", "06:00")])])

    [finding] = lint("PD111", policy(routes=[nested]), nights, *contact_points("low", "on-call"))

    assert finding.json_path == "/routes/0/routes/0/mute_time_intervals/1"
    assert finding.message == "route /routes/0/routes/0 names mute timing 'lunch', which is not defined"


def test_without_any_contact_point_in_view_nothing_is_claimed() -> None:
    # `validate alerts/notification_policy.py` sees only the policy: it cannot know the contact points.
    assert lint("PD111", policy()) == []
