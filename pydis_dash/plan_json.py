"""The JSON form of a :class:`~pydis_dash.plan.Plan` (``diff --format json``)."""

from __future__ import annotations

import json
from typing import Any

from pydis_dash.deferred import plain_mapping
from pydis_dash.plan import Action, Plan
from pydis_dash.providers.base import LiveResource


def format_json(plan: Plan) -> str:
    """The machine plan for ``diff --format json``."""
    document = {
        "environment": plan.environment,
        "options": {"prune": plan.options.prune, "rotateSecrets": plan.options.rotate_secrets},
        "summary": {a.value: plan.count(a) for a in Action}
        | {"drifted": plan.drifted_count, "blocked": plan.blocked_count},
        "changes": [c.to_json() for c in plan.changes],
        "orphans": [_live_json(item) for item in plan.orphans],
        "unmanaged": [_live_json(item) for item in plan.unmanaged],
        "servers": servers_json(plan),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=plain_mapping)


def servers_json(plan: Plan) -> list[dict[str, Any]]:
    """The ``servers`` of the JSON plan: each server's facts and summary."""
    return [dict(server.facts) | {"summary": server.summary} for server in plan.servers]


def _live_json(item: LiveResource) -> dict[str, Any]:
    return {"ref": str(item.ref), "kind": item.ref.kind.value, "uid": item.ref.uid, "title": item.title}
