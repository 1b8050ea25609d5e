"""PD112: every ``severity`` an alert rule uses has a route in the notification policy."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Kind
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.alerting import matchers_of, of_kind, route_alert, rule_nodes
from pydis_dash.validate.lint.base import LintContext, Rule, register

SEVERITY = "severity"


@register
class SeveritiesRouted(Rule):
    """Severity decides who is woken up: an alert whose severity no route matches falls through to the
    default contact point, so a ``page`` spelt ``Page`` would never page anyone."""

    id = "PD112"
    rationale = "Every severity label used by an alert rule is matched by a route of the notification policy."

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Route each rule's labels through the tree; report rules no severity-matching route takes."""
        policies = of_kind(ctx.resources, Kind.GRAFANA_NOTIFICATION_POLICY)
        if not policies:
            return  # routing is left to Grafana's UI: nothing to check against
        policy = policies[0]
        for node in rule_nodes(ctx.resources):
            severity = node.labels.get(SEVERITY)
            if severity is None:
                continue
            labels = {**node.labels, "alertname": node.title or "", "grafana_folder": node.group.container or ""}
            handled = route_alert(policy.body, labels)
            if any(any(m[0] == SEVERITY for m in matchers_of(route.route)) for route in handled):
                continue
            receivers = ", ".join(sorted({r.receiver for r in handled if r.receiver})) or "no contact point"
            yield self.finding(
                node.group,
                f"{node.pointer}/labels/{SEVERITY}",
                f"severity {severity!r} has no route in the notification policy ({policy.source}); "
                f"the alert would go to {receivers}",
                panel=node.title,
            )
