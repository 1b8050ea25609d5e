"""The notification policy tree: ``/api/v1/provisioning/policies`` (one tree, replaced whole).

pydis-dash owns the tree as a whole, but only when the project defines one: without a
``NotificationPolicy`` in code, the tree is neither read nor written. It is never deleted by prune.
Stage 5: contact points and mute timings (stage 4) it names are written first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.alerts.identity import POLICY_UID
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Handler, LiveResource, PlanOptions
from pydis_dash.providers.grafana.alerting import BASE, disable_provenance_of, normalize_route, send
from pydis_dash.providers.grafana.common import GrafanaContext

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class NotificationPolicyHandler(Handler):
    """``grafana-notification-policy``: the one tree; body is Grafana's ``Route`` JSON."""

    kind = Kind.GRAFANA_NOTIFICATION_POLICY
    stage = 5

    def __init__(self, ctx: GrafanaContext, *, disable_provenance: bool | None = None) -> None:
        self.ctx = ctx
        self.disable_provenance = disable_provenance_of(ctx, disable_provenance)

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """The live tree, only when code defines one (so an undefined tree is never touched)."""
        if not desired:
            return {}
        tree = self.ctx.client.get(f"{BASE}/policies") or {}
        return {
            POLICY_UID: LiveResource(
                ref=Ref(Kind.GRAFANA_NOTIFICATION_POLICY, POLICY_UID),
                title="Notification policy tree",
                state=normalize_route(tree),
                managed=True,  # owned as a whole (see the module docstring)
                live_id=POLICY_UID,
            )
        }

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The tree as Grafana returns it."""
        return normalize_route(resource.body)

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """The tree always exists in Grafana: replace it."""
        return self.update(change, ctx)

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the whole tree (202); Grafana refuses unknown contact points or mute timings (400)."""
        assert change.resource is not None
        send(self.ctx.client, "PUT", f"{BASE}/policies", change.resource.body, self.disable_provenance)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Reset the tree to Grafana's default (only reachable if a plan ever lists it as an orphan)."""
        send(self.ctx.client, "DELETE", f"{BASE}/policies", None, self.disable_provenance)
        return "reset to Grafana's default tree"
