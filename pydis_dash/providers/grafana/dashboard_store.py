"""Reading and writing one dashboard through the API the server supports best (see
:mod:`~pydis_dash.providers.grafana.capabilities`).

* :class:`LegacyDashboards`: ``/api/dashboards/db`` and ``/api/dashboards/uid/:uid`` (Grafana up to 11,
  lossless there). If a server nevertheless answers 406 for a dashboard stored as schema v2 (Grafana 12
  with discovery unavailable), the dashboard is read natively from the path the 406 names, and reported;
  replacing it needs ``dashboard.grafana.app``.
* :class:`AppPlatformDashboards`: ``/apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards`` (12+).
  The folder and the version message travel as the ``grafana.app/folder`` and ``grafana.app/message``
  annotations; updates are guarded by ``metadata.resourceVersion`` (409 when it moved on). A
  dashboard whose ``status.conversion.storedVersion`` is a v2 version is read again through the v2
  API, so it is seen as it is stored, never through a lossy down-conversion.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.base import ResourceError
from pydis_dash.providers.grafana.capabilities import DASHBOARD_GROUP, GrafanaCapabilities
from pydis_dash.providers.grafana.client import GrafanaApiError, GrafanaClient, NotFound

log = logging.getLogger(__name__)

#: Fields the server owns in a classic model (the uid travels as ``metadata.name``).
_SERVER_FIELDS = ("id", "version", "uid")
_V2_PATH = re.compile(rf"/apis/{re.escape(DASHBOARD_GROUP)}/(v2[a-z0-9]*)/namespaces/([^/\s]+)/dashboards/([^/\s]+)")


@dataclass(frozen=True)
class StoredDashboard:
    """One dashboard as the server stores it."""

    uid: str
    #: The classic model (``stored == "v1"``) or the schema v2 spec.
    model: Mapping[str, Any]
    folder_uid: str
    #: ``"v1"`` or the v2 API version it is stored as (``v2beta1``...).
    stored: str = "v1"
    version: int | None = None
    resource_version: str | None = None
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def is_v2(self) -> bool:
        """Stored as schema v2 (changed in the UI with the new layouts)."""
        return self.stored != "v1"

    def detail(self) -> dict[str, Any]:
        """What writes and drift need later, as plain JSON-able data (``LiveResource.detail``)."""
        return {
            "stored": self.stored,
            "resourceVersion": self.resource_version,
            "updatedBy": self.updated_by,
            "updatedAt": self.updated_at,
        }

    @classmethod
    def from_detail(cls, uid: str, folder_uid: str, version: int | None, detail: Mapping[str, Any]) -> StoredDashboard:
        """The inverse of :meth:`detail` (without the model, which writes never need)."""
        return cls(
            uid,
            {},
            folder_uid,
            stored=str(detail.get("stored") or "v1"),
            version=version,
            resource_version=detail.get("resourceVersion"),
            updated_by=detail.get("updatedBy"),
            updated_at=detail.get("updatedAt"),
        )


class DashboardStore(Protocol):
    """The dashboard calls the handler makes; one implementation per API."""

    def read(self, uid: str) -> StoredDashboard | None:
        """The dashboard, or None when it does not exist."""
        ...

    def create(self, model: Mapping[str, Any], folder_uid: str, message: str) -> None:
        """Create it (fails if the uid appeared since the plan)."""
        ...

    def update(self, model: Mapping[str, Any], folder_uid: str, message: str, live: StoredDashboard) -> None:
        """Replace ``live`` with ``model`` (classic schema), guarded by what was read at plan time."""
        ...

    def delete(self, uid: str) -> None:
        """Delete it (NotFound when it is already gone)."""
        ...


def store_for(client: GrafanaClient, capabilities: GrafanaCapabilities) -> DashboardStore:
    """The store for the server's capabilities."""
    if capabilities.v1_api is None:
        return LegacyDashboards(client)
    return AppPlatformDashboards(client, capabilities)


class LegacyDashboards:
    """``/api/dashboards``: no ``overwrite``; the version read at plan time is the optimistic lock."""

    def __init__(self, client: GrafanaClient) -> None:
        self.client = client

    def read(self, uid: str) -> StoredDashboard | None:
        """``GET /api/dashboards/uid/:uid``; a 406 naming a v2 path reads it from there."""
        try:
            full = self.client.get(f"/api/dashboards/uid/{uid}")
        except NotFound:
            return None
        except GrafanaApiError as exc:
            match = _V2_PATH.search(exc.message) if exc.status == 406 else None
            if match is None:
                raise
            return self._read_v2(uid, match)
        model = full.get("dashboard") or {}
        meta = full.get("meta") or {}
        version = model.get("version", meta.get("version"))
        return StoredDashboard(
            uid, model, str(meta.get("folderUid") or ""), version=version if isinstance(version, int) else None
        )

    def _read_v2(self, uid: str, path: re.Match[str]) -> StoredDashboard:
        """The dashboard from the v2 path a 406 named; if that is refused too (a proxy blocking /apis), what
        the 406 said is enough to report it: its uid and that it is stored as v2."""
        try:
            return _from_object(self.client.get(path.group(0)), uid)
        except (GrafanaApiError, EnvironmentProblem) as exc:
            log.warning("dashboard %s is stored as schema %s and cannot be read: %s", uid, path.group(1), exc)
            return StoredDashboard(uid, {}, "", stored=path.group(1))

    def create(self, model: Mapping[str, Any], folder_uid: str, message: str) -> None:
        """``POST /api/dashboards/db`` without a version: 412 if the uid appeared since."""
        self._save(model, folder_uid, message, None)

    def update(self, model: Mapping[str, Any], folder_uid: str, message: str, live: StoredDashboard) -> None:
        """``POST /api/dashboards/db`` with the planned version (412 ``version-mismatch`` if it moved)."""
        if live.is_v2:
            raise ResourceError(
                f"stored as schema {live.stored}, and this Grafana did not list {DASHBOARD_GROUP}, the only API "
                "that replaces it without a lossy conversion"
            )
        if live.version is None:
            raise ResourceError("dashboard version unknown; cannot update safely")
        self._save(model, folder_uid, message, live.version)

    def delete(self, uid: str) -> None:
        """``DELETE /api/dashboards/uid/:uid``."""
        self.client.delete(f"/api/dashboards/uid/{uid}")

    def _save(self, model: Mapping[str, Any], folder_uid: str, message: str, version: int | None) -> None:
        body = {k: v for k, v in model.items() if k not in ("id", "version")}
        if version is not None:
            body["version"] = version
        self.client.post(
            "/api/dashboards/db", {"dashboard": body, "folderUid": folder_uid, "message": message, "overwrite": False}
        )


class AppPlatformDashboards:
    """``dashboard.grafana.app`` through its stable classic-schema version."""

    def __init__(self, client: GrafanaClient, capabilities: GrafanaCapabilities) -> None:
        if capabilities.v1_api is None:
            raise ValueError(f"{DASHBOARD_GROUP} serves no classic-schema version here; use LegacyDashboards")
        self.client = client
        self.capabilities = capabilities
        self.v1_api = capabilities.v1_api
        self.path = capabilities.dashboards_path(capabilities.v1_api)

    def read(self, uid: str) -> StoredDashboard | None:
        """The classic read; a v2-stored dashboard is read again through the v2 API."""
        try:
            found = self.client.get(f"{self.path}/{uid}")
        except NotFound:
            return None
        stored = _stored_version(found, self.capabilities.v2_api)
        if stored.startswith("v2"):
            v2_api = stored if stored in self.capabilities.dashboard_versions else self.capabilities.v2_api
            if v2_api is None:
                raise ResourceError(f"stored as schema {stored}, which this Grafana does not serve")
            try:
                found = self.client.get(f"{self.capabilities.dashboards_path(v2_api)}/{uid}")
            except NotFound:
                return None
            return _from_object(found, uid, stored=stored)
        return _from_object(found, uid)

    def create(self, model: Mapping[str, Any], folder_uid: str, message: str) -> None:
        """``POST`` the collection (409 AlreadyExists if the uid appeared since)."""
        self.client.post(self.path, self._body(model, folder_uid, message, None))

    def update(self, model: Mapping[str, Any], folder_uid: str, message: str, live: StoredDashboard) -> None:
        """``PUT`` with the planned ``resourceVersion``; stores the classic schema again (also over v2)."""
        if live.resource_version is None:
            raise ResourceError("dashboard resourceVersion unknown; cannot update safely")
        self.client.put(f"{self.path}/{live.uid}", self._body(model, folder_uid, message, live.resource_version))

    def delete(self, uid: str) -> None:
        """``DELETE`` the dashboard."""
        self.client.delete(f"{self.path}/{uid}")

    def _body(
        self, model: Mapping[str, Any], folder_uid: str, message: str, resource_version: str | None
    ) -> dict[str, Any]:
        annotations = {"grafana.app/message": message} | ({"grafana.app/folder": folder_uid} if folder_uid else {})
        metadata: dict[str, Any] = {"name": model.get("uid"), "annotations": annotations}
        if resource_version is not None:
            metadata["resourceVersion"] = resource_version
        return {
            "apiVersion": f"{DASHBOARD_GROUP}/{self.v1_api}",
            "kind": "Dashboard",
            "metadata": metadata,
            "spec": {k: v for k, v in model.items() if k not in _SERVER_FIELDS},
        }


def _stored_version(found: Any, v2_api: str | None) -> str:
    """How the dashboard is stored, from ``status.conversion``: its ``storedVersion`` when that is a v2
    version; ``v2_api`` when the conversion to v1 failed without naming a v2 version (what failed to
    convert to v1 can only be v2); else "v1"."""
    status = found.get("status") if isinstance(found, Mapping) else None
    conversion = status.get("conversion") if isinstance(status, Mapping) else None
    if not isinstance(conversion, Mapping):
        return "v1"
    stored = conversion.get("storedVersion")
    if isinstance(stored, str) and stored.startswith("v2"):
        return stored
    if conversion.get("failed") is True and v2_api is not None:
        return v2_api
    return "v1"


def _from_object(found: Any, uid: str, *, stored: str | None = None) -> StoredDashboard:
    """A ``dashboard.grafana.app`` object as a :class:`StoredDashboard`."""
    if not isinstance(found, Mapping):
        raise ResourceError(f"dashboard {uid}: {DASHBOARD_GROUP} answered something that is not an object")
    metadata = found.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    spec = dict(found.get("spec") or {})
    if stored is None:
        api_version = str(found.get("apiVersion") or "")
        stored = api_version.rpartition("/")[2] if "/v2" in api_version else "v1"
    if stored == "v1":
        spec["uid"] = uid  # the uid travels as metadata.name
    generation = metadata.get("generation")
    author = annotations.get("grafana.app/updatedBy") or annotations.get("grafana.app/createdBy")
    return StoredDashboard(
        uid,
        spec,
        str(annotations.get("grafana.app/folder") or ""),
        stored=stored,
        version=generation if isinstance(generation, int) else None,
        resource_version=str(metadata["resourceVersion"]) if metadata.get("resourceVersion") else None,
        updated_by=str(author).removeprefix("user:") if author else None,
        updated_at=annotations.get("grafana.app/updatedTimestamp") or metadata.get("creationTimestamp"),
    )
