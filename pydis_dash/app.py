"""The application layer: the use cases the front ends (CLI, preview) call, so that neither assembles the
pipeline itself and both plan an environment the same way.

:func:`prepare_plan` connects to an environment's servers and builds the plan of what a deploy would
change; ``diff``, ``deploy`` and ``preview --env`` all go through it. :func:`build` writes the build folder.

Planning's modules (configuration, providers, ``requests``: 0.1 s) are imported by the functions that plan, so
that ``build``, which needs none of them, does not pay for them on every rebuild.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydis_dash.build_output import write_build, write_incremental_build
from pydis_dash.gc_pause import collector_paused
from pydis_dash.model import Resource
from pydis_dash.pipeline import load_resources, render_project
from pydis_dash.redact import remember_named_secrets

if TYPE_CHECKING:
    from pydis_dash.config import Environment
    from pydis_dash.plan import Plan, PlanOptions
    from pydis_dash.providers.base import Provider


@dataclass(frozen=True)
class PreparedPlan:
    """A plan, the providers it was built with (apply needs the same ones), and notes for the operator
    on what was left out and why (``skipping 3 metabase resource(s): ...``)."""

    plan: Plan
    providers: list[Provider]
    notes: list[str] = field(default_factory=list)


def prepare_plan(
    root: Path,
    environment: Environment,
    resources: Sequence[Resource],
    options: PlanOptions,
    concurrency: int,
    *,
    read_only: bool,
    locks: ExitStack | None = None,
) -> PreparedPlan:
    """Connect to ``environment``'s servers and plan ``resources`` against them.

    Targets without a provider, or without a URL in the environment, and kinds no provider deploys yet
    are left out, each with a note. With ``read_only`` (``diff``, ``deploy --dry-run``, ``preview``) the
    providers' dry-run guards are installed before the first request, so that nothing can write; else
    ``locks`` (a deploy that writes) takes each target's deploy lock before planning and holds it until
    the stack closes. ``options.prune`` plans every deployable target, since deletions may live there.
    Every secret the resources name is masked in all output before anything is sent, and an answer of
    an unexpected shape while connecting is one environment error naming the target.
    """
    from pydis_dash.plan import build_plan
    from pydis_dash.providers.base import LockingProvider, reading_answers
    from pydis_dash.providers.registry import build_provider, registered_targets

    remember_named_secrets((name for r in resources for name in r.secret_env.values()), os.environ)
    notes: list[str] = []
    known = registered_targets()
    targets = {r.kind.target for r in resources}
    if options.prune:
        targets |= known
    usable = set()
    for target in sorted(targets):
        count = sum(1 for r in resources if r.kind.target == target)
        if target not in known:
            reason = f"no {target} provider is available"
        elif not getattr(environment, f"{target}_url", None):
            reason = f"environment {environment.name!r} has no {target}_url"
        else:
            usable.add(target)
            continue
        if count:
            notes.append(f"skipping {count} {target} resource(s): {reason}")
    providers = [build_provider(t, environment, root, concurrency) for t in sorted(usable)]
    for provider in providers:
        with reading_answers(f"{environment.name}: connecting to {provider.target}"):
            if read_only:
                provider.enable_dry_run()  # before the first request: nothing below may write
            provider.check_access()
            if not read_only and locks is not None and isinstance(provider, LockingProvider):
                locks.enter_context(provider.deploy_lock())
    handled = {handler.kind for provider in providers for handler in provider.handlers}
    for kind in sorted({r.kind for r in resources if r.kind.target in usable} - handled):
        count = sum(1 for r in resources if r.kind == kind)
        notes.append(f"skipping {count} {kind.value} resource(s): not deployable yet")
    selected = [r for r in resources if r.kind in handled]
    return PreparedPlan(build_plan(environment.name, providers, selected, options), providers, notes)


def plan_project(
    root: Path,
    env_name: str | None,
    selectors: Sequence[str],
    options: PlanOptions,
    concurrency: int,
    *,
    read_only: bool,
    locks: ExitStack | None = None,
) -> PreparedPlan:
    """Load the project's definitions (``selectors`` narrow them) and :func:`prepare_plan` them against
    the environment ``env_name`` of its configuration.

    Raises :class:`ValueError` for ``prune`` with selectors: deleting what is gone from code needs the
    whole project in view (front ends reject that combination first, in their own terms).
    """
    from pydis_dash.config import load_config

    if options.prune and selectors:
        raise ValueError("prune needs the whole project: it cannot be combined with selectors")
    environment = load_config(root).environment(env_name)
    resources = load_resources(root, selectors)
    return prepare_plan(root, environment, resources, options, concurrency, read_only=read_only, locks=locks)


def build(root: Path, target: Path, selectors: Sequence[str] = ()) -> int:
    """Write one JSON file per selected resource, plus ``index.json``, into ``target`` (replaced whole:
    a failed build leaves the previous one intact). Returns the number of resources written.

    A whole-project build goes file by file through the render cache, so that the resources of files
    that did not change are linked from the previous build, neither unpickled nor encoded again.
    """
    with collector_paused():
        rendered = None if selectors else render_project(root)
        if rendered is not None:
            return write_incremental_build(*rendered, target)
        resources = load_resources(root, selectors)
        write_build(resources, target)
        return len(resources)
