"""The Grafana emulator answers as Grafana documents: response bodies validated against the OpenAPI
response schemas (tests/data/grafana, with the named errata), plus the behaviours the deploy relies on."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from emulators.http import Latency, RateLimited, ResetMidResponse, SlowBody, Status
from jsonschema import Draft4Validator

SPEC = json.loads((Path(__file__).parent / "data" / "grafana" / "api-merged-9.5-subset.json").read_text())
TOKEN = "glsa_emulator_test_token"


def spec_schema(path: str, method: str, status: int, version: int) -> dict[str, Any]:
    """The response schema the spec documents, corrected where the handler code differs (SOURCES.md)."""
    documented = SPEC["paths"][path][method]["responses"]
    # The spec omits some error statuses handlers do return (409 on a data source update...); every
    # Grafana error body is an ErrorResponseBody.
    response = documented.get(str(status)) or {"schema": {"$ref": "#/definitions/ErrorResponseBody"}}
    if "$ref" in response:
        response = SPEC["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = copy.deepcopy(response.get("schema", {}))
    if (path, method, status) == ("/dashboards/db", "post", 200):
        # Erratum: the handler sends an integer id and the key "slug" (the spec says string id, "title").
        schema["properties"]["id"] = {"type": "integer"}
        schema["properties"]["slug"] = schema["properties"].pop("title")
        schema["required"] = ["status", "slug", "version", "id", "uid", "url"]
    if (path, method, status) == ("/dashboards/uid/{uid}/versions", "get", 200):
        # Erratum: items are DashboardVersionMeta (login as createdBy); Grafana 11+ wraps the list.
        items = {"$ref": "#/definitions/DashboardVersionMeta"}
        schema = {"type": "array", "items": items}
        if version >= 11:
            schema = {
                "type": "object",
                "required": ["versions"],
                "properties": {"versions": schema, "continueToken": {"type": "string"}},
            }
    if (path, method, status) == ("/dashboards/uid/{uid}", "delete", 200) and version >= 11:
        # Erratum: newer Grafana answers the uid instead of the id.
        schema["required"] = ["uid", "title", "message"]
        schema["properties"]["uid"] = {"type": "string"}
    if (path, method, status) == ("/folders/{folder_uid}", "delete", 200) and version < 11:
        schema = {"type": "string", "enum": [""]}  # Erratum: Grafana 9.5 answers the JSON string "".
    return {**schema, "definitions": SPEC["definitions"]}


class Checked:
    """A raw HTTP client that validates every answer against the spec before returning it."""

    def __init__(self, emulator: GrafanaEmulator, token: str | None = TOKEN) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, spec_path: str, path: str, status: int, body: Any = None, **params: Any) -> Any:
        response = self.session.request(method, self.emulator.url + "/api" + path, json=body, params=params)
        assert response.status_code == status, response.text
        answer = response.json()
        errors = list(
            Draft4Validator(spec_schema(spec_path, method.lower(), status, self.emulator.version)).iter_errors(answer)
        )
        assert not errors, f"{method} {path} -> {status}: {[e.message for e in errors]}\n{answer}"
        return answer


@pytest.fixture(params=[9, 11, 12], ids=lambda v: f"grafana{v}")
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator(
        {TOKEN: "sa-deploy", "viewer-token": "viewer"}, version=request.param, read_only={"viewer"}
    ) as emulator:
        yield emulator  # type: ignore[misc]


def dashboard_body(uid: str, title: str, version: int | None = None, **extra: Any) -> dict[str, Any]:
    model: dict[str, Any] = {"uid": uid, "title": title, "schemaVersion": 39, "panels": [], "tags": ["a"]}
    if version is not None:
        model["version"] = version
    return {"dashboard": model, **extra}


def test_every_used_endpoint_answers_per_the_spec(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    folder = api.call("POST", "/folders", "/folders", 200, {"uid": "f1", "title": "Folder"})
    assert folder["version"] == 1 and folder["uid"] == "f1"
    api.call("POST", "/folders", "/folders", 200, {"uid": "f2", "title": "Child", "parentUid": "f1"})
    api.call("GET", "/folders/{folder_uid}", "/folders/f2", 200)
    api.call("GET", "/folders", "/folders", 200)
    api.call("PUT", "/folders/{folder_uid}", "/folders/f1", 200, {"title": "Renamed", "version": 1})
    saved = api.call(
        "POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d1", "Dash", folderUid="f1", message="m1")
    )
    assert saved["version"] == 1
    api.call(
        "POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d1", "Dash 2", 1, folderUid="f1", message="m2")
    )
    full = api.call("GET", "/dashboards/uid/{uid}", "/dashboards/uid/d1", 200)
    assert full["meta"]["folderUid"] == "f1" and full["dashboard"]["version"] == 2
    api.call("GET", "/dashboards/uid/{uid}/versions", "/dashboards/uid/d1/versions", 200)
    hits = api.call("GET", "/search", "/search", 200)
    assert {h["type"] for h in hits} == {"dash-db", "dash-folder"}
    ds_body = {"uid": "ds1", "name": "DS", "type": "prometheus", "access": "proxy", "url": "http://p:9090"}
    added = api.call("POST", "/datasources", "/datasources", 200, ds_body | {"secureJsonData": {"password": "pw"}})
    api.call("GET", "/datasources", "/datasources", 200)
    api.call("GET", "/datasources/uid/{uid}", "/datasources/uid/ds1", 200)
    api.call(
        "PUT",
        "/datasources/uid/{uid}",
        "/datasources/uid/ds1",
        200,
        ds_body | {"version": added["datasource"]["version"]},
    )
    api.call("DELETE", "/datasources/uid/{uid}", "/datasources/uid/ds1", 200)
    api.call("DELETE", "/dashboards/uid/{uid}", "/dashboards/uid/d1", 200)
    api.call("DELETE", "/folders/{folder_uid}", "/folders/f1", 200)
    assert grafana.folders == {}  # the child went with its parent


def test_error_answers_per_the_spec(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    api.call("POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d1", "Dash"))
    stale = api.call("POST", "/dashboards/db", "/dashboards/db", 412, dashboard_body("d1", "Dash", 0))
    assert stale == {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"}
    missing = api.call("POST", "/dashboards/db", "/dashboards/db", 400, dashboard_body("d2", "X", folderUid="nope"))
    assert missing["message"] == ("Folder not found" if grafana.version < 11 else "folder not found")
    api.call("GET", "/dashboards/uid/{uid}", "/dashboards/uid/nope", 404)
    api.call("GET", "/folders/{folder_uid}", "/folders/nope", 404)
    api.call("POST", "/folders", "/folders", 200, {"uid": "f", "title": "F"})
    assert api.call("POST", "/folders", "/folders", 409, {"uid": "f", "title": "Other"})["message"].startswith(
        "a folder/dashboard"
    )
    api.call("PUT", "/folders/{folder_uid}", "/folders/f", 412, {"title": "G", "version": 7})
    api.call("GET", "/datasources/uid/{uid}", "/datasources/uid/nope", 404)
    ds = {"uid": "ds", "name": "DS", "type": "prometheus", "access": "proxy"}
    api.call("POST", "/datasources", "/datasources", 200, ds)
    assert "same name" in api.call("POST", "/datasources", "/datasources", 409, ds | {"uid": "other"})["message"]
    assert api.call("GET", "/search", "/search", 422, limit=5001)["message"].startswith("Limit is above maximum")
    unauthenticated = Checked(grafana, token=None).call("GET", "/search", "/search", 401)
    assert unauthenticated == {"message": "Unauthorized"}
    wrong = Checked(grafana, token="wrong").call("GET", "/search", "/search", 401)
    assert wrong["messageId"] == "api-key.invalid"
    viewer = Checked(grafana, token="viewer-token")
    viewer.call("GET", "/search", "/search", 200)
    viewer.call("POST", "/dashboards/db", "/dashboards/db", 403, dashboard_body("d3", "X"))


def test_dashboard_versions_carry_messages_and_authors(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    api.call("POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d", "D", message="pydis-dash abc"))
    api.call("POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d", "D2", 1, message="tweak"))
    answer = api.call("GET", "/dashboards/uid/{uid}/versions", "/dashboards/uid/d/versions", 200, limit=1)
    entries = answer if grafana.version < 11 else answer["versions"]
    while not entries and answer["continueToken"]:  # 12+: a page may be short, the token says more follow
        answer = api.call(
            "GET", "/dashboards/uid/{uid}/versions", "/dashboards/uid/d/versions", 200,
            limit=1, continueToken=answer["continueToken"],
        )  # fmt: skip
        entries = answer["versions"]
    assert [(e["version"], e["message"], e["createdBy"]) for e in entries] == [(2, "tweak", "sa-deploy")]


def test_save_semantics(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    api.call("POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d", "D"))
    forced = api.call("POST", "/dashboards/db", "/dashboards/db", 200, dashboard_body("d", "D", 0, overwrite=True))
    assert forced["version"] == 2
    assert api.call("POST", "/dashboards/db", "/dashboards/db", 400, dashboard_body("bad uid!", "D"))["message"] == (
        "uid contains illegal characters"
    )
    assert (
        "too long"
        in api.call("POST", "/dashboards/db", "/dashboards/db", 400, dashboard_body("x" * 41, "D"))["message"]
    )
    empty = api.call("POST", "/dashboards/db", "/dashboards/db", 400, dashboard_body("e", "  "))
    assert empty["status"] == "empty-name"
    api.call(
        "POST",
        "/dashboards/db",
        "/dashboards/db",
        200,
        dashboard_body("r", "R") | {"dashboard": {"uid": "r", "title": "R", "refresh": "1s"}},
    )
    assert api.call("GET", "/dashboards/uid/{uid}", "/dashboards/uid/r", 200)["dashboard"]["refresh"] == "5s"
    read = api.call("GET", "/dashboards/uid/{uid}", "/dashboards/uid/d", 200)["dashboard"]
    assert read["schemaVersion"] == (41 if grafana.version >= 12 else 39)
    response = requests.post(
        grafana.url + "/api/dashboards/db",
        data="{}",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
    )
    assert (response.status_code, response.json()) == (400, {"message": "bad request data"})


def test_datasource_secrets_are_write_only_and_versions_guard_updates(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    body = {"uid": "m", "name": "M", "type": "postgres", "access": "proxy", "jsonData": {"k": 1}}
    created = api.call("POST", "/datasources", "/datasources", 200, body | {"secureJsonData": {"password": "hunter2"}})
    assert "hunter2" not in json.dumps(created) and created["datasource"]["secureJsonFields"] == {"password": True}
    read = api.call("GET", "/datasources/uid/{uid}", "/datasources/uid/m", 200)
    assert "secureJsonData" not in read and read["secureJsonFields"] == {"password": True} and read["version"] == 1
    updated = api.call("PUT", "/datasources/uid/{uid}", "/datasources/uid/m", 200, body | {"version": 1})
    assert updated["datasource"]["version"] == 2 and grafana.secret_of("m", "password") == "hunter2"  # kept
    stale = api.call("PUT", "/datasources/uid/{uid}", "/datasources/uid/m", 409, body | {"version": 1})
    assert stale["message"].startswith("Datasource has already been updated by someone else")
    reset = api.call(
        "PUT", "/datasources/uid/{uid}", "/datasources/uid/m", 200, {k: v for k, v in body.items() if k != "jsonData"}
    )
    assert reset["datasource"]["version"] == 1 and "jsonData" not in reset["datasource"]  # full replace


def test_search_pages_orders_and_filters(grafana: GrafanaEmulator) -> None:
    api = Checked(grafana)
    api.call("POST", "/folders", "/folders", 200, {"uid": "zf", "title": "z folder"})
    for uid, title, tags in [("b", "beta", ["x", "y"]), ("a", "Alpha", ["x"]), ("c", "gamma", ["y"])]:
        api.call(
            "POST", "/dashboards/db", "/dashboards/db", 200, {"dashboard": {"uid": uid, "title": title, "tags": tags}}
        )
    everything = api.call("GET", "/search", "/search", 200)
    assert [h["uid"] for h in everything] == ["zf", "a", "b", "c"]  # folders first, then title ignoring case
    pages = [api.call("GET", "/search", "/search", 200, limit=2, page=p) for p in (1, 2, 3)]
    assert [[h["uid"] for h in page] for page in pages] == [["zf", "a"], ["b", "c"], []]
    assert [h["uid"] for h in api.call("GET", "/search", "/search", 200, type="dash-db", tag=["x", "y"])] == ["b"]
    assert [h["uid"] for h in api.call("GET", "/search", "/search", 200, type="dash-folder")] == ["zf"]
    assert all("folderUid" not in h for h in everything)  # root level


# --- fault injection ---------------------------------------------------------------------------------


@pytest.fixture
def plain() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-deploy"}) as emulator:
        yield emulator  # type: ignore[misc]


def get(emulator: GrafanaEmulator, path: str = "/api/search") -> requests.Response:
    return requests.get(emulator.url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


def test_status_and_rate_limit_faults_answer_without_running_the_route(plain: GrafanaEmulator) -> None:
    plain.inject("POST", r"/api/folders", Status(503))
    plain.inject("POST", r"/api/folders", RateLimited(retry_after=7))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = requests.post(plain.url + "/api/folders", json={"uid": "f", "title": "F"}, headers=headers, timeout=5)
    second = requests.post(plain.url + "/api/folders", json={"uid": "f", "title": "F"}, headers=headers, timeout=5)
    third = requests.post(plain.url + "/api/folders", json={"uid": "f", "title": "F"}, headers=headers, timeout=5)
    assert (first.status_code, second.status_code, second.headers["Retry-After"], third.status_code) == (
        503,
        429,
        "7",
        200,
    )
    assert [r.fault for r in plain.requests] == ["Status", "RateLimited", None]
    assert list(plain.folders) == ["f"] and plain.count("POST") == 3 and len(plain.writes()) == 3


def test_reset_mid_response_runs_the_route_then_breaks_the_connection(plain: GrafanaEmulator) -> None:
    plain.inject("POST", r"/api/folders", ResetMidResponse())
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(
            plain.url + "/api/folders",
            json={"uid": "f", "title": "F"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
        )
    assert list(plain.folders) == ["f"]  # applied, though the client never learnt it


def test_slow_body_and_latency_still_deliver_the_whole_answer(plain: GrafanaEmulator) -> None:
    plain.inject("GET", r"/api/search", SlowBody(delay=0.01, chunks=3))
    plain.inject("GET", r"/api/search", Latency(0.01))
    assert get(plain).json() == [] and get(plain).json() == []
    assert [r.fault for r in plain.requests] == ["SlowBody", "Latency"]


def test_faults_apply_only_to_matching_requests_and_the_given_number_of_times(plain: GrafanaEmulator) -> None:
    plain.inject("GET", r"/api/datasources.*", Status(500), times=2)
    assert get(plain).status_code == 200
    assert [get(plain, "/api/datasources").status_code for _ in range(3)] == [500, 500, 200]
    plain.inject("*", r"/api/search", Status(502), times=None)
    assert [get(plain).status_code for _ in range(2)] == [502, 502]
    plain.clear_faults()
    assert get(plain).status_code == 200
