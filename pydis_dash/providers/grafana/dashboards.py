"""Dashboards: read and written through the API the server supports best
(:mod:`~pydis_dash.providers.grafana.dashboard_store`), history from ``/api/dashboards/uid/:uid/versions``.

Live state: the shared search lists every dashboard with its tags (managed or not); only desired
dashboards that exist are read in full. Only when one differs from the code is its latest version read,
to tell a code change from an edit made in the UI (drift): every save by pydis-dash writes the version
message ``pydis-dash <git sha>``.

Writes never set ``overwrite``: an update sends the version read at plan time, so a dashboard changed
since then fails (412 ``version-mismatch``, or 409 on ``dashboard.grafana.app``) instead of being clobbered.

A dashboard stored as schema v2 (saved in the UI with Grafana's new layouts) is drift of its own kind:
it is read natively, shown as it is stored, and only ``--force`` replaces it with the code's dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydis_dash.deferred import DeferredState
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Adoption, Drift, LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana import ownership
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import ALREADY_GONE, GrafanaContext, GrafanaHandler, folder_of
from pydis_dash.providers.grafana.dashboard_store import DashboardStore, StoredDashboard, store_for
from pydis_dash.providers.grafana.normalize import normalize_dashboard, same_dashboard
from pydis_dash.render.canonical import canonical_json

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class DashboardHandler(GrafanaHandler):
    """``grafana-dashboard`` resources; body is the dashboard model, the folder is a dependency."""

    kind = Kind.GRAFANA_DASHBOARD
    stage = 2

    def __init__(self, ctx: GrafanaContext) -> None:
        super().__init__(ctx)
        # Each desired resource's state, kept with the resource it was worked out for.
        self._desired: dict[Ref, tuple[Resource, Mapping[str, Any]]] = {}

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Search hits for all dashboards; a full read for each desired one that exists."""
        # The reads need the server's dashboard API: discovered while the search runs, not after it.
        self.ctx.parallel(lambda read: read(), [self.ctx.capabilities.get, self.ctx.search.hits])
        hits = self.ctx.search.of_type("dash-db")
        live: dict[str, LiveResource] = {}
        for uid, hit in hits.items():
            # Not compared (only desired dashboards are): enough to list, prune and show a delete.
            state = {"folderUid": hit.folder_uid, "dashboard": {"title": hit.title, "tags": sorted(hit.tags)}}
            live[uid] = LiveResource(
                ref=Ref(Kind.GRAFANA_DASHBOARD, uid),
                title=hit.title,
                state=state,
                managed=ownership.is_managed_dashboard(list(hit.tags)),
                live_id=uid,
                container=hit.folder_uid or None,
            )
        pairs = [(live[r.ref.uid], r) for r in desired if r.ref.uid in hits]
        for found in self.ctx.parallel(self._read, pairs):
            if found is not None:
                live[found.ref.uid] = found
        return live

    def store(self) -> DashboardStore:
        """The dashboard API picked for this server (discovered once per run)."""
        return store_for(self.ctx.client, self.ctx.capabilities.get())

    def _read(self, pair: tuple[LiveResource, Resource]) -> LiveResource | None:
        """The full read of a desired dashboard the search listed (``listed``). One that is the code's
        dashboard as deployed gets the desired state itself as its state (equal by
        :func:`same_dashboard`): neither normalised again nor compared (the plan sees the same object)."""
        listed, resource = pair
        uid = listed.ref.uid
        found = self.store().read(uid)
        if found is None:  # deleted between the search and this read
            return None
        if not found.model:
            # Stored as v2 but unreadable (a 406, then /apis refused): what the search listed stands in.
            return replace(listed, state={**listed.state, "storedAs": found.stored}, detail=found.detail())
        if (
            not found.is_v2
            and found.folder_uid == folder_of(resource)
            and same_dashboard(found.model, _marked(resource))
        ):
            state = self.desired_state(resource)
        else:
            state = _state(found.folder_uid, found.model)
        if found.is_v2:
            # Shown as stored: the v2 spec is not normalised like a classic model, and never equals one.
            state = {"folderUid": found.folder_uid, "storedAs": found.stored, "dashboard": dict(found.model)}
        return LiveResource(
            ref=Ref(Kind.GRAFANA_DASHBOARD, uid),
            title=str(found.model.get("title") or uid),
            state=state,
            managed=ownership.is_managed_dashboard(found.model.get("tags")),
            live_id=uid,
            version=found.version,
            container=found.folder_uid or None,
            detail=found.detail(),
        )

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """Folder uid and the normalised model, with the ownership tag: one object per resource (the read
        of its live dashboard and the plan both ask), normalised only when first read: a dashboard found
        unchanged by :func:`same_dashboard` never needs it unless the plan is shown in full."""
        known = self._desired.get(resource.ref)
        if known is not None and known[0] is resource:
            return known[1]
        state = DeferredState(lambda: _state(folder_of(resource), _marked(resource)))
        self._desired[resource.ref] = (resource, state)
        return state

    def adoption(
        self, resource: Resource, desired: Mapping[str, Any], live: Mapping[str, LiveResource]
    ) -> Adoption | None:
        """The unmanaged dashboard with this uid, when its folder and normalised model are the code's
        without the ownership tag (as ``pydis-dash import`` writes it): adopting it adds the tag only."""
        current = live.get(resource.ref.uid)
        if current is None or current.managed:
            return None
        if canonical_json(current.state) != canonical_json(_state(folder_of(resource), resource.body)):
            return None
        return Adoption(current, f"the tag {ownership.DASHBOARD_TAG!r}")

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Drift when the dashboard is stored as schema v2 or its latest version was not saved by pydis-dash."""
        stored = _stored(live)
        if stored.is_v2:
            return Drift(
                f"converted to schema {stored.stored} in the UI",
                author=stored.updated_by,
                when=stored.updated_at,
                version=stored.version,
            )
        latest = self.latest_version(resource.ref.uid)
        if latest is None or ownership.is_our_version_message(latest.get("message")):
            return None
        return Drift(
            "changed outside pydis-dash",
            author=_text(latest.get("createdBy")),
            when=_text(latest.get("created")),
            message=_text(latest.get("message")),
            version=latest.get("version") if isinstance(latest.get("version"), int) else None,
        )

    def latest_version(self, uid: str) -> Mapping[str, Any] | None:
        """The newest entry of ``GET /api/dashboards/uid/:uid/versions`` (newest first).

        Grafana up to 11.5 answers a list; 11.6+ ``{"versions": [...], "continueToken": ...}``, and from 12
        (unified storage) a page may hold fewer entries than asked for, even none, while the token says
        more follow: tokens are followed until an entry arrives or the token is empty.
        """
        params: dict[str, Any] = {"limit": 1}
        for _ in range(_MAX_VERSION_PAGES):
            answer = self.ctx.client.get(f"/api/dashboards/uid/{uid}/versions", params)
            versions = answer.get("versions") if isinstance(answer, Mapping) else answer
            entries = [v for v in versions or [] if isinstance(v, Mapping)]
            if entries:
                return max(entries, key=_version_number)
            token = answer.get("continueToken") if isinstance(answer, Mapping) else None
            if not token:
                return None
            params = {"limit": 1, "continueToken": token}
        raise ResourceError(f"dashboard {uid}: no version after {_MAX_VERSION_PAGES} pages of its history")

    # --- writes -------------------------------------------------------------------------------------

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """Create without a version: the server refuses if the uid appeared since the plan."""
        resource = change.desired()
        self.store().create(_marked(resource), folder_of(resource), ctx.message)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """Replace with the code's dashboard, guarded by what was read at plan time (a v2-stored one is
        stored as the classic schema again: only reached with ``--force``)."""
        if change.live is None:
            raise ResourceError("dashboard version unknown; cannot update safely")
        stored = _stored(change.live)
        resource = change.desired()
        self.store().update(_marked(resource), folder_of(resource), ctx.message, stored)
        return f"replaced the schema {stored.stored} dashboard" if stored.is_v2 else None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Delete; already gone counts as done."""
        try:
            self.store().delete(change.ref.uid)
        except NotFound:
            return ALREADY_GONE
        return None


def _marked(resource: Resource) -> Mapping[str, Any]:
    """The dashboard model deploy writes: the code's, with the ownership tag."""
    return ownership.with_dashboard_marker(resource.body)


def _state(folder_uid: str, model: Mapping[str, Any]) -> dict[str, Any]:
    return {"folderUid": folder_uid, "dashboard": normalize_dashboard(model)}


#: Pages of a dashboard's history read before giving up (a server that keeps sending empty pages).
_MAX_VERSION_PAGES = 20


def _stored(live: LiveResource) -> StoredDashboard:
    """What the read said about how the dashboard is stored (kept as plain data in ``detail``)."""
    return StoredDashboard.from_detail(live.ref.uid, live.container or "", live.version, live.detail)


def _version_number(entry: Mapping[str, Any]) -> int:
    version = entry.get("version")
    return version if isinstance(version, int) else -1


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
