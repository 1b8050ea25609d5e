"""How ``validate`` and ``preview`` check the queries of one data source.

A data source definition says which engine checks its queries (``postgres``, ``prometheus``,
``graphite``), the schema file or series list that seeds the throwaway engine, the sample-data
generator if any, and the environment variable naming a live engine to use instead. The tool itself
knows no data source: everything it checks against comes from these settings.

This module is neutral ground: authoring (``DataSource``) builds a :class:`SourceCheck`, and the
validate and preview stages read it from the rendered resource, without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_KEYS = ("engine", "schema", "sample_data", "live_url_env")


class CheckEngine(StrEnum):
    """The engines ``validate`` can run a data source's queries on."""

    POSTGRES = "postgres"
    PROMETHEUS = "prometheus"
    GRAPHITE = "graphite"


# Grafana plugin ids whose queries each engine understands; a plugin missing here (Loki, MySQL...) may
# still name an engine, the author knowing it speaks that language.
_PLUGIN_ENGINES: Mapping[str, CheckEngine] = {
    "grafana-postgresql-datasource": CheckEngine.POSTGRES,
    "postgres": CheckEngine.POSTGRES,
    "prometheus": CheckEngine.PROMETHEUS,
    "graphite": CheckEngine.GRAPHITE,
}


class CheckSettingsError(ValueError):
    """A ``check:`` block is not valid; the message says what to write instead."""


@dataclass(frozen=True)
class SourceCheck:
    """A data source's check settings; paths are absolute once resolved (see :func:`parse_check`).

    ``schema``: DDL (postgres) or series/metric list (prometheus, graphite) seeding the throwaway
    engine. ``sample_data``: a generator of sample rows (used by ``preview``). ``live_url_env``: the
    environment variable naming a live engine (a DSN or URL) to check against instead.
    """

    engine: CheckEngine
    schema: Path | None = None
    sample_data: Path | None = None
    live_url_env: str | None = None

    def __post_init__(self) -> None:
        # Authors write plain strings in Python too: SourceCheck(engine="postgres", schema="x.sql").
        if self.engine not in {e.value for e in CheckEngine}:
            names = ", ".join(e.value for e in CheckEngine)
            raise CheckSettingsError(f"check engine must be one of {names}, not {self.engine!r}")
        object.__setattr__(self, "engine", CheckEngine(self.engine))
        for key in ("schema", "sample_data"):
            item = getattr(self, key)
            if item is not None and not isinstance(item, str | Path):
                raise CheckSettingsError(f"check {key} must be a path, not {type(item).__name__}")
            object.__setattr__(self, key, None if item is None else Path(item))
        env = self.live_url_env
        if env is not None and not (isinstance(env, str) and _ENV_NAME.match(env)):
            raise CheckSettingsError(
                "check live_url_env must name an environment variable (UPPER_CASE), never hold the URL"
            )

    def resolved(self, base_dir: Path) -> SourceCheck:
        """This check with relative paths taken relative to ``base_dir`` (the definition's folder)."""
        return SourceCheck(
            engine=self.engine,
            schema=_under(base_dir, self.schema),
            sample_data=_under(base_dir, self.sample_data),
            live_url_env=self.live_url_env,
        )


def _under(base_dir: Path, path: Path | None) -> Path | None:
    return None if path is None else (base_dir / path).resolve()


def parse_check(value: object, base_dir: Path, plugin_type: str) -> SourceCheck:
    """A :class:`SourceCheck` from a ``check:`` mapping (YAML) or object (Python), paths resolved
    against ``base_dir`` and checked to exist. Raises :class:`CheckSettingsError`."""
    if isinstance(value, SourceCheck):
        check = value
    elif isinstance(value, Mapping):
        check = _from_mapping(value)
    else:
        raise CheckSettingsError("check must be a mapping (engine, schema, sample_data, live_url_env)")
    expected = _PLUGIN_ENGINES.get(plugin_type)
    if expected is not None and check.engine is not expected:
        raise CheckSettingsError(
            f"check engine {check.engine.value!r} cannot run {plugin_type!r} queries (use {expected.value!r})"
        )
    check = check.resolved(base_dir)
    for key, path in (("schema", check.schema), ("sample_data", check.sample_data)):
        if path is not None and not path.is_file():
            raise CheckSettingsError(f"check {key} file {str(path)!r} not found")
    return check


def _from_mapping(value: Mapping[Any, Any]) -> SourceCheck:
    unknown = sorted(str(key) for key in value if key not in _KEYS)
    if unknown:
        raise CheckSettingsError(f"unknown check setting(s): {', '.join(unknown)} (known: {', '.join(_KEYS)})")
    return SourceCheck(
        engine=value.get("engine"),  # type: ignore[arg-type]  # checked in __post_init__
        schema=value.get("schema"),
        sample_data=value.get("sample_data"),
        live_url_env=value.get("live_url_env"),
    )
