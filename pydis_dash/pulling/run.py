"""The ``pull`` use case: for each drifted resource, edit its definition to match the live one.

Plans read only (the same plan ``diff`` shows), hands each drifted resource to the planner of its kind
(:mod:`.dashboards`, :mod:`.cards`, :mod:`.rule_groups`, :mod:`.contact_points`), edits the definition
file in place and the ``.sql`` files it names (never one with uncommitted changes unless forced), then
builds the definition again and compares it with the live resource as the plan does: what still differs
is reported, with the live JSON for the author to paste.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.app import plan_project
from pydis_dash.errors import EnvironmentProblem, PydisDashError
from pydis_dash.importing.app_platform import schema_v2_refusal
from pydis_dash.importing.jsondiff import changes
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import Action, Change, PlanOptions
from pydis_dash.providers.base import Handler, handler_for
from pydis_dash.pulling.cards import pull_card
from pydis_dash.pulling.contact_points import pull_contact_point
from pydis_dash.pulling.dashboards import pull_dashboard
from pydis_dash.pulling.edits import SourceCalls
from pydis_dash.pulling.mapping import FilePull
from pydis_dash.pulling.rule_groups import pull_rule_group

#: How each kind's differences are mapped onto its definition (kinds without one are listed whole).
Planner = Callable[[Change, SourceCalls, FilePull], None]
PLANNERS: Mapping[Kind, Planner] = {
    Kind.GRAFANA_DASHBOARD: pull_dashboard,
    Kind.METABASE_QUESTION: pull_card,
    Kind.GRAFANA_RULE_GROUP: pull_rule_group,
    Kind.GRAFANA_CONTACT_POINT: pull_contact_point,
}
_CONCURRENCY = 4


@dataclass
class Pulled:
    """One drifted resource: the files edited, and what could not be brought into the code."""

    ref: str
    files: list[Path] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)
    refused: str | None = None


def pull(project_root: Path, env_name: str | None, selectors: Sequence[str], force: bool) -> list[Pulled]:
    """Pull every drifted resource ``selectors`` name (all when empty) from environment ``env_name``."""
    prepared = plan_project(project_root, env_name, selectors, PlanOptions(), _CONCURRENCY, read_only=True)
    drifted = [
        c
        for c in prepared.plan.changes
        if c.action == Action.UPDATE and c.drift is not None and c.live is not None and c.live.managed
    ]
    results = []
    for change in drifted:
        planner = PLANNERS.get(change.ref.kind)
        handler = handler_for(prepared.providers, change.ref.kind)
        stored = (change.before or {}).get("storedAs") if change.ref.kind == Kind.GRAFANA_DASHBOARD else None
        if stored:  # saved with Grafana's new layouts: the code holds a classic dashboard
            results.append(Pulled(str(change.ref), refused=schema_v2_refusal(change.ref.uid, str(stored))))
        elif planner is None or handler is None:
            results.append(Pulled(str(change.ref), unmapped=[("whole resource", change.before)]))
        else:
            results.append(_pull_one(project_root, change, planner, handler, force))
    return results


def _pull_one(project_root: Path, change: Change, planner: Planner, handler: Handler, force: bool) -> Pulled:
    resource = change.desired()
    result = Pulled(str(change.ref))
    path = project_root / resource.source.path
    text = path.read_text(encoding="utf-8")
    calls = SourceCalls(text)
    planned = FilePull(path.parent)
    planner(change, calls, planned)
    dirty = [p for p in [path, *planned.sql_files] if _uncommitted(project_root, p)]
    if dirty and not force:
        names = ", ".join(str(p.relative_to(project_root)) for p in dirty)
        result.refused = f"{names} has uncommitted changes: commit or stash them, or pass --force"
        return result
    edited, missing = calls.apply(list(planned.edits.values()))
    if edited != text:
        path.write_text(edited, encoding="utf-8")
        result.files.append(path.relative_to(project_root))
    for sql_path, sql in planned.sql_files.items():
        sql_path.write_text(sql, encoding="utf-8")
        result.files.append(sql_path.relative_to(project_root))
    result.unmapped = list(planned.unmapped) + [(f"line {line}: no call found", None) for line, _ in missing]
    try:
        rebuilt = _rebuilt(project_root, resource)
    except PydisDashError as error:
        result.unmapped.append((f"the edited definition does not build: {error}", None))
        return result
    if rebuilt is not None and not result.unmapped:
        desired = handler.desired_state(rebuilt)
        if desired != change.before:
            result.unmapped.extend((line, None) for line in changes(desired, change.before))
    return result


def _rebuilt(project_root: Path, resource: Resource) -> Resource | None:
    for candidate in load_resources(project_root, [str(resource.source.path)]):
        if candidate.ref == resource.ref:
            return candidate
    return None


def _uncommitted(project_root: Path, path: Path) -> bool:
    """True when ``path`` differs from git's index/HEAD or is untracked (outside git: never)."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--", str(path)],
            cwd=project_root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise EnvironmentProblem(f"cannot run git to check {path.name} for uncommitted changes: {exc}") from None
    return done.returncode == 0 and bool(done.stdout.strip())
