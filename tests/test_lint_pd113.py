"""PD113: alerting durations parse; group intervals are multiples of 10 s."""

from __future__ import annotations

from alerting_builders import group, lint, policy, rule, where


def test_rendered_helpers_pass() -> None:
    assert lint("PD113", group(rule(for_="1h30m")), policy()) == []


def test_bad_for_in_raw_json_is_reported() -> None:
    bad = rule("A", extra={"for": "5 minutes"})

    [finding] = lint("PD113", group(bad))

    assert finding.json_path == "/rules/0/for"
    assert str(finding.location) == where(bad)
    assert finding.message == "for: '5 minutes' is not a duration (write e.g. '30s', '5m', '1h30m')"


def test_bad_relative_time_range_is_reported() -> None:
    bad = rule("A", extra={"data": [{"relativeTimeRange": {"from": "10m", "to": 0}}]})
    [finding] = lint("PD113", group(bad))
    assert finding.json_path == "/rules/0/data/0/relativeTimeRange"


def test_bad_interval_and_policy_timings_are_reported() -> None:
    from dataclasses import replace

    from alerting_builders import render

    [_, rendered] = render(group())
    odd = replace(rendered, body={**rendered.body, "interval": 45})
    tree = policy()
    [policy_resource] = render(tree)
    broken_tree = replace(
        policy_resource,
        body={**policy_resource.body, "routes": [{**policy_resource.body["routes"][0], "repeat_interval": "1 hour"}]},
    )

    findings = lint("PD113", resources=[odd, broken_tree])

    assert [(f.json_path, f.message) for f in findings] == [
        ("/interval", "interval 45 must be a positive whole number of seconds, a multiple of 10"),
        ("/routes/0/repeat_interval", "repeat_interval: '1 hour' is not a duration (write e.g. '30s', '5m', '1h30m')"),
    ]
