"""A Grafana HTTP API emulator: folders, data sources, dashboards (+ versions) and search.

Semantics follow Grafana's documented behaviour (the project's spec notes, from Grafana 9.5 source and
newer code; the OpenAPI spec copied in ``tests/data/grafana/``), not pydis-dash's client. ``version``
selects the differences the client must cope with:

* ``9``  (Grafana 9.5/10): dashboard versions listed as a JSON array; DELETE of a dashboard answers
  its ``id``; "Folder not found"; 412 ``name-exists`` for a duplicate title in a folder;
* ``11``: versions as ``{"versions": [...], "continueToken": ""}``; DELETE answers the ``uid``;
  "folder not found"; duplicate titles allowed; ``folderUid`` in the save response;
* ``12``: as 11, and dashboards are migrated to the latest ``schemaVersion`` when read (Grafana 12's
  backend migrations), so what is read back differs from what was saved.

``release`` names a release line of :mod:`.grafana_releases` ("10.4", "11.6", "12.1",
"12.1-new-layouts", "13.0"; ``version`` is then its major): ``/api/health``, ``/apis`` discovery, the
``dashboard.grafana.app`` API (:mod:`.grafana_k8s`), dashboards stored as schema v2 by a save in the UI
(:meth:`GrafanaEmulator.save_in_ui`), and the versions list as that release publishes it. Library
panels: :mod:`.grafana_library`.

Nested folders (``parentUid``, ``/move``) are accepted in every mode (they exist from Grafana 10).
Tokens map to user logins: ``GrafanaEmulator(tokens={"t1": "sa-deploy"})``; ``read_only`` logins may
read but get 403 on every write.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .grafana_alerting import mount_alerting
from .grafana_k8s import DashboardApi, to_v1_lossy, to_v2
from .grafana_library import LibraryElements
from .grafana_releases import GrafanaRelease, release_for
from .http import Emulator, Request, Response, json_snapshot

UID_RE = re.compile(r"^[a-zA-Z0-9\-_]*$")
LATEST_SCHEMA_VERSION = 41
ROOT_TITLE = "General"


def slugify(title: str) -> str:
    """Grafana's slug: lower-case ASCII letters and digits, other runs become a single ``-``."""
    text = title.lower().replace("&", "and").replace("@", "at")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "dashboard"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, message: str, api_status: str | None = None) -> Response:
    body: dict[str, Any] = {"message": message}
    if api_status:
        body["status"] = api_status
    return Response(status, body)


@dataclass
class Folder:
    id: int
    uid: str
    title: str
    parent_uid: str
    version: int
    created: str
    created_by: str
    updated: str
    updated_by: str


@dataclass
class Dashboard:
    id: int
    uid: str
    model: dict[str, Any]
    folder_uid: str
    version: int
    created: str
    created_by: str
    updated: str
    updated_by: str
    versions: list[dict[str, Any]] = field(default_factory=list)
    #: The schema the dashboard is stored as: "v1" (the classic JSON model) or a v2 API version.
    stored: str = "v1"
    #: The v2 spec when ``stored`` is a v2 version (``model`` then holds what a v1 reader gets).
    v2_spec: dict[str, Any] | None = None

    @property
    def is_v2(self) -> bool:
        """Stored as schema v2."""
        return self.stored.startswith("v2")


@dataclass
class DataSource:
    id: int
    fields: dict[str, Any]
    secure: dict[str, str]
    version: int
    read_only: bool = False


class GrafanaEmulator(Emulator):
    """State plus routes; see the module docstring."""

    def __init__(
        self,
        tokens: dict[str, str] | None = None,
        *,
        version: int = 11,
        read_only: Iterable[str] = (),
        min_refresh_seconds: int = 5,
        release: str | None = None,
    ) -> None:
        super().__init__()
        self.tokens = tokens if tokens is not None else {"test-token": "sa-pydis-dash"}
        self.read_only = set(read_only)
        self.release: GrafanaRelease = release_for(release or version)
        self.version = self.release.major
        self.min_refresh_seconds = min_refresh_seconds
        self.folders: dict[str, Folder] = {}
        self.dashboards: dict[str, Dashboard] = {}
        self.datasources: dict[str, DataSource] = {}
        self._ids = itertools.count(1)
        self._uid_counter = itertools.count(1)
        self._register()
        # Alerting provisioning routes (rule groups, contact points, policy, mute timings).
        self.alerting = mount_alerting(self, folder_exists=lambda uid: uid in self.folders, version=self.version)
        # /apis discovery and, from Grafana 12, the dashboard.grafana.app API.
        self.dashboard_api = DashboardApi(self)
        # Library panels (/api/library-elements), linked from dashboards by ``libraryPanel: {uid, name}``.
        self.library = LibraryElements(self, _now)

    # --- helpers for tests --------------------------------------------------------------------------

    def secret_of(self, datasource_uid: str, name: str) -> str | None:
        """The stored secret (tests check what was sent; the API never returns it)."""
        return self.datasources[datasource_uid].secure.get(name)

    # --- routing ------------------------------------------------------------------------------------

    def _register(self) -> None:
        uid = r"(?P<uid>[^/]+)"
        self.route("GET", r"/api/health", self.health)
        self.route("GET", r"/api/search", self.search)
        self.route("POST", r"/api/dashboards/db", self.save_dashboard)
        self.route("GET", rf"/api/dashboards/uid/{uid}", self.get_dashboard)
        self.route("DELETE", rf"/api/dashboards/uid/{uid}", self.delete_dashboard)
        self.route("GET", rf"/api/dashboards/uid/{uid}/versions", self.dashboard_versions)
        self.route("GET", r"/api/folders", self.list_folders)
        self.route("POST", r"/api/folders", self.create_folder)
        self.route("GET", rf"/api/folders/{uid}", self.get_folder)
        self.route("PUT", rf"/api/folders/{uid}", self.update_folder)
        self.route("DELETE", rf"/api/folders/{uid}", self.delete_folder)
        self.route("POST", rf"/api/folders/{uid}/move", self.move_folder)
        self.route("GET", r"/api/datasources", self.list_datasources)
        self.route("POST", r"/api/datasources", self.create_datasource)
        self.route("GET", rf"/api/datasources/uid/{uid}", self.get_datasource)
        self.route("PUT", rf"/api/datasources/uid/{uid}", self.update_datasource)
        self.route("DELETE", rf"/api/datasources/uid/{uid}", self.delete_datasource)
        self.route("GET", r"/api/datasources/name/(?P<name>[^/]+)", self.get_datasource_by_name)

    def authorize(self, request: Request) -> Response | None:
        if request.path == "/api/health":  # served without authentication (load balancer checks)
            return None
        header = request.headers.get("authorization", "")
        if not header:
            return Response(401, {"message": "Unauthorized"})
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            return Response(
                401, {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}
            )
        if request.method != "GET" and self.tokens[token] in self.read_only:
            return Response(403, {"message": "Permission denied"})
        return None

    def _user(self, request: Request) -> str:
        token = request.headers.get("authorization", "").partition(" ")[2]
        return self.tokens.get(token, "Anonymous")

    @staticmethod
    def _json_body(request: Request) -> dict[str, Any] | Response:
        """web.Bind: the Content-Type must be JSON and the body an object, else 400 bad request data."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(400, "bad request data")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "bad request data")
        if not isinstance(body, dict):
            return _error(400, "bad request data")
        return body

    def _check_uid(self, uid: str) -> Response | None:
        if not UID_RE.match(uid):
            return _error(400, "uid contains illegal characters")
        if len(uid) > 40:
            return _error(400, "uid too long, max 40 characters")
        return None

    def _new_uid(self) -> str:
        return f"a{next(self._uid_counter):08d}"

    def _folder_missing(self) -> Response:
        return _error(400, "Folder not found" if self.version < 11 else "folder not found")

    # --- search -------------------------------------------------------------------------------------

    def search(self, request: Request) -> Response:
        limit = int(request.arg("limit", "0") or 0)
        page = max(1, int(request.arg("page", "1") or 1))
        if limit > 5000:
            return _error(422, "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit")
        if limit < 1:
            limit = 1000
        query = (request.arg("query") or "").lower()
        tags = request.query.get("tag", [])
        hit_type = request.arg("type")
        uids = set(request.query.get("dashboardUIDs", []) + request.query.get("dashboardUID", []))
        folder_uids = set(request.query.get("folderUIDs", []))
        hits: list[dict[str, Any]] = []
        if hit_type in (None, "dash-folder") and not tags:
            hits += [self._folder_hit(f) for f in self.folders.values()]
        if hit_type in (None, "dash-db"):
            hits += [self._dashboard_hit(d) for d in self.dashboards.values()]
        hits = [
            h
            for h in hits
            if query in h["title"].lower()
            and all(t in h["tags"] for t in tags)
            and (not uids or h["uid"] in uids)
            and (not folder_uids or (h.get("folderUid") or "general") in folder_uids)
        ]
        # Without an explicit sort: folders first, then case-insensitive title.
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))
        if request.arg("sort") == "alpha-desc":
            hits.sort(key=lambda h: h["title"].lower(), reverse=True)
        start = (page - 1) * limit
        return Response(200, hits[start : start + limit])

    def _location(self, folder_uid: str) -> dict[str, Any]:
        if not folder_uid:
            return {}
        folder = self.folders[folder_uid]
        return {
            "folderId": folder.id,
            "folderUid": folder.uid,
            "folderTitle": folder.title,
            "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}",
        }

    def _folder_hit(self, folder: Folder) -> dict[str, Any]:
        hit = {
            "id": folder.id,
            "uid": folder.uid,
            "title": folder.title,
            "uri": f"db/{slugify(folder.title)}",
            "url": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}",
            "slug": "",
            "type": "dash-folder",
            "tags": [],
            "isStarred": False,
            "sortMeta": 0,
        }
        if folder.parent_uid:
            hit |= self._location(folder.parent_uid)
        return self._versioned_hit(hit)

    def _dashboard_hit(self, dashboard: Dashboard) -> dict[str, Any]:
        title = dashboard.model["title"]
        hit = {
            "id": dashboard.id,
            "uid": dashboard.uid,
            "title": title,
            "uri": f"db/{slugify(title)}",
            "url": f"/d/{dashboard.uid}/{slugify(title)}",
            "slug": slugify(title),
            "type": "dash-db",
            "tags": sorted(set(dashboard.model.get("tags") or [])),
            "isStarred": False,
            "sortMeta": 0,
        } | self._location(dashboard.folder_uid)
        return self._versioned_hit(hit)

    def _versioned_hit(self, hit: dict[str, Any]) -> dict[str, Any]:
        if self.version >= 11:
            hit["orgId"] = 1
        return hit

    # --- dashboards ---------------------------------------------------------------------------------

    def save_dashboard(self, request: Request) -> Response:
        body = self._json_body(request)
        if isinstance(body, Response):
            return body
        model = body.get("dashboard")
        if not isinstance(model, dict):
            return _error(400, "bad request data")
        # The body was decoded for this request alone: it is stored as it is, without a copy.
        message = str(body.get("message") or "")
        if self.version >= 11 and len(message) > 500:
            return _error(400, "message too long, max 500 characters")
        title = str(model.get("title") or "").strip()
        if not title:
            return _error(400, "Dashboard title cannot be empty", "empty-name")
        uid = model.get("uid")
        if uid is not None and not isinstance(uid, str):
            return _error(400, "bad request data")
        if uid and (problem := self._check_uid(uid)):
            return problem
        dash_id = model.get("id")
        # The JSON version is only read when an id or uid identifies an existing dashboard.
        sent_version = model.get("version") if (dash_id or uid) else 0
        if not isinstance(sent_version, int):
            sent_version = 0
        folder_uid = str(body.get("folderUid") or "")
        overwrite = bool(body.get("overwrite"))
        existing: Dashboard | None = None
        if isinstance(dash_id, int) and dash_id > 0:
            existing = next((d for d in self.dashboards.values() if d.id == dash_id), None)
            if existing is None:
                return _error(404, "Dashboard not found", "not-found")
            if uid and uid in self.dashboards and self.dashboards[uid].id != dash_id:
                return _error(400, "A dashboard with the same uid already exists")
        elif uid and uid in self.dashboards:
            existing = self.dashboards[uid]
        if uid and uid in self.folders:
            return _error(400, "Dashboard cannot be changed to a folder")
        if existing is not None and sent_version != existing.version and not overwrite:
            return _error(412, "The dashboard has been changed by someone else", "version-mismatch")
        if folder_uid and folder_uid not in self.folders:
            return self._folder_missing()
        if self.version < 11 and not overwrite:
            for other in self.dashboards.values():
                same_place = other.folder_uid == folder_uid and slugify(other.model["title"]) == slugify(title)
                if same_place and other is not existing:
                    return _error(412, "A dashboard with the same name in the folder already exists", "name-exists")
        model["title"] = title
        refresh = model.get("refresh")
        seconds = _seconds(refresh) if isinstance(refresh, str) else None
        if seconds is not None and seconds < self.min_refresh_seconds:
            model["refresh"] = f"{self.min_refresh_seconds}s"
        existing = self.commit_dashboard(
            existing, uid or self._new_uid(), model, folder_uid, self._user(request), message
        )
        answer = {
            "status": "success",
            "slug": slugify(title),
            "version": existing.version,
            "id": existing.id,
            "uid": existing.uid,
            "url": f"/d/{existing.uid}/{slugify(title)}",
        }
        if self.version >= 11 and folder_uid:
            answer["folderUid"] = folder_uid
        return Response(200, answer)

    def commit_dashboard(
        self,
        existing: Dashboard | None,
        uid: str,
        model: dict[str, Any],
        folder_uid: str,
        user: str,
        message: str,
        *,
        stored: str = "v1",
        v2_spec: dict[str, Any] | None = None,
    ) -> Dashboard:
        """Store one save (legacy or ``dashboard.grafana.app``): version + 1 and a history entry.

        ``stored`` is the schema the save is kept as; a v2 save keeps ``v2_spec`` and, for v1 readers,
        its lossy down-conversion as ``model``.
        """
        now = _now()
        if existing is None:
            existing = Dashboard(next(self._ids), uid, model, folder_uid, 0, now, user, now, user)
            self.dashboards[uid] = existing
        parent_version = existing.version
        existing.version += 1
        existing.folder_uid = folder_uid
        existing.updated, existing.updated_by = now, user
        existing.stored, existing.v2_spec = stored, copy.deepcopy(v2_spec)
        model.update({"id": existing.id, "uid": existing.uid, "version": existing.version})
        existing.model = model
        existing.versions.append(
            {
                "id": next(self._ids),
                "dashboardId": existing.id,
                "uid": existing.uid,
                "parentVersion": parent_version,
                "restoredFrom": 0,
                "version": existing.version,
                "created": now,
                "createdBy": user,
                "message": message,
                # Never served by the versions listing (it leaves "data" out): kept as the JSON text saved.
                "data": json_snapshot(model),
            }
        )
        return existing

    def save_in_ui(self, uid: str, user: str = "admin", **changes: Any) -> Dashboard:
        """A person opens the dashboard in the UI, changes ``changes`` and saves it.

        With new layouts on (12.x toggle, 13.x default) the UI saves through the v2 API, so the
        dashboard is stored as schema v2 from then on; otherwise it saves the classic model.
        """
        with self.lock:
            dashboard = self.dashboards[uid]
            model = {k: v for k, v in copy.deepcopy(dashboard.model).items() if k not in ("id", "version")} | changes
            if self.release.new_layouts:
                spec = to_v2(model)
                return self.commit_dashboard(
                    dashboard, uid, to_v1_lossy(spec, uid), dashboard.folder_uid, user, "",
                    stored=self.release.v2_storage, v2_spec=spec,
                )  # fmt: skip
            return self.commit_dashboard(dashboard, uid, model, dashboard.folder_uid, user, "")

    def health(self, request: Request) -> Response:
        """``GET /api/health``: the build's version (every release; no authentication)."""
        return Response(200, {"commit": "0123456789", "database": "ok", "version": self.release.build})

    def get_dashboard(self, request: Request) -> Response:
        dashboard = self.dashboards.get(request.params["uid"])
        if dashboard is None:
            return _error(404, "Dashboard not found")
        if dashboard.is_v2 and not self.release.legacy_get_converts_v2:
            path = self.dashboard_api.path(dashboard.stored, dashboard.uid)
            return _error(406, f"dashboard api version not supported, use {path} instead")
        # Only top-level fields change here, and a stored model is never changed in place (a save
        # stores a new one): a shallow copy is enough, and the answer is encoded at once.
        model = dict(dashboard.model)
        if self.version >= 12 and int(model.get("schemaVersion") or 0) < LATEST_SCHEMA_VERSION:
            model["schemaVersion"] = LATEST_SCHEMA_VERSION
        title = model["title"]
        folder = self.folders.get(dashboard.folder_uid)
        meta = {
            "type": "db",
            "canSave": True,
            "canEdit": True,
            "canAdmin": True,
            "canStar": True,
            "canDelete": True,
            "slug": slugify(title),
            "url": f"/d/{dashboard.uid}/{slugify(title)}",
            "expires": "0001-01-01T00:00:00Z",
            "created": dashboard.created,
            "updated": dashboard.updated,
            "updatedBy": dashboard.updated_by,
            "createdBy": dashboard.created_by,
            "version": dashboard.version,
            "hasAcl": False,
            "isFolder": False,
            "folderId": folder.id if folder else 0,
            "folderUid": folder.uid if folder else "",
            "folderTitle": folder.title if folder else ROOT_TITLE,
            "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}" if folder else "",
            "provisioned": False,
            "provisionedExternalId": "",
            "annotationsPermissions": {
                "dashboard": {"canAdd": True, "canEdit": True, "canDelete": True},
                "organization": {"canAdd": True, "canEdit": True, "canDelete": True},
            },
        }
        if self.version >= 12:
            meta["apiVersion"] = "v1"
        return Response(200, {"dashboard": model, "meta": meta})

    def delete_dashboard(self, request: Request) -> Response:
        dashboard = self.dashboards.get(request.params["uid"])
        if dashboard is None:
            if self.version >= 11 and request.params["uid"] in self.folders:
                return _error(400, "Use folders endpoint for deleting folders.")
            return _error(404, "Dashboard not found")
        del self.dashboards[dashboard.uid]
        title = dashboard.model["title"]
        answer: dict[str, Any] = {"title": title, "message": f"Dashboard {title} deleted"}
        answer |= {"id": dashboard.id} if self.version < 11 else {"uid": dashboard.uid}
        return Response(200, answer)

    def dashboard_versions(self, request: Request) -> Response:
        dashboard = self.dashboards.get(request.params["uid"])
        if dashboard is None:
            return _error(404, "Dashboard not found")
        limit = int(request.arg("limit", "0") or 0) or 1000
        start = int(request.arg("start", "0") or 0)
        entries = [{k: v for k, v in entry.items() if k != "data"} for entry in reversed(dashboard.versions)]
        if not self.release.versions_object:
            return Response(200, entries[start : start + limit])
        token = request.arg("continueToken") or ""
        if token:
            start = int(token.removeprefix("offset-"))
        if self.release.versions_short_pages and not token:
            # A list from unified storage may answer fewer entries than asked for, even none, with a
            # token for the rest (Kubernetes list semantics); only the token says whether more follow.
            return Response(200, {"continueToken": f"offset-{start}", "versions": []})
        page = entries[start : start + limit]
        more = start + limit < len(entries)
        return Response(200, {"continueToken": f"offset-{start + limit}" if more else "", "versions": page})

    # --- folders ------------------------------------------------------------------------------------

    def _folder_dto(self, folder: Folder) -> dict[str, Any]:
        dto: dict[str, Any] = {
            "id": folder.id,
            "uid": folder.uid,
            "title": folder.title,
            "url": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}",
            "hasAcl": False,
            "canSave": True,
            "canEdit": True,
            "canAdmin": True,
            "canDelete": True,
            "createdBy": folder.created_by,
            "created": folder.created,
            "updatedBy": folder.updated_by,
            "updated": folder.updated,
            "version": folder.version,
        }
        if folder.parent_uid:
            dto["parentUid"] = folder.parent_uid
        if self.version >= 11:
            dto["orgId"] = 1
        return dto

    def list_folders(self, request: Request) -> Response:
        limit = int(request.arg("limit", "1000") or 1000)
        page = max(1, int(request.arg("page", "1") or 1))
        parent = request.arg("parentUid") or ""
        folders = sorted((f for f in self.folders.values() if f.parent_uid == parent), key=lambda f: f.title.lower())
        chosen = folders[(page - 1) * limit : page * limit]
        hits = [
            {"id": f.id, "uid": f.uid, "title": f.title} | ({"parentUid": parent} if parent else {}) for f in chosen
        ]
        return Response(200, hits)

    def _folder_not_found(self) -> Response:
        return _error(404, "folder not found", "not-found")

    def get_folder(self, request: Request) -> Response:
        folder = self.folders.get(request.params["uid"])
        return Response(200, self._folder_dto(folder)) if folder else self._folder_not_found()

    def create_folder(self, request: Request) -> Response:
        body = self._json_body(request)
        if isinstance(body, Response):
            return body
        title = str(body.get("title") or "").strip()
        uid = str(body.get("uid") or "")
        parent = str(body.get("parentUid") or "")
        if not title:
            return _error(400, "folder title cannot be empty")
        if uid == "general":
            return _error(500, "Folder API error")
        if uid and (problem := self._check_uid(uid)):
            return problem
        if title.lower() == ROOT_TITLE.lower():
            return _error(400, "A folder with that name already exists")
        if uid and (uid in self.folders or uid in self.dashboards):
            return _error(409, "a folder/dashboard with the same uid already exists")
        if parent and parent not in self.folders:
            return self._folder_not_found()
        same_title_at_root = any(f.title.lower() == title.lower() and not f.parent_uid for f in self.folders.values())
        if self.version < 11 and not parent and same_title_at_root:
            return _error(409, "a folder or dashboard in the general folder with the same name already exists")
        user, now = self._user(request), _now()
        folder = Folder(next(self._ids), uid or self._new_uid(), title, parent, 1, now, user, now, user)
        self.folders[folder.uid] = folder
        return Response(200, self._folder_dto(folder))

    def _folder_and_body(self, request: Request) -> tuple[Folder, Any] | Response:
        """The folder named by the path and the request's JSON body, or the error Grafana answers."""
        folder = self.folders.get(request.params["uid"])
        if folder is None:
            return self._folder_not_found()
        body = self._json_body(request)
        return body if isinstance(body, Response) else (folder, body)

    def update_folder(self, request: Request) -> Response:
        found = self._folder_and_body(request)
        if isinstance(found, Response):
            return found
        folder, body = found
        version = body.get("version")
        if version != folder.version and not body.get("overwrite"):
            return _error(412, "the folder has been changed by someone else", "version-mismatch")
        title = str(body.get("title") or "").strip()
        if title:
            folder.title = title
        folder.version += 1
        folder.updated, folder.updated_by = _now(), self._user(request)
        return Response(200, self._folder_dto(folder))

    def move_folder(self, request: Request) -> Response:
        found = self._folder_and_body(request)
        if isinstance(found, Response):
            return found
        folder, body = found
        parent = str(body.get("parentUid") or "")
        ancestor = parent
        while ancestor:
            if ancestor == folder.uid:
                return _error(409, "cannot move a folder into itself or one of its subfolders")
            if ancestor not in self.folders:
                return self._folder_not_found()
            ancestor = self.folders[ancestor].parent_uid
        folder.parent_uid = parent
        folder.version += 1
        folder.updated, folder.updated_by = _now(), self._user(request)
        return Response(200, self._folder_dto(folder))

    def delete_folder(self, request: Request) -> Response:
        folder = self.folders.get(request.params["uid"])
        if folder is None:
            return self._folder_not_found()
        doomed = {folder.uid}
        changed = True
        while changed:  # the whole subtree goes, as in Grafana with nested folders
            extra = {f.uid for f in self.folders.values() if f.parent_uid in doomed} - doomed
            doomed |= extra
            changed = bool(extra)
        holds_rules = any(rule["folderUID"] in doomed for rule in self.alerting.rules.values())
        if holds_rules and request.arg("forceDeleteRules") != "true":
            return Response(400, {"message": "folder contains alert rules"})
        for uid in doomed:
            del self.folders[uid]
        for uid in [d.uid for d in self.dashboards.values() if d.folder_uid in doomed]:
            del self.dashboards[uid]
        if self.version < 11:
            return Response(200, "")
        return Response(200, {"id": folder.id, "title": folder.title, "message": f"Folder {folder.title} deleted"})

    # --- data sources -------------------------------------------------------------------------------

    _DS_FIELDS = ("name", "type", "access", "url", "user", "database", "basicAuthUser", "uid")
    _DS_FLAGS = ("basicAuth", "withCredentials", "isDefault")

    def _ds_dto(self, ds: DataSource) -> dict[str, Any]:
        dto: dict[str, Any] = {"id": ds.id, "orgId": 1, "typeLogoUrl": ""}
        dto |= {key: ds.fields.get(key, "") for key in self._DS_FIELDS}
        dto |= {key: bool(ds.fields.get(key)) for key in self._DS_FLAGS}
        if ds.fields.get("jsonData"):
            dto["jsonData"] = copy.deepcopy(ds.fields["jsonData"])
        dto["secureJsonFields"] = {key: True for key, value in ds.secure.items() if value}
        dto["version"] = ds.version
        dto["readOnly"] = ds.read_only
        return dto

    def _ds_list_item(self, ds: DataSource) -> dict[str, Any]:
        dto = self._ds_dto(ds)
        item = {k: dto[k] for k in ("id", "uid", "orgId", "name", "type", "typeLogoUrl", "access", "url", "user")}
        item |= {
            "typeName": ds.fields.get("type", ""),
            "database": dto["database"],
            "basicAuth": dto["basicAuth"],
            "isDefault": dto["isDefault"],
            "jsonData": dto.get("jsonData", {}),
            "readOnly": ds.read_only,
        }
        return item

    def _ds_command(self, request: Request) -> dict[str, Any] | Response:
        body = self._json_body(request)
        if isinstance(body, Response):
            return body
        if not all(body.get(key) for key in ("name", "type", "access")):
            return _error(400, "bad request data")  # binding:"Required"
        if body.get("access") not in ("proxy", "direct"):
            return _error(400, "bad request data")
        uid = body.get("uid") or ""
        if uid and (problem := self._check_uid(str(uid))):
            return problem
        secure = body.get("secureJsonData") or {}
        if not isinstance(secure, dict) or not all(isinstance(v, str) for v in secure.values()):
            return _error(400, "bad request data")
        return body

    def list_datasources(self, request: Request) -> Response:
        items = sorted(self.datasources.values(), key=lambda ds: str(ds.fields.get("name")).lower())
        return Response(200, [self._ds_list_item(ds) for ds in items])

    def get_datasource(self, request: Request) -> Response:
        ds = self.datasources.get(request.params["uid"])
        return Response(200, self._ds_dto(ds)) if ds else _error(404, "Data source not found")

    def get_datasource_by_name(self, request: Request) -> Response:
        ds = next((d for d in self.datasources.values() if d.fields.get("name") == request.params["name"]), None)
        return Response(200, self._ds_dto(ds)) if ds else _error(404, "Data source not found")

    def create_datasource(self, request: Request) -> Response:
        body = self._ds_command(request)
        if isinstance(body, Response):
            return body
        if any(ds.fields.get("name") == body["name"] for ds in self.datasources.values()):
            return _error(409, "data source with the same name already exists")
        uid = str(body.get("uid") or self._new_uid())
        if uid in self.datasources:
            return _error(409, "data source with the same uid already exists")
        fields = self._ds_fields(body) | {"uid": uid}
        ds = DataSource(next(self._ids), fields, dict(body.get("secureJsonData") or {}), 1)
        self.datasources[uid] = ds
        return Response(
            200, {"message": "Datasource added", "id": ds.id, "name": fields["name"], "datasource": self._ds_dto(ds)}
        )

    def _ds_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = {key: body[key] for key in (*self._DS_FIELDS, *self._DS_FLAGS) if body.get(key) is not None}
        # PUT replaces every non-secret field: an omitted jsonData becomes {}.
        fields["jsonData"] = copy.deepcopy(body.get("jsonData") or {})
        return fields

    def update_datasource(self, request: Request) -> Response:
        ds = self.datasources.get(request.params["uid"])
        if ds is None:
            return _error(404, "Data source not found")
        if ds.read_only:
            return _error(403, "Cannot update read-only data source")
        body = self._ds_command(request)
        if isinstance(body, Response):
            return body
        version = body.get("version") or 0
        if not isinstance(version, int):
            return _error(400, "bad request data")
        if version and version < ds.version:
            return _error(409, "Datasource has already been updated by someone else. Please reload and try again")
        if any(d is not ds and d.fields.get("name") == body["name"] for d in self.datasources.values()):
            return _error(409, "Failed to update datasource: data source with the same name already exists")
        uid = ds.fields["uid"]
        ds.fields = self._ds_fields(body) | {"uid": body.get("uid") or uid}
        # Secrets in the request replace stored ones; absent ones are kept (fillWithSecureJSONData).
        ds.secure |= dict(body.get("secureJsonData") or {})
        # The row is written with version = request version + 1 (so an omitted version resets it to 1).
        ds.version = version + 1
        if ds.fields["uid"] != uid:
            del self.datasources[uid]
            self.datasources[ds.fields["uid"]] = ds
        return Response(
            200,
            {"message": "Datasource updated", "id": ds.id, "name": ds.fields["name"], "datasource": self._ds_dto(ds)},
        )

    def delete_datasource(self, request: Request) -> Response:
        ds = self.datasources.get(request.params["uid"])
        if ds is None:
            return _error(404, "Data source not found")
        if ds.read_only:
            return _error(403, "Cannot delete read-only data source")
        del self.datasources[request.params["uid"]]
        return Response(200, {"message": "Data source deleted", "id": ds.id})


def _seconds(duration: str) -> int | None:
    match = re.fullmatch(r"(\d+)(s|m|h|d)", duration)
    if not match:
        return None
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
