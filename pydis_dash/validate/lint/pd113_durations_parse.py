"""PD113: every duration in alerting resources parses (and a group's interval fits Grafana's scheduler)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydis_dash.conventions.alerting import BASE_INTERVAL
from pydis_dash.conventions.durations import DurationError, parse_duration
from pydis_dash.model import Kind, Resource
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.alerting import of_kind, route_nodes, rule_nodes
from pydis_dash.validate.lint.base import LintContext, Rule, register

_POLICY_DURATIONS = ("group_wait", "group_interval", "repeat_interval")


@register
class DurationsParse(Rule):
    """Grafana rejects a rule group, rule or policy tree with a malformed duration, and a group interval
    that is not a multiple of its 10 s scheduler tick; the helpers check this, raw JSON (``extra=``) does not."""

    id = "PD113"
    rationale = "Alerting durations parse (for, policy timings) and group intervals are positive multiples of 10s."

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Check each rule group's interval and rules' ``for``, and every route's timings."""
        for group in of_kind(ctx.resources, Kind.GRAFANA_RULE_GROUP):
            interval = group.body.get("interval")
            if not isinstance(interval, int) or isinstance(interval, bool) or interval <= 0 or interval % BASE_INTERVAL:
                yield self.finding(
                    group,
                    "/interval",
                    f"interval {interval!r} must be a positive whole number of seconds, a multiple of {BASE_INTERVAL}",
                )
        for node in rule_nodes(ctx.resources):
            yield from self._duration(node.group, f"{node.pointer}/for", node.rule.get("for"), "for", node.title)
            data = node.rule.get("data")
            for index, query in enumerate(data if isinstance(data, list) else []):
                window = query.get("relativeTimeRange") if isinstance(query, Mapping) else None
                if isinstance(window, Mapping) and not all(_is_int(window.get(k)) for k in ("from", "to")):
                    yield self.finding(
                        node.group,
                        f"{node.pointer}/data/{index}/relativeTimeRange",
                        "relativeTimeRange from/to must be whole numbers of seconds",
                        panel=node.title,
                    )
        for policy in of_kind(ctx.resources, Kind.GRAFANA_NOTIFICATION_POLICY):
            for route in route_nodes(policy.body):
                for key in _POLICY_DURATIONS:
                    if key in route.route:
                        yield from self._duration(policy, f"{route.pointer}/{key}", route.route[key], key, None)

    def _duration(
        self, resource: Resource, pointer: str, value: Any, what: str, title: str | None
    ) -> Iterator[Finding]:
        try:
            parse_duration(value)
        except DurationError as exc:
            yield self.finding(resource, pointer, f"{what}: {exc}", panel=title)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
