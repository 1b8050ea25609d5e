"""Discovering a Grafana's version and dashboard API (``providers/grafana/capabilities.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulators.grafana import GrafanaEmulator
from emulators.http import Status

from pydis_dash.providers.grafana.capabilities import CapabilitiesCache, GrafanaCapabilities, discover
from pydis_dash.providers.grafana.client import GrafanaApiError, GrafanaClient

TOKEN = "glsa_capabilities"


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-deploy"}, release="13.0") as emulator:
        yield emulator  # type: ignore[misc]


def client(grafana: GrafanaEmulator) -> GrafanaClient:
    return GrafanaClient(grafana.url, TOKEN, environment="test", retries=0)


def test_the_most_stable_versions_are_picked() -> None:
    served = ("v0alpha1", "v1beta1", "v1", "v2alpha1", "v2beta1", "v2")
    capabilities = GrafanaCapabilities("13.0.1", served)
    assert (capabilities.v1_api, capabilities.v2_api) == ("v1", "v2")
    assert GrafanaCapabilities("12.1.1", ("v1beta1", "v0alpha1", "v2alpha1")).v2_api == "v2alpha1"
    assert capabilities.dashboards_path("v1") == "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"


def test_a_health_endpoint_that_fails_only_leaves_the_version_unknown(grafana: GrafanaEmulator) -> None:
    grafana.inject("GET", "/api/health", Status(404, {"message": "Not found"}))
    capabilities = discover(client(grafana))
    assert capabilities.version is None and capabilities.v1_api == "v1"
    assert capabilities.describe().startswith("Grafana (version not reported): dashboards through")


def test_a_proxy_refusing_apis_means_the_legacy_api(grafana: GrafanaEmulator, caplog: pytest.LogCaptureFixture) -> None:
    grafana.inject("GET", r"/apis/.*", Status(403, {"message": "Forbidden"}))
    capabilities = discover(client(grafana))
    assert capabilities.v1_api is None and capabilities.version == "13.0.1"
    assert "GET /apis/dashboard.grafana.app was refused; using the legacy dashboard API" in caplog.text


def test_any_other_discovery_failure_is_an_error_not_a_guess(grafana: GrafanaEmulator) -> None:
    grafana.inject("GET", r"/apis/.*", Status(500, {"message": "boom"}))
    with pytest.raises(GrafanaApiError, match="500: boom"):
        discover(client(grafana))


def test_discovery_happens_once_per_run(grafana: GrafanaEmulator) -> None:
    cache = CapabilitiesCache(client(grafana))
    assert cache.known() is None
    first = cache.get()
    assert cache.get() is first and cache.known() is first
    assert [r.path for r in grafana.requests] == ["/api/health", "/apis/dashboard.grafana.app"]
