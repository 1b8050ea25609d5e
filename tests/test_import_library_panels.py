"""Library panels live: the emulator's ``/api/library-elements`` (shaped to Grafana's published API), and
``import --uid`` of a dashboard using them: each is resolved live, kept linked, and diff afterwards shows
no content change (deploying the dashboard leaves it connected to its library panel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from import_support import load_json
from live_import_support import ADMIN, TOKEN, as_admin, changes, live_project, made_in_ui, run

LATENCY = load_json("grafana/library-panels.json")["__elements"]["lib-latency"]


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-pydis-dash", ADMIN: "admin"}) as emulator:
        yield emulator


def _library_dashboard() -> dict[str, Any]:
    """library-panels.json as Grafana stores it: no export sections; one panel's element exists live
    ('lib-latency'), the other's was deleted ('lib-errors')."""
    document = load_json("grafana/library-panels.json")
    return {k: v for k, v in document.items() if not k.startswith("__")}


def test_library_elements_api_lists_gets_connects_and_refuses_deleting_a_connected_one(
    grafana: GrafanaEmulator,
) -> None:
    made = as_admin(grafana, "POST", "/api/library-elements", {k: LATENCY[k] for k in ("uid", "name", "model", "kind")})
    assert made["result"]["uid"] == "lib-latency" and made["result"]["type"] == "timeseries"
    assert made["result"]["meta"]["connectedDashboards"] == 0
    made_in_ui(grafana, _library_dashboard())
    one = as_admin(grafana, "GET", "/api/library-elements/lib-latency")["result"]
    assert (one["name"], one["version"], one["meta"]["connectedDashboards"]) == ("Site latency", 1, 1)
    listed = as_admin(grafana, "GET", "/api/library-elements?searchString=latency")["result"]
    assert (listed["totalCount"], [e["uid"] for e in listed["elements"]]) == (1, ["lib-latency"])
    [connection] = as_admin(grafana, "GET", "/api/library-elements/lib-latency/connections")["result"]
    assert connection["connectionUid"] == "site-library"
    headers = {"Authorization": f"Bearer {ADMIN}"}
    gone = requests.get(f"{grafana.url}/api/library-elements/lib-errors", headers=headers, timeout=5)
    assert gone.status_code == 404
    stale = requests.patch(
        f"{grafana.url}/api/library-elements/lib-latency", json={"name": "x", "version": 7}, headers=headers, timeout=5
    )
    assert stale.status_code == 412
    refused = requests.delete(f"{grafana.url}/api/library-elements/lib-latency", headers=headers, timeout=5)
    assert (refused.status_code, refused.json()["message"]) == (403, "the library element has connections")


def test_import_resolves_library_panels_live_keeps_them_linked_and_diff_is_empty(
    tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = live_project(tmp_path, monkeypatch, grafana=grafana)
    as_admin(grafana, "POST", "/api/library-elements", {k: LATENCY[k] for k in ("uid", "name", "model", "kind")})
    made_in_ui(grafana, _library_dashboard())

    result = run(project, "import", "--env", "test", "--uid", "site-library")
    assert result.exit_code == 0, result.output
    assert any(r.path == "/api/library-elements/lib-latency" for r in grafana.requests)  # resolved live
    assert "library panel 'lib-latency' ('Site latency', timeseries) kept linked" in result.stderr
    assert "library panel 'lib-errors' kept as a reference (not resolved)" in result.stderr
    source = (project / "dashboards/site_with_library_panels.py").read_text()
    assert '"libraryPanel": {"name": "Site latency", "uid": "lib-latency"}' in source
    assert "histogram_quantile" not in source  # the model stays in the library, not copied into code

    [change] = changes(project, "grafana-dashboard/site-library")
    assert (change["action"], change["drift"], change["diff"]) == ("adopt", None, []), "\n".join(change["diff"])
    deployed = run(project, "deploy", "--env", "test", "grafana-dashboard/site-library")
    assert deployed.exit_code == 0, deployed.output
    [connection] = as_admin(grafana, "GET", "/api/library-elements/lib-latency/connections")["result"]
    assert connection["connectionUid"] == "site-library"  # still linked after pydis-dash saved it
    assert run(project, "diff", "--env", "test", "--exit-code", "grafana-dashboard/site-library").exit_code == 0
