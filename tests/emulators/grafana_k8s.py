"""Grafana's Kubernetes-style API as the emulator serves it: ``/apis`` discovery and the
``dashboard.grafana.app`` dashboards resource (Grafana 12+, per release in :mod:`.grafana_releases`).

Shaped to Grafana's published docs ("Dashboard HTTP API", "API structure") and source:

* ``GET /apis`` is an ``APIGroupList``; ``GET /apis/dashboard.grafana.app`` an ``APIGroup`` with
  ``versions`` and ``preferredVersion``. A group that is not served answers 404 (a Kubernetes
  ``Status``).
* ``GET|PUT|DELETE /apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards/<uid>``, ``POST`` on the
  collection. The object is ``{"kind": "Dashboard", "apiVersion", "metadata": {"name": uid,
  "resourceVersion", "generation", "annotations": {"grafana.app/folder", "grafana.app/message",
  "grafana.app/updatedBy", "grafana.app/updatedTimestamp", ...}}, "spec"}``.
* ``PUT`` with a stale ``metadata.resourceVersion`` answers 409 ``Conflict`` ("the object has been
  modified"); ``POST`` of an existing name 409 ``AlreadyExists``; a missing one 404 ``NotFound``.
* A write through a v1 version stores schema v1, through a v2 version schema v2. Reading a v2-stored
  dashboard through a v1 version: 12.x keeps the spec empty and says ``status.conversion.failed``;
  13.x converts it, losing what v1 cannot hold; both name ``status.conversion.storedVersion``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .http import Request, Response

if TYPE_CHECKING:
    from .grafana import Dashboard, GrafanaEmulator

GROUP = "dashboard.grafana.app"
_SERVER_FIELDS = ("id", "uid", "version")


def _status(code: int, reason: str, message: str) -> Response:
    """A Kubernetes ``Status`` error body."""
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message}
    return Response(code, body | {"reason": reason, "code": code})


def to_v2(model: dict[str, Any]) -> dict[str, Any]:
    """The schema v2 spec the UI saves for a classic model (elements + a grid layout)."""
    elements: dict[str, Any] = {}
    items = []
    for index, panel in enumerate(model.get("panels") or []):
        key = f"panel-{panel.get('id', index + 1)}"
        queries = [
            {"kind": "PanelQuery", "spec": {"refId": t.get("refId"), "query": {"kind": "DataQuery", "spec": t}}}
            for t in panel.get("targets") or []
        ]
        elements[key] = {
            "kind": "Panel",
            "spec": {
                "id": panel.get("id", index + 1),
                "title": panel.get("title", ""),
                "data": {"kind": "QueryGroup", "spec": {"queries": queries}},
                "vizConfig": {"kind": "VizConfig", "group": panel.get("type", "timeseries"), "spec": {}},
            },
        }
        items.append({"kind": "GridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": key}}})
    return {
        "title": model.get("title", ""),
        "tags": list(model.get("tags") or []),
        "elements": elements,
        "layout": {"kind": "GridLayout", "spec": {"items": items}},
        "variables": [],
        "timeSettings": {"refresh": model.get("refresh", "")},
    }


def to_v1_lossy(spec: dict[str, Any], uid: str) -> dict[str, Any]:
    """What a v1 reader gets of a v2 spec: title, tags and bare panels; layouts, queries' kinds and
    settings v1 cannot hold are lost (the lossy down-conversion Grafana 13 warns about)."""
    panels = [
        {"id": e["spec"].get("id"), "title": e["spec"].get("title"), "type": e["spec"]["vizConfig"]["group"]}
        for e in spec.get("elements", {}).values()
    ]
    return {"uid": uid, "title": spec.get("title", ""), "tags": list(spec.get("tags") or []), "panels": panels}


class DashboardApi:
    """Routes of ``/apis`` on a :class:`GrafanaEmulator`; state stays in the emulator's dashboards."""

    def __init__(self, grafana: GrafanaEmulator) -> None:
        self.grafana = grafana
        #: grafana/grafana#124675: some 13.x builds report ``storedVersion`` as ``v0alpha1`` for every
        #: dashboard, whatever it is stored as. Tests switch this on to play such a build.
        self.misreport_stored_version = False
        release = grafana.release
        if release.apis_discovery:
            grafana.route("GET", r"/apis/?", self.group_list)
            grafana.route("GET", r"/apis/(?P<group>[^/]+)/?", self.group)
        if not release.has_k8s_dashboards:
            return
        versions = "|".join(release.dashboard_api)
        base = rf"/apis/{GROUP}/(?P<version>{versions})/namespaces/(?P<ns>[^/]+)/dashboards"
        grafana.route("POST", base, self.create)
        grafana.route("GET", base + r"/(?P<name>[^/]+)", self.get)
        grafana.route("PUT", base + r"/(?P<name>[^/]+)", self.replace)
        grafana.route("DELETE", base + r"/(?P<name>[^/]+)", self.delete)

    def path(self, version: str, uid: str, namespace: str = "default") -> str:
        """The URL path of one dashboard through ``version``."""
        return f"/apis/{GROUP}/{version}/namespaces/{namespace}/dashboards/{uid}"

    # --- discovery ----------------------------------------------------------------------------------

    def _group_body(self) -> dict[str, Any]:
        versions = [{"groupVersion": f"{GROUP}/{v}", "version": v} for v in self.grafana.release.dashboard_api]
        return {"name": GROUP, "versions": versions, "preferredVersion": versions[0]}

    def group_list(self, request: Request) -> Response:
        """``GET /apis``: the served groups (folders and playlists from 11, dashboards from 12)."""
        groups = [
            {"name": "playlist.grafana.app", "versions": [{"groupVersion": "playlist.grafana.app/v0alpha1"}]},
        ]
        if self.grafana.release.has_k8s_dashboards:
            groups.append(self._group_body())
        return Response(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})

    def group(self, request: Request) -> Response:
        """``GET /apis/<group>``: its served versions, or 404 when the group is not served."""
        if request.params["group"] != GROUP or not self.grafana.release.has_k8s_dashboards:
            return _status(404, "NotFound", "the server could not find the requested resource")
        return Response(200, {"kind": "APIGroup", "apiVersion": "v1"} | self._group_body())

    # --- the dashboards resource --------------------------------------------------------------------

    def _not_found(self, name: str) -> Response:
        return _status(404, "NotFound", f'dashboards.{GROUP} "{name}" not found')

    def _object(self, dashboard: Dashboard, version: str, namespace: str) -> dict[str, Any]:
        user = f"user:{dashboard.updated_by}"
        annotations = {
            "grafana.app/createdBy": f"user:{dashboard.created_by}",
            "grafana.app/updatedBy": user,
            "grafana.app/updatedTimestamp": dashboard.updated,
        }
        if dashboard.folder_uid:
            annotations["grafana.app/folder"] = dashboard.folder_uid
        message = dashboard.versions[-1]["message"] if dashboard.versions else ""
        if message:
            annotations["grafana.app/message"] = message
        body: dict[str, Any] = {
            "kind": "Dashboard",
            "apiVersion": f"{GROUP}/{version}",
            "metadata": {
                "name": dashboard.uid,
                "namespace": namespace,
                "uid": f"k8s-{dashboard.id}",
                "resourceVersion": str(1000 + dashboard.versions[-1]["id"]),
                "generation": dashboard.version,
                "creationTimestamp": dashboard.created,
                "annotations": annotations,
                "labels": {"grafana.app/deprecatedInternalID": str(dashboard.id)},
            },
        }
        wants_v2 = version.startswith("v2")
        if wants_v2 == dashboard.is_v2:
            body["spec"] = copy.deepcopy(dashboard.v2_spec if wants_v2 else _spec(dashboard.model))
        elif wants_v2:
            body["spec"] = to_v2(dashboard.model)
            body["status"] = {"conversion": {"failed": False, "storedVersion": "v1beta1"}}
        elif self.grafana.release.legacy_get_converts_v2:
            body["spec"] = _spec(dashboard.model)
            body["status"] = {"conversion": {"failed": False, "storedVersion": dashboard.stored}}
        else:
            body["spec"] = {}
            body["status"] = {
                "conversion": {
                    "failed": True,
                    "storedVersion": dashboard.stored,
                    "error": f"dashboard is stored as {dashboard.stored} and cannot be read as {version}",
                }
            }
        if self.misreport_stored_version and "status" in body:
            body["status"]["conversion"]["storedVersion"] = "v0alpha1"
        return body

    def get(self, request: Request) -> Response:
        """``GET .../dashboards/<uid>``."""
        dashboard = self.grafana.dashboards.get(request.params["name"])
        if dashboard is None:
            return self._not_found(request.params["name"])
        return Response(200, self._object(dashboard, request.params["version"], request.params["ns"]))

    def _parse(self, request: Request) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | Response:
        try:
            body = request.json()
        except ValueError:
            return _status(400, "BadRequest", "the body of the request was in an unknown format")
        if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
            return _status(400, "BadRequest", "spec is required")
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        if not str(body["spec"].get("title") or "").strip():
            return _status(422, "Invalid", "Dashboard.dashboard.grafana.app is invalid: spec.title: Required value")
        return body, metadata, dict(metadata.get("annotations") or {})

    def _store(self, request: Request, existing: Dashboard | None, name: str) -> Response:
        parsed = self._parse(request)
        if isinstance(parsed, Response):
            return parsed
        body, _metadata, annotations = parsed
        folder = str(annotations.get("grafana.app/folder") or "")
        if folder and folder not in self.grafana.folders:
            return _status(400, "BadRequest", "folder not found")
        version = request.params["version"]
        user = self.grafana._user(request)
        message = str(annotations.get("grafana.app/message") or "")
        spec = copy.deepcopy(body["spec"])
        if version.startswith("v2"):
            stored = self.grafana.commit_dashboard(
                existing, name, to_v1_lossy(spec, name), folder, user, message, stored=version, v2_spec=spec
            )
        else:
            model = {k: v for k, v in spec.items() if k not in _SERVER_FIELDS} | {"uid": name}
            stored = self.grafana.commit_dashboard(existing, name, model, folder, user, message)
        return Response(200 if existing else 201, self._object(stored, version, request.params["ns"]))

    def create(self, request: Request) -> Response:
        """``POST .../dashboards``: ``metadata.name`` is the uid (generated when absent)."""
        parsed = self._parse(request)
        if isinstance(parsed, Response):
            return parsed
        name = str(parsed[1].get("name") or self.grafana._new_uid())
        if name in self.grafana.dashboards:
            return _status(409, "AlreadyExists", f'dashboards.{GROUP} "{name}" already exists')
        return self._store(request, None, name)

    def replace(self, request: Request) -> Response:
        """``PUT .../dashboards/<uid>``: guarded by ``metadata.resourceVersion`` when it is sent."""
        name = request.params["name"]
        dashboard = self.grafana.dashboards.get(name)
        if dashboard is None:
            return self._not_found(name)
        parsed = self._parse(request)
        if isinstance(parsed, Response):
            return parsed
        sent = parsed[1].get("resourceVersion")
        current = str(1000 + dashboard.versions[-1]["id"])
        if sent and sent != current:
            return _status(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on dashboards.{GROUP} "{name}": the object has been modified; '
                "please apply your changes to the latest version and try again",
            )
        return self._store(request, dashboard, name)

    def delete(self, request: Request) -> Response:
        """``DELETE .../dashboards/<uid>``."""
        name = request.params["name"]
        if self.grafana.dashboards.pop(name, None) is None:
            return self._not_found(name)
        return Response(200, {"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name}})


def _spec(model: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in model.items() if k not in _SERVER_FIELDS}
