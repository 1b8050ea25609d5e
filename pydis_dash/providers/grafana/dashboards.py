"""Dashboards: ``/api/dashboards/db``, ``/api/dashboards/uid/:uid`` and its ``/versions``.

Live state: the shared search lists every dashboard with its tags (managed or not); only desired
dashboards that exist are read in full. Only when one differs from the code is its latest version read,
to tell a code change from an edit made in the UI (drift): every save by pydis-dash writes the version
message ``pydis-dash <git sha>``.

Writes never set ``overwrite``: an update sends the version read at plan time, so a dashboard changed
since then fails with 412 ``version-mismatch`` instead of being clobbered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Drift, LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana import ownership
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import GrafanaHandler, folder_of
from pydis_dash.providers.grafana.normalize import normalize_dashboard

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class DashboardHandler(GrafanaHandler):
    """``grafana-dashboard`` resources; body is the dashboard model, the folder is a dependency."""

    kind = Kind.GRAFANA_DASHBOARD
    stage = 2

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Search hits for all dashboards; a full read for each desired one that exists."""
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
        for found in self.ctx.parallel(self._read, [r.ref.uid for r in desired if r.ref.uid in hits]):
            if found is not None:
                live[found.ref.uid] = found
        return live

    def _read(self, uid: str) -> LiveResource | None:
        try:
            full = self.ctx.client.get(f"/api/dashboards/uid/{uid}")
        except NotFound:  # deleted between the search and this read
            return None
        model = full.get("dashboard") or {}
        meta = full.get("meta") or {}
        folder = str(meta.get("folderUid") or "")
        return LiveResource(
            ref=Ref(Kind.GRAFANA_DASHBOARD, uid),
            title=str(model.get("title") or uid),
            state=_state(folder, model),
            managed=ownership.is_managed_dashboard(model.get("tags")),
            live_id=uid,
            version=model.get("version", meta.get("version")),
            container=folder or None,
        )

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """Folder uid and the normalised model, with the ownership tag."""
        return _state(folder_of(resource), ownership.with_dashboard_marker(resource.body))

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Drift when the latest version was not saved by pydis-dash."""
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
        """The newest entry of ``GET /api/dashboards/uid/:uid/versions``.

        Grafana up to 10 answers a list; Grafana 11+ ``{"versions": [...], "continueToken": ...}``.
        """
        answer = self.ctx.client.get(f"/api/dashboards/uid/{uid}/versions", {"limit": 1})
        versions = answer.get("versions") if isinstance(answer, Mapping) else answer
        entries = [v for v in versions or [] if isinstance(v, Mapping)]
        if not entries:
            return None
        return max(entries, key=_version_number)

    # --- writes -------------------------------------------------------------------------------------

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST /api/dashboards/db without a version: Grafana answers 412 if the uid appeared since."""
        self._save(change, ctx, version=None)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST /api/dashboards/db with the planned version (412 ``version-mismatch`` if it moved on)."""
        if change.live_version is None:
            raise ResourceError("dashboard version unknown; cannot update safely")
        self._save(change, ctx, version=change.live_version)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE /api/dashboards/uid/:uid; already gone counts as done."""
        return self.delete_path(f"/api/dashboards/uid/{change.ref.uid}")

    def _save(self, change: Change, ctx: ApplyContext, version: int | None) -> None:
        resource = change.desired()
        # The server owns the row id; the version is the optimistic lock (absent on create).
        model = {k: v for k, v in ownership.with_dashboard_marker(resource.body).items() if k not in ("id", "version")}
        if version is not None:
            model["version"] = version
        self.ctx.client.post(
            "/api/dashboards/db",
            {"dashboard": model, "folderUid": folder_of(resource), "message": ctx.message, "overwrite": False},
        )


def _state(folder_uid: str, model: Mapping[str, Any]) -> dict[str, Any]:
    return {"folderUid": folder_uid, "dashboard": normalize_dashboard(model)}


def _version_number(entry: Mapping[str, Any]) -> int:
    version = entry.get("version")
    return version if isinstance(version, int) else -1


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
