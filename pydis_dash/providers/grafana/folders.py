"""Folders (nested, by uid): ``/api/folders``.

Live state: the shared search lists every folder; each desired folder is then read with
``GET /api/folders/:uid`` (its ``parentUid`` and the ``version`` an update must send; also finds
nested folders an older search might not list). Parents are created before children and deleted
after them; a folder holding anything unmanaged is never deleted (Grafana deletes a folder's contents
with it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana import ownership
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import GrafanaHandler, folder_ref
from pydis_dash.providers.grafana.normalize import normalize_folder

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class FolderHandler(GrafanaHandler):
    """``grafana-folder`` resources; body ``{"uid", "title", "parentUid"?}``."""

    kind = Kind.GRAFANA_FOLDER
    stage = 0

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every visible folder; desired ones read in full."""
        live: dict[str, LiveResource] = {}
        for uid, hit in self.ctx.search.of_type("dash-folder").items():
            state = normalize_folder({"uid": uid, "title": hit.title, "parentUid": hit.folder_uid})
            live[uid] = self._live(state, version=None)
        for found in self.ctx.parallel(self._read, [r.ref.uid for r in desired]):
            if found is not None:
                live[found.ref.uid] = found
        return live

    def _read(self, uid: str) -> LiveResource | None:
        try:
            body = self.ctx.client.get_object(f"/api/folders/{uid}")
        except NotFound:
            return None
        return self._live(normalize_folder(body), version=body.get("version"))

    @staticmethod
    def _live(state: Mapping[str, Any], version: int | None) -> LiveResource:
        uid = state["uid"]
        return LiveResource(
            ref=Ref(Kind.GRAFANA_FOLDER, uid),
            title=state["title"],
            state=state,
            managed=ownership.is_managed_folder(uid),
            live_id=uid,
            version=version,
        )

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """uid, title and parent."""
        return normalize_folder(resource.body)

    def dependencies(self, resource: Resource) -> tuple[Ref, ...]:
        """The parent folder, plus whatever the renderer declared."""
        parent = folder_ref(str(resource.body.get("parentUid") or ""))
        return tuple(dict.fromkeys((*parent, *resource.depends_on)))

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        """The parent folder of a live folder."""
        return folder_ref(str(live.state.get("parentUid") or ""))

    def delete_blocker(self, live: LiveResource) -> str | None:
        """Refuse to delete a folder holding unmanaged dashboards or folders: Grafana would delete them."""
        foreign = [
            f"{'folder' if hit.type == 'dash-folder' else 'dashboard'} {hit.uid!r}"
            for hit in self.ctx.search.children(live.ref.uid)
            if (hit.type == "dash-folder" and not ownership.is_managed_folder(hit.uid))
            or (hit.type == "dash-db" and not ownership.is_managed_dashboard(list(hit.tags)))
        ]
        if foreign:
            return "holds unmanaged " + ", ".join(sorted(foreign)) + " (deleting the folder would delete them)"
        return None

    # --- writes -------------------------------------------------------------------------------------

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST /api/folders (409 if the uid exists)."""
        body = _desired(change)
        self.ctx.client.post("/api/folders", body)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """Rename with PUT (guarded by the planned version) and/or move to a new parent."""
        desired, before = _desired(change), change.before or {}
        notes = []
        if desired["title"] != before.get("title"):
            if change.live_version is None:
                raise ResourceError("folder version unknown; cannot update safely")
            self.ctx.client.put(
                f"/api/folders/{change.ref.uid}", {"title": desired["title"], "version": change.live_version}
            )
            notes.append("renamed")
        if desired.get("parentUid", "") != before.get("parentUid", ""):
            # Grafana 10+ with nested folders: the folder update command cannot change the parent.
            self.ctx.client.post(f"/api/folders/{change.ref.uid}/move", {"parentUid": desired.get("parentUid", "")})
            notes.append("moved")
        return ", ".join(notes) or None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE /api/folders/:uid; already gone counts as done."""
        return self.delete_path(f"/api/folders/{change.ref.uid}")


def _desired(change: Change) -> dict[str, Any]:
    assert change.after is not None
    return dict(change.after)
