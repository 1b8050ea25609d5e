"""The ``pull`` use case: for each drifted dashboard, edit its definition to match the live one.

Reads the plan (read only), edits each definition file in place (never one with uncommitted changes
unless forced), then builds again and compares with the live dashboard as the plan does: what still
differs is reported with the live JSON, for the author to paste.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.config import load_config
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.importing.app_platform import schema_v2_refusal
from pydis_dash.importing.jsondiff import changes
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import Action, Change, build_plan
from pydis_dash.providers.grafana import ownership
from pydis_dash.providers.grafana.normalize import normalize_dashboard
from pydis_dash.providers.registry import build_provider
from pydis_dash.pulling.changes import plan_pull
from pydis_dash.pulling.edits import apply_edits


@dataclass
class Pulled:
    """One drifted resource: the files edited, and what could not be brought into the code."""

    ref: str
    files: list[Path] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)
    refused: str | None = None


def pull(project_root: Path, env_name: str | None, selectors: Sequence[str], force: bool) -> list[Pulled]:
    """Pull every drifted dashboard ``selectors`` name (all when empty) from environment ``env_name``."""
    env = load_config(project_root).environment(env_name)
    resources = [r for r in load_resources(project_root, selectors) if r.kind.target == "grafana"]
    provider = build_provider("grafana", env, project_root, 4)
    provider.check_access()
    provider.enable_dry_run()
    plan = build_plan(env.name, [provider], resources)
    drifted = [
        c
        for c in plan.changes
        if c.action == Action.UPDATE and c.drift is not None and c.live is not None and c.live.managed
    ]
    results = []
    for change in drifted:
        if change.ref.kind != Kind.GRAFANA_DASHBOARD:
            results.append(Pulled(str(change.ref), unmapped=[("whole resource", change.before)]))
            continue
        stored = (change.before or {}).get("storedAs")
        if stored:  # saved with Grafana's new layouts: the code holds a classic dashboard
            results.append(Pulled(str(change.ref), refused=schema_v2_refusal(change.ref.uid, str(stored))))
            continue
        results.append(_pull_dashboard(project_root, change, force))
    return results


def _pull_dashboard(project_root: Path, change: Change, force: bool) -> Pulled:
    resource = change.desired()
    result = Pulled(str(change.ref))
    path = project_root / resource.source.path
    live = dict((change.before or {}).get("dashboard") or {})
    desired = normalize_dashboard(ownership.with_dashboard_marker(resource.body))
    text = path.read_text(encoding="utf-8")
    plan = plan_pull(resource, desired, live, text, path.parent)
    touched = [path, *plan.sql_files]
    dirty = [p for p in touched if _uncommitted(project_root, p)]
    if dirty and not force:
        names = ", ".join(str(p.relative_to(project_root)) for p in dirty)
        result.refused = f"{names} has uncommitted changes: commit or stash them, or pass --force"
        return result
    edited, missing = apply_edits(text, list(plan.edits.values()))
    if edited != text:
        path.write_text(edited, encoding="utf-8")
        result.files.append(path.relative_to(project_root))
    for sql_path, sql in plan.sql_files.items():
        sql_path.write_text(sql, encoding="utf-8")
        result.files.append(sql_path.relative_to(project_root))
    result.unmapped = list(plan.unmapped) + [(f"line {line}: no call found", None) for line in missing]
    rebuilt = _rebuilt(project_root, resource)
    if rebuilt is not None and not result.unmapped:
        left = changes(normalize_dashboard(ownership.with_dashboard_marker(rebuilt.body)), live)
        result.unmapped.extend((line, None) for line in left)
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
