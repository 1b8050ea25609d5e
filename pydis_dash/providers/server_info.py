"""What a plan says about each server it was made against: its version and the API paths picked for it.

Providers discover this once per run (Grafana: ``/api/health`` and ``/apis`` discovery; Metabase:
``/api/session/properties``); ``diff`` shows the one-line summary, ``diff --format json`` the facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServerInfo:
    """One server of one environment."""

    target: str
    #: One line for humans: "Grafana 12.1.1: dashboards through dashboard.grafana.app/v1beta1 ...".
    summary: str
    #: The same as data (version, chosen API versions), for JSON output.
    facts: Mapping[str, Any] = field(default_factory=dict)


def servers_of(providers: Sequence[object]) -> tuple[ServerInfo, ...]:
    """``server_info()`` of each provider that has one (test doubles and older providers may not)."""
    infos = []
    for provider in providers:
        describe = getattr(provider, "server_info", None)
        if callable(describe):
            info = describe()
            if isinstance(info, ServerInfo):
                infos.append(info)
    return tuple(infos)
