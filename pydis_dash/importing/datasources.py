"""Map the data source references of imported JSON to the project's own data sources.

A reference is a uid, a name (legacy dashboards), a ``${DS_...}`` grafana.com input or a ``{type, uid}``
object. It maps when it names a project data source by uid or name (an input by its label), or when
the author mapped it explicitly (``--datasource DS_PROMETHEUS=prometheus``). Anything else is reported,
never guessed; template variables (``$datasource``) and Grafana's built-in sources stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.datasource import DataSource
from pydis_dash.load import discover, load_definitions

#: Grafana's built-in sources: annotations and dashboard queries, the mixed-source panel.
BUILT_IN_UIDS = frozenset({"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"})
_INPUT = re.compile(r"^\$\{?(DS_[A-Za-z0-9_]+)\}?$")


@dataclass(frozen=True)
class ProjectSource:
    """One data source of the project: what references may name it by."""

    uid: str
    name: str
    type: str
    metabase_database: str | None = None

    @property
    def ref(self) -> dict[str, str]:
        """Grafana's ``{type, uid}`` reference to it."""
        return {"type": self.type, "uid": self.uid}


def project_sources(project_root: Path) -> list[ProjectSource]:
    """The data sources defined under ``datasources/`` of the project."""
    files = [path for path in discover(project_root) if path.relative_to(project_root).parts[0] == "datasources"]
    return [
        ProjectSource(d.uid, d.name, d.ref["type"], getattr(d, "metabase_database", None))
        for d in load_definitions(project_root, files)
        if isinstance(d, DataSource)
    ]


@dataclass
class DatasourceMapper:
    """Resolves references against ``sources``; collects what it could not resolve in ``unknown``.

    ``explicit`` maps a name, uid or input name to a project data source uid (the author's choice);
    ``inputs`` are a grafana.com export's ``__inputs`` by name.
    """

    sources: list[ProjectSource]
    explicit: Mapping[str, str] = field(default_factory=dict)
    inputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)  # reference -> why it did not map
    mapped: dict[str, str] = field(default_factory=dict)  # reference -> project uid (for the notes)

    def _find(self, key: str) -> ProjectSource | None:
        wanted = self.explicit.get(key, key)
        return next((s for s in self.sources if wanted in (s.uid, s.name)), None)

    def resolve(self, value: Any) -> Any:
        """The project reference for ``value``, or ``value`` unchanged (noting why when unknown)."""
        if value is None or value == "":
            return value
        if isinstance(value, Mapping):
            uid = value.get("uid")
            if not isinstance(uid, str):
                return value
            found = self._resolve_text(uid, str(value.get("type") or ""))
            return found.ref if found else dict(value)
        found = self._resolve_text(str(value), "")
        return found.ref if found else value

    def _resolve_text(self, text: str, type_: str) -> ProjectSource | None:
        if (
            text in BUILT_IN_UIDS
            or type_ in ("datasource", "grafana")
            or (text.startswith("$") and not _INPUT.match(text))
        ):
            return None  # built in, or a template variable chosen on the dashboard
        match = _INPUT.match(text)
        if match:
            name = match.group(1)
            spec = self.inputs.get(name, {})
            found = self._find(name) or self._find(str(spec.get("label") or ""))
            if found is None:
                self.unknown[text] = (
                    f"grafana.com input {name} ({spec.get('label', '?')}, plugin {spec.get('pluginId', '?')}) "
                    f"names no project data source: pass --datasource {name}=UID"
                )
        else:
            found = self._find(text)
            if found is None:
                self.unknown[text] = f"names no project data source by uid or name: pass --datasource {text}=UID"
        if found is not None and found.uid != text:
            self.mapped[text] = found.uid
        return found


def map_datasources(node: Any, mapper: DatasourceMapper) -> Any:
    """A copy of ``node`` with every ``datasource`` value resolved by ``mapper``."""
    if isinstance(node, Mapping):
        return {
            key: mapper.resolve(value) if key == "datasource" else map_datasources(value, mapper)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [map_datasources(item, mapper) for item in node]
    return node
