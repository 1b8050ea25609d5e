"""``preview --env NAME``: the deploy plan of one environment, read-only, as the diff pages' source."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydis_dash.app import prepare_plan
from pydis_dash.apply import DEFAULT_CONCURRENCY
from pydis_dash.config import load_config
from pydis_dash.model import Resource
from pydis_dash.plan import Plan, PlanOptions
from pydis_dash.preview.snapshot import PlanSource


def environment_plan_source(project_dir: Path, env_name: str | None) -> PlanSource:
    """A :data:`PlanSource` that plans against ``env_name`` on every rebuild, as ``diff`` does
    (:func:`pydis_dash.app.prepare_plan`, read-only: preview never writes to a live instance).

    The environment is resolved now, so an unknown name fails at startup (exit 3); reaching the servers
    happens per rebuild and a failure there shows on the pages. Kinds no provider handles yet, and
    targets the environment has no URL for, are left out of the plan (their pages show no diff).
    """
    environment = load_config(project_dir).environment(env_name)

    def plan(resources: Sequence[Resource]) -> Plan:
        prepared = prepare_plan(project_dir, environment, resources, PlanOptions(), DEFAULT_CONCURRENCY, read_only=True)
        return prepared.plan

    return plan
