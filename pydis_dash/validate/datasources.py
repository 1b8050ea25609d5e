"""The data sources a project defines, and what a data source reference in a dashboard resolves to.

Built from the rendered ``grafana-datasource`` resources (body with ``uid``, ``type``, ``name``). Both
query extraction (which engine checks a target) and lint rule PD102 (does a reference resolve) use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydis_dash.model import Kind, Resource
from pydis_dash.validate.dashboard_json import DatasourceRef, template_variables
from pydis_dash.validate.queries import Language

# Plugin ids per query language. Grafana renamed its PostgreSQL plugin from ``postgres`` to
# ``grafana-postgresql-datasource`` (10.x) and still accepts the old id in references.
LANGUAGE_BY_TYPE: Mapping[str, Language] = {
    "grafana-postgresql-datasource": Language.SQL,
    "postgres": Language.SQL,
    "prometheus": Language.PROMQL,
    "graphite": Language.GRAPHITE,
}

_ALIASES = {"postgres": "grafana-postgresql-datasource"}

MIXED = "-- Mixed --"

# References Grafana resolves itself, not to a provisioned data source.
BUILTIN_UIDS = frozenset({MIXED, "-- Dashboard --", "-- Grafana --", "grafana", "__expr__"})


def canonical_type(plugin_type: str) -> str:
    """The current plugin id for ``plugin_type`` (old ids map to their new name)."""
    return _ALIASES.get(plugin_type, plugin_type)


def language_of(plugin_type: str | None) -> Language | None:
    """The query language of a data source plugin, ``None`` when pydis-dash cannot check it."""
    return LANGUAGE_BY_TYPE.get(plugin_type) if plugin_type else None


@dataclass(frozen=True)
class Resolved:
    """What a reference points at: the data source uid (``None`` for a variable without a value) and type."""

    uid: str | None
    type: str | None


class DatasourceCatalog:
    """The defined data sources, by uid and by name."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_uid: dict[str, Mapping[str, Any]] = {}
        self.by_name: dict[str, Mapping[str, Any]] = {}
        self._by_metabase_database: dict[str, str] = {}
        for resource in resources:
            if resource.kind is not Kind.GRAFANA_DATASOURCE:
                continue
            body = resource.body
            uid = body.get("uid") or resource.ref.uid
            self.by_uid[str(uid)] = body
            if isinstance(body.get("name"), str):
                self.by_name[body["name"]] = body
            if resource.metabase_database:
                self._by_metabase_database[resource.metabase_database.strip().casefold()] = str(uid)

    def uid_for_metabase_database(self, database: str) -> str | None:
        """The uid of the data source whose ``metabase_database`` is ``database`` (case-insensitive, as
        Metabase matches names), if any."""
        return self._by_metabase_database.get(database.strip().casefold())

    def lookup(self, ref: DatasourceRef) -> Mapping[str, Any] | None:
        """The defined data source a (non-variable) reference names, if any."""
        if ref.uid is None:
            return None
        found = self.by_uid.get(ref.uid)
        if found is None and ref.legacy_name:
            found = self.by_name.get(ref.uid)
        return found

    def resolve(self, ref: DatasourceRef | None, dashboard: Mapping[str, Any] | None = None) -> Resolved | None:
        """Resolve a reference to a uid and plugin type, following ``${ds}`` datasource variables.

        Returns ``None`` when nothing is known (no reference: Grafana's default data source).
        """
        if ref is None:
            return None
        variable = ref.variable
        if variable is not None and dashboard is not None:
            return self._resolve_variable(variable, ref, dashboard)
        defined = self.lookup(ref)
        if defined is not None:
            defined_type = defined.get("type")
            return Resolved(
                uid=str(defined.get("uid", ref.uid)),
                type=defined_type if isinstance(defined_type, str) else ref.type,
            )
        return Resolved(uid=ref.uid, type=ref.type)

    def _resolve_variable(self, name: str, ref: DatasourceRef, dashboard: Mapping[str, Any]) -> Resolved:
        for _, variable in template_variables(dashboard):
            if variable.get("name") != name or variable.get("type") != "datasource":
                continue
            plugin = variable.get("query")
            current = _current_value(variable)
            defined = (self.by_uid.get(current) or self.by_name.get(current)) if current else None
            uid = str(defined["uid"]) if defined is not None and "uid" in defined else None
            return Resolved(uid=uid, type=plugin if isinstance(plugin, str) else ref.type)
        return Resolved(uid=None, type=ref.type)


def _current_value(variable: Mapping[str, Any]) -> str | None:
    current = variable.get("current")
    value = current.get("value") if isinstance(current, Mapping) else None
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None
