"""Helpers shared by the Metabase tests: render questions, build a provider on the emulator, deploy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests
from bundled_sources import DATASOURCES
from emulators.metabase import MetabaseEmulator

from pydis_dash.apply import ApplyContext, ApplyReport, apply_plan
from pydis_dash.datasource import load_yaml_datasources
from pydis_dash.definition import RenderContext
from pydis_dash.metabase import Question
from pydis_dash.model import Resource
from pydis_dash.pipeline import datasource_catalogues
from pydis_dash.plan import Plan, PlanOptions, build_plan
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.lock import LOCK_NAME
from pydis_dash.providers.metabase.provider import MetabaseProvider

API_KEY = "mb-test-key"


def render(questions: Iterable[Question], project_root: Path) -> list[Resource]:
    """Render questions as the pipeline does: collections shared by several questions appear once, and
    the repository's data sources say which Metabase database each one is."""
    sources = [source for path in sorted(DATASOURCES.glob("*.yaml")) for source in load_yaml_datasources(path)]
    catalogue, metabase = datasource_catalogues(sources)
    by_ref: dict[object, Resource] = {}
    for question in questions:
        for resource in question.render(RenderContext(project_root, question.defined_at, catalogue, metabase)):
            by_ref.setdefault(resource.ref, resource)
    return list(by_ref.values())


def provider(
    emulator: MetabaseEmulator,
    *,
    api_key: str | None = API_KEY,
    username: str | None = None,
    password: str | None = None,
) -> MetabaseProvider:
    """A fresh provider (as each CLI run builds one) on the emulator; no backoff sleeps in tests."""
    client = MetabaseClient(
        emulator.url,
        api_key=None if username else api_key,
        username=username,
        password=password,
        environment="test",
        retries=2,
        backoff_factor=0,
    )
    return MetabaseProvider(client, "test")


def plan(emulator: MetabaseEmulator, resources: list[Resource], *, prune: bool = False) -> Plan:
    """Plan ``resources`` against the emulator with a fresh provider."""
    return build_plan("test", [provider(emulator)], resources, PlanOptions(prune=prune))


def deploy(
    emulator: MetabaseEmulator,
    resources: list[Resource],
    *,
    prune: bool = False,
    dry_run: bool = False,
    force: bool = False,
    target: MetabaseProvider | None = None,
) -> tuple[Plan, ApplyReport]:
    """Plan then apply, as ``pydis-dash deploy`` does (with a fresh provider unless ``target`` is given)."""
    target = target or provider(emulator)
    planned = build_plan("test", [target], resources, PlanOptions(prune=prune))
    report = apply_plan(planned, [target], ApplyContext(message="pydis-dash test", dry_run=dry_run, force=force))
    return planned, report


def hand_made_card(
    emulator: MetabaseEmulator, name: str, collection_id: int | None, description: str | None = None
) -> int:
    """A card made "by hand" (a plain POST, as the UI sends it); returns its id."""
    metricity = next(db.id for db in emulator.state.databases.values() if db.name == "Metricity")
    body = {
        "name": name,
        "display": "table",
        "visualization_settings": {},
        "collection_id": collection_id,
        "description": description,
        "dataset_query": {"type": "native", "database": metricity, "native": {"query": "SELECT 2"}},
    }
    response = requests.post(f"{emulator.url}/api/card", json=body, headers={"x-api-key": API_KEY}, timeout=5)
    response.raise_for_status()
    return int(response.json()["id"])


def edit_in_ui(emulator: MetabaseEmulator, card_id: int, changes: dict[str, Any], api_key: str) -> dict[str, Any]:
    """Save a card as another Metabase user would in the UI: a PUT with that user's credentials."""
    response = requests.put(
        f"{emulator.url}/api/card/{card_id}", json=changes, headers={"x-api-key": api_key}, timeout=5
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def lock_collections(emulator: MetabaseEmulator) -> list[dict[str, Any]]:
    """Every deploy-lock collection ever created on the emulator (archived ones included)."""
    return [c for c in emulator.state.collections.values() if c["name"] == LOCK_NAME]


def content_writes(emulator: MetabaseEmulator) -> list[tuple[str, str]]:
    """``card_writes()`` without the deploy lock's own traffic (one create and one archive per deploy):
    the writes that change questions and collections."""
    locks = lock_collections(emulator)
    lock_paths = {f"/api/collection/{c['id']}" for c in locks}
    lock_creates = len(locks)
    kept = []
    for method, path in emulator.card_writes():
        if method == "PUT" and path.rstrip("/") in lock_paths:
            continue
        if method == "POST" and path.rstrip("/") == "/api/collection" and lock_creates:
            lock_creates -= 1
            continue
        kept.append((method, path))
    return kept
