"""Mute timings: ``/api/v1/provisioning/mute-timings`` (identified by name).

Mute timings have no field to carry an ownership marker, so pydis-dash treats as its own only those its
code defines: others are listed as unmanaged and never modified or deleted (a mute timing removed from
code stays in Grafana until removed in the UI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.alerts.mute_timings import mute_timing_uid
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Handler, LiveResource, PlanOptions
from pydis_dash.providers.grafana.alerting import BASE, disable_provenance_of, normalize_mute_timing, segment, send
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import GrafanaContext

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class MuteTimingHandler(Handler):
    """``grafana-mute-timing`` resources; body is Grafana's ``MuteTimeInterval``."""

    kind = Kind.GRAFANA_MUTE_TIMING
    stage = 4

    def __init__(self, ctx: GrafanaContext, *, disable_provenance: bool | None = None) -> None:
        self.ctx = ctx
        self.disable_provenance = disable_provenance_of(ctx, disable_provenance)

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every mute timing; those the code defines count as managed."""
        wanted = {r.ref.uid for r in desired}
        live: dict[str, LiveResource] = {}
        for item in self.ctx.client.get(f"{BASE}/mute-timings") or []:
            name = str(item.get("name") or "")
            uid = mute_timing_uid(name)
            live[uid] = LiveResource(
                ref=Ref(Kind.GRAFANA_MUTE_TIMING, uid),
                title=name,
                state=normalize_mute_timing(item),
                managed=uid in wanted,
                live_id=name,
            )
        return live

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """Name and intervals."""
        return normalize_mute_timing(resource.body)

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST the mute timing (201)."""
        assert change.resource is not None
        send(self.ctx.client, "POST", f"{BASE}/mute-timings", change.resource.body, self.disable_provenance)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the mute timing under its live name."""
        assert change.resource is not None and change.live_id is not None
        path = f"{BASE}/mute-timings/{segment(change.live_id)}"
        send(self.ctx.client, "PUT", path, change.resource.body, self.disable_provenance)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE the mute timing (Grafana refuses one a route still names)."""
        assert change.live_id is not None
        try:
            send(
                self.ctx.client,
                "DELETE",
                f"{BASE}/mute-timings/{segment(change.live_id)}",
                None,
                self.disable_provenance,
            )
        except NotFound:
            return "already gone"
        return None
