"""The emulator's ``dashboard.grafana.app`` API answers as Grafana documents it (see
``tests/emulators/grafana_k8s.py`` for the sources): object shape, Kubernetes ``Status`` errors,
optimistic locking by ``resourceVersion``, and how a dashboard is stored per API version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from emulators.grafana import GrafanaEmulator

TOKEN = "glsa_k8s"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-deploy"}, release="12.1") as emulator:
        yield emulator  # type: ignore[misc]


def call(grafana: GrafanaEmulator, method: str, version: str, uid: str = "", body: Any = None) -> requests.Response:
    path = f"/apis/dashboard.grafana.app/{version}/namespaces/default/dashboards" + (f"/{uid}" if uid else "")
    return requests.request(method, grafana.url + path, json=body, headers=HEADERS, timeout=5)


def new_dashboard(uid: str, title: str, folder: str = "", message: str = "") -> dict[str, Any]:
    annotations = {"grafana.app/message": message} | ({"grafana.app/folder": folder} if folder else {})
    return {"metadata": {"name": uid, "annotations": annotations}, "spec": {"title": title, "panels": []}}


def test_create_read_and_the_legacy_view_agree(grafana: GrafanaEmulator) -> None:
    assert requests.post(grafana.url + "/api/folders", json={"uid": "f", "title": "F"}, headers=HEADERS).ok
    created = call(grafana, "POST", "v1beta1", body=new_dashboard("d", "D", folder="f", message="first"))
    assert created.status_code == 201
    found = call(grafana, "GET", "v1beta1", "d").json()
    assert found["kind"] == "Dashboard" and found["apiVersion"] == "dashboard.grafana.app/v1beta1"
    assert found["metadata"]["name"] == "d" and found["metadata"]["generation"] == 1
    annotations = found["metadata"]["annotations"]
    assert annotations["grafana.app/folder"] == "f" and annotations["grafana.app/message"] == "first"
    assert annotations["grafana.app/updatedBy"] == "user:sa-deploy"
    assert found["spec"] == {"title": "D", "panels": []} and "status" not in found
    legacy = requests.get(grafana.url + "/api/dashboards/uid/d", headers=HEADERS, timeout=5).json()
    assert legacy["meta"]["folderUid"] == "f" and legacy["dashboard"]["title"] == "D"


def test_errors_are_kubernetes_statuses(grafana: GrafanaEmulator) -> None:
    missing = call(grafana, "GET", "v1beta1", "nope")
    assert missing.status_code == 404
    assert missing.json() | {"metadata": {}} == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'dashboards.dashboard.grafana.app "nope" not found',
        "reason": "NotFound",
        "code": 404,
    }
    assert call(grafana, "POST", "v1beta1", body=new_dashboard("d", "D")).status_code == 201
    again = call(grafana, "POST", "v1beta1", body=new_dashboard("d", "D"))
    assert (again.status_code, again.json()["reason"]) == (409, "AlreadyExists")
    untitled = call(grafana, "POST", "v1beta1", body=new_dashboard("e", ""))
    assert (untitled.status_code, untitled.json()["reason"]) == (422, "Invalid")
    not_served = call(grafana, "GET", "v1", "d")  # v1 arrives with Grafana 13
    assert not_served.status_code == 404


def test_a_stale_resource_version_is_a_conflict(grafana: GrafanaEmulator) -> None:
    assert call(grafana, "POST", "v1beta1", body=new_dashboard("d", "D")).ok
    read = call(grafana, "GET", "v1beta1", "d").json()
    read["spec"]["title"] = "D2"
    assert call(grafana, "PUT", "v1beta1", "d", read).status_code == 200
    read["spec"]["title"] = "D3"  # still carries the first resourceVersion
    stale = call(grafana, "PUT", "v1beta1", "d", read)
    assert (stale.status_code, stale.json()["reason"]) == (409, "Conflict")
    assert "the object has been modified" in stale.json()["message"]
    assert grafana.dashboards["d"].model["title"] == "D2" and grafana.dashboards["d"].version == 2


def test_the_api_version_written_through_is_the_schema_stored(grafana: GrafanaEmulator) -> None:
    assert call(grafana, "POST", "v1beta1", body=new_dashboard("d", "D")).ok
    as_v2 = call(grafana, "GET", "v2alpha1", "d").json()
    assert "elements" in as_v2["spec"] and as_v2["status"]["conversion"]["storedVersion"] == "v1beta1"
    assert call(grafana, "PUT", "v2alpha1", "d", as_v2).ok
    assert grafana.dashboards["d"].stored == "v2alpha1"
    as_v1 = call(grafana, "GET", "v1beta1", "d").json()
    assert as_v1["spec"] == {}  # 12.x does not down-convert
    assert as_v1["status"]["conversion"]["failed"] is True
    assert as_v1["status"]["conversion"]["storedVersion"] == "v2alpha1"
    v1 = call(grafana, "GET", "v1beta1", "d").json() | {"spec": {"title": "Classic again", "panels": []}}
    assert call(grafana, "PUT", "v1beta1", "d", v1).ok
    assert grafana.dashboards["d"].stored == "v1"


def test_discovery_names_served_and_preferred_versions(grafana: GrafanaEmulator) -> None:
    group = requests.get(grafana.url + "/apis/dashboard.grafana.app", headers=HEADERS, timeout=5).json()
    assert group["preferredVersion"]["version"] == "v1beta1"
    assert [v["version"] for v in group["versions"]] == ["v1beta1", "v0alpha1", "v2alpha1", "v2beta1"]
    groups = requests.get(grafana.url + "/apis", headers=HEADERS, timeout=5).json()["groups"]
    assert "dashboard.grafana.app" in [g["name"] for g in groups]
    health = requests.get(grafana.url + "/api/health", timeout=5)  # no credentials needed
    assert health.json()["version"] == "12.1.1"
