"""Helpers shared by the Metabase tests: render questions, build a provider on the emulator, deploy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from emulators.metabase import MetabaseEmulator

from pydis_dash.apply import ApplyContext, ApplyReport, apply_plan
from pydis_dash.definition import RenderContext
from pydis_dash.metabase import Question
from pydis_dash.model import Resource
from pydis_dash.plan import Plan, PlanOptions, build_plan
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.provider import MetabaseProvider

API_KEY = "mb-test-key"


def render(questions: Iterable[Question], project_root: Path) -> list[Resource]:
    """Render questions as the pipeline does: collections shared by several questions appear once."""
    by_ref: dict[object, Resource] = {}
    for question in questions:
        for resource in question.render(RenderContext(project_root, question.defined_at)):
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
    emulator: MetabaseEmulator, resources: list[Resource], *, prune: bool = False, dry_run: bool = False
) -> tuple[Plan, ApplyReport]:
    """Plan then apply, as ``pydis-dash deploy`` does."""
    target = provider(emulator)
    planned = build_plan("test", [target], resources, PlanOptions(prune=prune))
    report = apply_plan(planned, [target], ApplyContext(message="pydis-dash test", dry_run=dry_run))
    return planned, report
