"""Which provider serves which target; the CLI builds providers from here.

A provider module exposes ``from_environment(env, project_dir, concurrency) -> Provider``; register it
with one line in :data:`FACTORIES` (imported lazily, so a target's dependencies load only when used).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from pydis_dash.config import Environment
from pydis_dash.providers.base import Provider

FACTORIES: dict[str, str] = {
    "grafana": "pydis_dash.providers.grafana.provider",
    "metabase": "pydis_dash.providers.metabase.provider",
}

Factory = Callable[[Environment, Path, int], Provider]


def registered_targets() -> frozenset[str]:
    """Targets with a provider."""
    return frozenset(FACTORIES)


def build_provider(target: str, env: Environment, project_dir: Path, concurrency: int) -> Provider:
    """The provider of ``target`` for ``env``."""
    module = importlib.import_module(FACTORIES[target])
    factory = cast(Factory, module.from_environment)
    return factory(env, project_dir, concurrency)
