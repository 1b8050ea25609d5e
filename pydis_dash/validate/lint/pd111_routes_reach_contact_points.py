"""PD111: every route of the notification policy ends at a defined contact point (and mute timing)."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Kind
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.alerting import contact_point_names, of_kind, route_nodes
from pydis_dash.validate.lint.base import LintContext, Rule, register


@register
class RoutesReachContactPoints(Rule):
    """Grafana refuses a policy tree naming a contact point (receiver) or mute timing that does not exist,
    so a typo in one route blocks every change to routing until it is fixed."""

    id = "PD111"
    rationale = "Every notification policy route sends to a defined contact point and names defined mute timings."

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Report routes whose receiver (own or inherited) or mute timings are not defined."""
        names = contact_point_names(ctx.resources)
        if not names:
            # Validating a selection (one file) sees no contact points at all; nothing can be checked.
            return
        known = ", ".join(sorted(names))
        mute_timings = {r.body.get("name") for r in of_kind(ctx.resources, Kind.GRAFANA_MUTE_TIMING)}
        for policy in of_kind(ctx.resources, Kind.GRAFANA_NOTIFICATION_POLICY):
            for node in route_nodes(policy.body):
                label = "the default route" if node.depth == 0 else f"route {node.pointer}"
                if node.receiver is None:
                    yield self.finding(policy, node.pointer + "/receiver", f"{label} has no contact point (receiver)")
                elif isinstance(node.route.get("receiver"), str) and node.receiver not in names:
                    yield self.finding(
                        policy,
                        node.pointer + "/receiver",
                        f"{label} sends to contact point {node.receiver!r}, which is not defined (defined: {known})",
                    )
                for index, name in enumerate(node.route.get("mute_time_intervals") or []):
                    if name not in mute_timings:
                        yield self.finding(
                            policy,
                            f"{node.pointer}/mute_time_intervals/{index}",
                            f"{label} names mute timing {name!r}, which is not defined",
                        )
