"""Dashboards saved from Grafana 12+'s ``dashboard.grafana.app`` API, as import inputs.

A ``GET /apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards/<uid>`` answer is read as it is: a
classic-schema object (``v0alpha1``, ``v1beta1``, ``v1``) becomes the ``/api/dashboards/uid`` answer
shape the importer already reads (uid from ``metadata.name``, folder from the ``grafana.app/folder``
annotation); a schema v2 object (``v2alpha1``, ``v2beta1``, ``v2``) is refused with one clear error,
because pydis-dash writes classic dashboards and converting v2 to v1 loses what v1 cannot hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.providers.grafana.dashboard_store import DashboardStore

GROUP = "dashboard.grafana.app"


def from_app_platform(document: Any, origin: str) -> Any:
    """``document`` in the shape the importer reads; anything that is not such an object unchanged."""
    if not isinstance(document, Mapping) or document.get("kind") != "Dashboard":
        return document
    group, _, version = str(document.get("apiVersion") or "").rpartition("/")
    if group != GROUP:
        return document
    metadata = _mapping(document.get("metadata"))
    name = str(metadata.get("name") or "")
    if version.startswith("v2"):
        raise DefinitionError(f"{origin}: {schema_v2_refusal(name, version)}")
    spec = dict(document.get("spec") or {})
    if name:
        spec.setdefault("uid", name)
    annotations = _mapping(metadata.get("annotations"))
    return {"dashboard": spec, "meta": {"folderUid": str(annotations.get("grafana.app/folder") or "")}}


def schema_v2_refusal(uid: str, version: str) -> str:
    """Why a dashboard stored as schema v2 is not imported or pulled (one message for every path)."""
    return (
        f"dashboard {uid!r} is stored as schema {version} (Grafana's new layouts); pydis-dash writes classic "
        "dashboards and does not down-convert v2, which loses layouts: export it from Grafana as a classic "
        "dashboard, or write it in code"
    )


def live_dashboard(store: DashboardStore, uid: str) -> dict[str, Any]:
    """A live dashboard read through the API the server supports best (never a lossy down-conversion), as
    the ``/api/dashboards/uid`` answer, or as its ``dashboard.grafana.app`` object when stored as v2 (which
    :func:`from_app_platform` then refuses for that input alone)."""
    found = store.read(uid)
    if found is None:
        raise DefinitionError(f"grafana-dashboard/{uid}: no such dashboard")
    if found.is_v2:
        metadata = {"name": uid, "annotations": {"grafana.app/folder": found.folder_uid}}
        return {"kind": "Dashboard", "apiVersion": f"{GROUP}/{found.stored}", "metadata": metadata, "spec": found.model}
    return {"dashboard": dict(found.model), "meta": {"folderUid": found.folder_uid}}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
