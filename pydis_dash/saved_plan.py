"""Saved plans: ``diff --out PLAN.json`` writes a plan, ``deploy --plan PLAN.json`` applies exactly it.

The file is what ``diff --format json`` shows, plus what apply needs and what makes replaying it safe:

* ``format``, ``tool`` (pydis-dash's version) and ``revision`` (the definitions' git revision, which
  becomes the version message of each save, as if the deploy ran from that commit);
* ``targets``: the URL of each server the plan read, so it cannot be applied to another environment;
* per change, ``desired`` (the rendered resource apply writes) and ``seen`` (the live resource's id,
  version and a digest of everything the plan read of it).

Replaying reads the live resources again (the handlers need their live ids anyway) and applies each
saved change only if its resource is still exactly as the plan saw it; a resource that moved on is
refused, naming it, and nothing else is affected. Changes the plan did not hold are never made. A plan
for another environment, or made by another version of pydis-dash, is refused whole (exit 3): its
comparisons were made by other code and would not mean the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash import __version__
from pydis_dash.config import Environment
from pydis_dash.deferred import plain_mapping
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.plan import Action, Change, Plan, PlanOptions
from pydis_dash.plan_json import format_json, servers_json
from pydis_dash.providers.base import LiveResource
from pydis_dash.redact import mask
from pydis_dash.render.canonical import canonical_json

#: Bumped whenever the file's shape or meaning changes.
PLAN_FORMAT = 1
_TARGET_URLS = {"grafana": "grafana_url", "metabase": "metabase_url"}


class SavedPlanError(EnvironmentProblem):
    """A saved plan cannot be used: unreadable, not a plan, another environment, another version (exit 3)."""


@dataclass(frozen=True)
class SavedChange:
    """One change as the plan file holds it: ``seen`` is :func:`live_fingerprint` of what was read."""

    action: Action
    ref: Ref
    title: str
    resource: Resource | None
    seen: Mapping[str, Any] | None


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from its file."""

    environment: str
    targets: Mapping[str, str]
    tool_version: str
    revision: str
    options: PlanOptions
    changes: tuple[SavedChange, ...]
    #: What ``diff --format json`` said about each server (version, API paths picked).
    servers: tuple[Mapping[str, Any], ...] = ()

    @property
    def resources(self) -> list[Resource]:
        """Every desired resource the plan compared (creates, updates and unchanged ones)."""
        return [c.resource for c in self.changes if c.resource is not None]

    @property
    def kinds(self) -> set[Kind]:
        """The kinds of resource the plan touches or compared."""
        return {c.ref.kind for c in self.changes}


# --------------------------------------------------------------------------------------------------
# Writing


def live_fingerprint(live: LiveResource) -> dict[str, Any]:
    """The live id, version and a digest of everything read about ``live``: any difference between two
    reads means the resource moved on (edited, moved, re-created) in between."""
    read = {
        "title": live.title,
        "state": live.state,
        "managed": live.managed,
        "container": live.container,
        "detail": live.detail,
    }
    text = json.dumps(read, sort_keys=True, ensure_ascii=False, default=_json_fallback)
    return {"liveId": live.live_id, "version": live.version, "digest": hashlib.sha256(text.encode()).hexdigest()}


def _json_fallback(value: Any) -> Any:
    if isinstance(value, Mapping):  # a DeferredState: the state it holds
        return plain_mapping(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if not isinstance(value, tuple) else list(value)
    return str(value)


def _resource_json(resource: Resource) -> dict[str, Any]:
    return {
        "ref": str(resource.ref),
        "title": resource.title,
        "body": resource.body,
        "source": {"path": resource.source.path.as_posix(), "line": resource.source.line},
        "container": resource.container,
        "secretEnv": dict(resource.secret_env),
        "dependsOn": [str(ref) for ref in resource.depends_on],
        "metabaseDatabase": resource.metabase_database,
    }


def saved_plan_json(plan: Plan, environment: Environment, revision: str) -> str:
    """The plan file for ``plan``, made against ``environment`` from the definitions at ``revision``."""
    document = json.loads(format_json(plan))
    for entry, change in zip(document["changes"], plan.changes, strict=True):
        entry["desired"] = _resource_json(change.resource) if change.resource is not None else None
        entry["seen"] = live_fingerprint(change.live) if change.live is not None else None
    document.update(
        format=PLAN_FORMAT,
        tool={"name": "pydis-dash", "version": __version__},
        revision=revision,
        targets=_targets(environment),
    )
    return canonical_json(document) + "\n"


def _targets(environment: Environment) -> dict[str, str]:
    urls = {target: getattr(environment, attribute) for target, attribute in _TARGET_URLS.items()}
    return {target: str(url).rstrip("/") for target, url in urls.items() if url}


def write_saved_plan(path: Path, text: str) -> None:
    """Write the plan file whole or not at all (a temporary file renamed into place), through the
    output filter like everything else pydis-dash writes."""
    path = path.resolve()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(mask(text))
        os.replace(temporary, path)
    except OSError as exc:
        raise SavedPlanError(f"{path}: cannot write the plan: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------------------------------
# Reading


def read_saved_plan(path: Path) -> SavedPlan:
    """The plan in ``path``; SavedPlanError (exit 3) when it cannot be read, is not a plan of this
    format, or was made by another version of pydis-dash."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SavedPlanError(f"{path}: cannot read the plan: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SavedPlanError(f"{path}: not a saved plan (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or "format" not in document or "changes" not in document:
        raise SavedPlanError(f"{path}: not a saved plan (write one with `pydis-dash diff --out`)")
    if document["format"] != PLAN_FORMAT:
        raise SavedPlanError(f"{path}: plan format {document['format']!r}; this pydis-dash reads format {PLAN_FORMAT}")
    version = (document.get("tool") or {}).get("version")
    if version != __version__:
        raise SavedPlanError(
            f"{path}: made by pydis-dash {version}, this is {__version__}: plan again with this version"
        )
    try:
        return SavedPlan(
            environment=str(document["environment"]),
            targets={str(k): str(v) for k, v in document["targets"].items()},
            tool_version=str(version),
            revision=str(document["revision"]),
            options=PlanOptions(
                prune=bool(document["options"]["prune"]), rotate_secrets=bool(document["options"]["rotateSecrets"])
            ),
            changes=tuple(_saved_change(entry) for entry in document["changes"]),
            servers=tuple(dict(server) for server in document.get("servers", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SavedPlanError(f"{path}: not a valid saved plan ({type(exc).__name__}: {exc})") from None


def _saved_change(entry: Mapping[str, Any]) -> SavedChange:
    desired = entry["desired"]
    return SavedChange(
        action=Action(entry["action"]),
        ref=Ref.parse(entry["ref"]),
        title=str(entry["title"]),
        resource=_resource(desired) if desired is not None else None,
        seen=dict(entry["seen"]) if entry["seen"] is not None else None,
    )


def _resource(data: Mapping[str, Any]) -> Resource:
    return Resource(
        ref=Ref.parse(data["ref"]),
        title=str(data["title"]),
        body=data["body"],
        source=SourceLocation(Path(data["source"]["path"]), data["source"]["line"]),
        container=data["container"],
        secret_env={str(k): str(v) for k, v in data["secretEnv"].items()},
        depends_on=tuple(Ref.parse(ref) for ref in data["dependsOn"]),
        metabase_database=data.get("metabaseDatabase"),
    )


# --------------------------------------------------------------------------------------------------
# Replaying


def check_environment(saved: SavedPlan, environment: Environment) -> None:
    """SavedPlanError unless ``saved`` was made against ``environment`` (same name, same servers)."""
    if saved.environment != environment.name:
        raise SavedPlanError(
            f"the plan was made for environment {saved.environment!r}, not {environment.name!r}: "
            f"deploy it with --env {saved.environment}"
        )
    current = _targets(environment)
    moved = sorted(t for t, url in saved.targets.items() if current.get(t) != url)
    if moved:
        raise SavedPlanError(
            f"the plan was made against {', '.join(f'{t} {saved.targets[t]}' for t in moved)}; environment "
            f"{environment.name!r} now points elsewhere: plan again"
        )


def replay(saved: SavedPlan, fresh: Plan) -> Plan:
    """The saved plan's pending changes, as ``fresh`` (a new plan of the saved resources) sees them:
    each whose resource is exactly as the saved plan saw it is kept, ready to apply; the others are
    blocked with why (apply refuses them and skips what depends on them). Nothing that was not in the
    saved plan is added. SavedPlanError when a server changed version (or API) since: every comparison
    the plan made would be in doubt."""
    # Through JSON, as the saved ones went (tuples become lists); only the servers: rendering the whole
    # plan would write out every change's diff.
    servers_now = json.loads(json.dumps(servers_json(fresh)))
    if list(saved.servers) != servers_now:
        was = "; ".join(str(server.get("summary")) for server in saved.servers)
        now = "; ".join(server.summary for server in fresh.servers)
        raise SavedPlanError(f"the servers changed since the plan was made ({was} -> {now}): plan again")
    now_changes = {change.ref: change for change in fresh.changes}
    pending = (change for change in saved.changes if change.action != Action.UNCHANGED)
    replayed = tuple(_replayed(change, now_changes.get(change.ref)) for change in pending)
    return Plan(saved.environment, replayed, options=saved.options, servers=fresh.servers)


def _replayed(saved: SavedChange, current: Change | None) -> Change:
    reason = moved_on(saved, current)
    if current is None or reason is not None:
        return Change(saved.action, saved.ref, saved.title, resource=saved.resource, blocked=reason)
    return current


def moved_on(saved: SavedChange, current: Change | None) -> str | None:
    """How the resource of ``saved`` changed since the plan was made, or None if it did not."""
    prefix = "moved on since the plan was made: "
    if current is None:
        return prefix + ("it no longer exists" if saved.seen is not None else "it cannot be planned any more")
    live = current.live
    if saved.seen is None:
        return None if live is None else prefix + "it exists now (the plan creates it)"
    if live is None:
        return prefix + "it no longer exists"
    now = live_fingerprint(live)
    if now["version"] != saved.seen.get("version"):
        return prefix + f"version {saved.seen.get('version')} is now {now['version']}"
    if now != saved.seen:
        return prefix + "it was changed"
    if current.action != saved.action:
        return prefix + f"the plan would now {current.action.value} it, not {saved.action.value}"
    return None
