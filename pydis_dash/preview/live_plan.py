"""``preview --env NAME``: the deploy plan of one environment, read-only, as the diff pages' source."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydis_dash.apply import DEFAULT_CONCURRENCY
from pydis_dash.config import load_config
from pydis_dash.model import Resource
from pydis_dash.plan import Plan, build_plan
from pydis_dash.preview.snapshot import PlanSource
from pydis_dash.providers.base import handler_for
from pydis_dash.providers.registry import build_provider, registered_targets


def environment_plan_source(project_dir: Path, env_name: str | None) -> PlanSource:
    """A :data:`PlanSource` that plans against ``env_name`` on every rebuild.

    The environment is resolved now, so an unknown name fails at startup (exit 3); reaching the servers
    happens per rebuild and a failure there shows on the pages. Every provider gets the dry-run guard:
    preview never writes to a live instance. Kinds no provider handles yet are left out of the plan
    (their pages show no diff) rather than failing the whole comparison, as are targets the environment
    has no URL for.
    """
    environment = load_config(project_dir).environment(env_name)

    def plan(resources: Sequence[Resource]) -> Plan:
        known = registered_targets()
        selected = [r for r in resources if r.kind.target in known]
        # A target the environment has no URL for (Metabase in a Grafana-only staging) is left out.
        targets = sorted({r.kind.target for r in selected if getattr(environment, f"{r.kind.target}_url", None)})
        providers = [build_provider(t, environment, project_dir, DEFAULT_CONCURRENCY) for t in targets]
        for provider in providers:
            provider.enable_dry_run()
            provider.check_access()
        planned = [r for r in selected if handler_for(providers, r.kind) is not None]
        return build_plan(environment.name, providers, planned)

    return plan
