"""Grafana's library elements API (``/api/library-elements``), as its HTTP API reference publishes it
(docs/sources/developers/http_api/library_element.md in grafana/grafana, the same from 8.2 to 13):

* ``GET /api/library-elements`` answers ``{"result": {"totalCount", "page", "perPage", "elements"}}``
  (``searchString`` in name or description, ``kind`` 1 panels / 2 variables, ``perPage`` default 100,
  ``page`` from 1); ``GET /api/library-elements/:uid`` and ``POST`` answer ``{"result": element}``;
  ``GET /api/library-elements/name/:name`` answers ``{"result": [elements]}``;
* an element is ``{id, orgId, folderId, folderUid, uid, name, kind, type, description, model, version,
  meta: {folderName, folderUid, connectedDashboards, created, updated, createdBy, updatedBy}}``; ``type``
  and ``description`` are the model's; a uid is generated unless given (at most 40 characters);
* ``GET /api/library-elements/:uid/connections`` lists the dashboards using it
  (``{id, kind, elementId, connectionId, connectionUid, created, createdBy}``); Grafana records a
  connection when a dashboard holding ``libraryPanel: {uid, name}`` is saved, which the emulator reads
  from the stored dashboards;
* ``PATCH`` needs the element's ``version`` (412 otherwise); ``DELETE`` of a connected element is
  refused (403 "the library element has connections"); unknown uids are 404; a name or uid taken in
  the folder is 400.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .http import Request, Response, json_copy

if TYPE_CHECKING:
    from .grafana import GrafanaEmulator

BASE = "/api/library-elements"
_NOT_FOUND = "library element could not be found"


def _error(status: int, message: str) -> Response:
    return Response(status, {"message": message})


class LibraryElements:
    """The library elements of one emulated Grafana, mounted on its routes."""

    def __init__(self, grafana: GrafanaEmulator, now: Callable[[], str]) -> None:
        self.grafana = grafana
        self.now = now
        self.elements: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        uid = r"(?P<uid>[^/]+)"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", BASE, self.list),
            ("POST", BASE, self.create),
            ("GET", rf"{BASE}/name/(?P<name>[^/]+)", self.by_name),
            ("GET", rf"{BASE}/{uid}/connections/?", self.connections),
            ("GET", rf"{BASE}/{uid}", self.get),
            ("PATCH", rf"{BASE}/{uid}", self.update),
            ("DELETE", rf"{BASE}/{uid}", self.delete),
        ]
        for method, pattern, handler in routes:
            grafana.route(method, pattern, handler)

    # --- helpers for tests --------------------------------------------------------------------------

    def add(self, uid: str, name: str, model: Mapping[str, Any], folder_uid: str = "", user: str = "admin") -> None:
        """An element made in the UI."""
        self._store(uid, name, dict(model), folder_uid, user)

    # --- routes -------------------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        search = (request.arg("searchString") or "").casefold()
        kind = request.arg("kind")
        found = [
            e
            for e in sorted(self.elements.values(), key=lambda e: str(e["name"]).casefold())
            if (not search or search in str(e["name"]).casefold() or search in str(e["description"]).casefold())
            and (kind is None or str(e["kind"]) == kind)
        ]
        per_page, page = int(request.arg("perPage") or 100), max(int(request.arg("page") or 1), 1)
        shown = found[(page - 1) * per_page : page * per_page]
        result = {"totalCount": len(found), "page": page, "perPage": per_page, "elements": list(self._dtos(shown))}
        return Response(200, {"result": result})

    def get(self, request: Request) -> Response:
        element = self.elements.get(request.params["uid"])
        if element is None:
            return _error(404, _NOT_FOUND)
        return Response(200, {"result": next(self._dtos([element]))})

    def by_name(self, request: Request) -> Response:
        found = [e for e in self.elements.values() if e["name"] == request.params["name"]]
        if not found:
            return _error(404, _NOT_FOUND)
        return Response(200, {"result": list(self._dtos(found))})

    def connections(self, request: Request) -> Response:
        element = self.elements.get(request.params["uid"])
        if element is None:
            return _error(404, _NOT_FOUND)
        result = [
            {
                "id": index,
                "kind": 1,
                "elementId": element["id"],
                "connectionId": dashboard.id,
                "connectionUid": dashboard.uid,
                "created": dashboard.updated,
                "createdBy": _user(dashboard.updated_by),
            }
            for index, dashboard in enumerate(self._connected(element["uid"]), start=1)
        ]
        return Response(200, {"result": result})

    def create(self, request: Request) -> Response:
        body = request.json() if request.raw_body else None
        if not isinstance(body, dict) or not isinstance(body.get("model"), dict) or body.get("kind") not in (1, 2):
            return _error(400, "bad request data")
        uid = str(body.get("uid") or f"lib{next(self._ids):06d}")
        if len(uid) > 40:
            return _error(400, "uid too long, max 40 characters")
        folder_uid = str(body.get("folderUid") or "")
        name = str(body.get("name") or body["model"].get("title") or "")
        taken = uid in self.elements or any(
            e["name"] == name and e["folderUid"] == folder_uid for e in self.elements.values()
        )
        if taken:
            return _error(400, "library element with that name or uid already exists")
        element = self._store(uid, name, dict(body["model"]), folder_uid, self.grafana._user(request), body["kind"])
        return Response(200, {"result": next(self._dtos([element]))})

    def update(self, request: Request) -> Response:
        element = self.elements.get(request.params["uid"])
        if element is None:
            return _error(404, _NOT_FOUND)
        body = request.json() if request.raw_body else None
        if not isinstance(body, dict):
            return _error(400, "bad request data")
        if body.get("version") != element["version"]:
            return _error(412, "the library element has been changed by someone else")
        if isinstance(body.get("model"), dict):
            element["model"] = json_copy(body["model"])
        for key in ("name", "folderUid"):
            if key in body:
                element[key] = str(body[key])
        element.update(version=element["version"] + 1, updated=self.now(), updatedBy=self.grafana._user(request))
        return Response(200, {"result": next(self._dtos([element]))})

    def delete(self, request: Request) -> Response:
        element = self.elements.get(request.params["uid"])
        if element is None:
            return _error(404, _NOT_FOUND)
        if any(True for _ in self._connected(element["uid"])):
            return _error(403, "the library element has connections")
        del self.elements[element["uid"]]
        return Response(200, {"message": "Library element deleted", "id": element["id"]})

    # --- state --------------------------------------------------------------------------------------

    def _store(
        self, uid: str, name: str, model: dict[str, Any], folder_uid: str, user: str, kind: int = 1
    ) -> dict[str, Any]:
        now = self.now()
        element = {
            "id": next(self._ids), "uid": uid, "name": name, "kind": kind, "model": json_copy(model),
            "folderUid": folder_uid, "version": 1, "created": now, "updated": now, "createdBy": user,
            "updatedBy": user,
        }  # fmt: skip
        self.elements[uid] = element
        return element

    def _connected(self, uid: str) -> Iterator[Any]:
        """The stored dashboards holding a panel (top level or in a collapsed row) linked to ``uid``."""
        for dashboard in self.grafana.dashboards.values():
            panels = dashboard.model.get("panels") or []
            nested = [child for panel in panels for child in (panel.get("panels") or [])]
            if any((p.get("libraryPanel") or {}).get("uid") == uid for p in [*panels, *nested]):
                yield dashboard

    def _dtos(self, elements: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for element in elements:
            folder = self.grafana.folders.get(element["folderUid"])
            model = json_copy(element["model"])
            yield {
                "id": element["id"],
                "orgId": 1,
                "folderId": folder.id if folder else 0,
                "folderUid": element["folderUid"],
                "uid": element["uid"],
                "name": element["name"],
                "kind": element["kind"],
                "type": str(model.get("type") or ""),
                "description": str(model.get("description") or ""),
                "model": model,
                "version": element["version"],
                "meta": {
                    "folderName": folder.title if folder else "General",
                    "folderUid": element["folderUid"],
                    "connectedDashboards": sum(1 for _ in self._connected(element["uid"])),
                    "created": element["created"],
                    "updated": element["updated"],
                    "createdBy": _user(element["createdBy"]),
                    "updatedBy": _user(element["updatedBy"]),
                },
            }


def _user(login: str) -> dict[str, Any]:
    return {"id": 1 if login == "admin" else 2, "name": login, "avatarUrl": "/avatar/46d229b033af06a191ff2267bca9ae56"}
