"""The notification policy tree: ``/api/v1/provisioning/policies`` (one tree, replaced whole).

pydis-dash owns the tree as a whole, but only when the project defines one: without a
``NotificationPolicy`` in code, the tree is neither read nor written. It is never deleted by prune.
Stage 5: contact points and mute timings (stage 4) it names are written first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.conventions.alerting import POLICY_UID
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana.alerting import BASE, ProvisioningHandler, normalize_route

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class NotificationPolicyHandler(ProvisioningHandler):
    """``grafana-notification-policy``: the one tree; body is Grafana's ``Route`` JSON."""

    kind = Kind.GRAFANA_NOTIFICATION_POLICY
    stage = 5

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """The live tree, only when code defines one (so an undefined tree is never touched)."""
        if not desired:
            return {}
        tree = self.ctx.client.get_object(f"{BASE}/policies")
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
        self.write("PUT", f"{BASE}/policies", change.desired().body)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Never planned: the tree is read only when code defines it, so it is never an orphan, and
        resetting it would silently drop every route someone made (see the module docstring)."""
        raise ResourceError("the notification policy tree is never deleted by pydis-dash")
