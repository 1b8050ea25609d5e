"""Mute timings: ``/api/v1/provisioning/mute-timings`` (identified by name).

Mute timings have no field to carry an ownership marker, so pydis-dash treats as its own only those its
code defines: others are listed as unmanaged and never modified or deleted (a mute timing removed from
code stays in Grafana until removed in the UI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.conventions.alerting import mute_timing_uid
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana.alerting import BASE, ProvisioningHandler, normalize_mute_timing, segment

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class MuteTimingHandler(ProvisioningHandler):
    """``grafana-mute-timing`` resources; body is Grafana's ``MuteTimeInterval``."""

    kind = Kind.GRAFANA_MUTE_TIMING
    stage = 4

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every mute timing; those the code defines count as managed."""
        wanted = {r.ref.uid for r in desired}
        live: dict[str, LiveResource] = {}
        for item in self.ctx.client.get_list(f"{BASE}/mute-timings"):
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
        self.write("POST", f"{BASE}/mute-timings", change.desired().body)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the mute timing under its live name."""
        assert change.live_id is not None
        self.write("PUT", f"{BASE}/mute-timings/{segment(change.live_id)}", change.desired().body)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Never planned: nothing marks a mute timing as pydis-dash's, so one gone from code is unmanaged
        (see the module docstring) and never deleted."""
        raise ResourceError("mute timings are never deleted by pydis-dash")
