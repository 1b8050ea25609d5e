"""Both clients share one retry policy: a 429 is resent for every method (the server did not process it),
honouring ``Retry-After``. Tested per method against each emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulators.grafana import GrafanaEmulator
from emulators.http import RateLimited
from emulators.metabase import MetabaseEmulator
from metabase_support import API_KEY

from pydis_dash.providers.grafana.client import GrafanaClient
from pydis_dash.providers.metabase.client import MetabaseClient


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseClient:
    metabase_server.reset()
    return MetabaseClient(metabase_server.url, api_key=API_KEY, environment="test", retries=2, backoff_factor=0)


def _metricity_id(emulator: MetabaseEmulator) -> int:
    return next(db.id for db in emulator.state.databases.values() if db.name == "Metricity")


def _card(emulator: MetabaseEmulator) -> dict[str, object]:
    return {
        "name": "Rate limited",
        "display": "table",
        "visualization_settings": {},
        "collection_id": None,
        "dataset_query": {"type": "native", "database": _metricity_id(emulator), "native": {"query": "SELECT 1"}},
    }


def test_metabase_create_card_is_resent_after_429(metabase: MetabaseClient, metabase_server: MetabaseEmulator) -> None:
    metabase_server.inject("POST", r"/api/card", RateLimited(retry_after=1))
    created = metabase.create_card(_card(metabase_server))
    assert created["name"] == "Rate limited"
    assert metabase_server.count("POST", r"/api/card") == 2
    assert len(metabase_server.state.cards) == 1  # the refused attempt created nothing


def test_metabase_update_card_is_resent_after_429(metabase: MetabaseClient, metabase_server: MetabaseEmulator) -> None:
    card_id = int(metabase.create_card(_card(metabase_server))["id"])
    metabase_server.inject("PUT", rf"/api/card/{card_id}", RateLimited(retry_after=0))
    assert metabase.update_card(card_id, {"name": "Renamed"})["name"] == "Renamed"
    assert metabase_server.count("PUT", rf"/api/card/{card_id}") == 2


def test_metabase_create_collection_is_resent_after_429(
    metabase: MetabaseClient, metabase_server: MetabaseEmulator
) -> None:
    metabase_server.inject("POST", r"/api/collection", RateLimited(retry_after=0))
    metabase.create_collection("Rate limited", None, None)
    assert metabase_server.count("POST", r"/api/collection") == 2
    assert [c["name"] for c in metabase_server.state.collections.values()].count("Rate limited") == 1


def test_metabase_read_is_resent_after_429(metabase: MetabaseClient, metabase_server: MetabaseEmulator) -> None:
    metabase_server.inject("GET", r"/api/card", RateLimited(retry_after=0))
    assert metabase.cards() == []
    assert metabase_server.count("GET", r"/api/card") == 2


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator() as running:
        yield running


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/folders", {"uid": "rl", "title": "Rate limited"}),
        ("GET", "/api/search", None),
    ],
)
def test_grafana_requests_are_resent_after_429(grafana: GrafanaEmulator, method: str, path: str, body: object) -> None:
    client = GrafanaClient(grafana.url, "test-token", environment="test", retries=2, backoff_factor=0)
    grafana.inject(method, path, RateLimited(retry_after=0))
    client.request(method, path, json=body)
    assert grafana.count(method, path) == 2
