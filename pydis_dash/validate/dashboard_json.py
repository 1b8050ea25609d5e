"""Reading Grafana's dashboard JSON model: panels (rows' collapsed panels too), targets, variables.

Schema checks, lint rules and query extraction all walk rendered dashboards the same way; the walking
lives here once. Every function takes plain JSON and yields JSON pointers with the values, so findings
can point back at the definition line with ``Resource.location_of``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydis_dash.model import json_pointer
from pydis_dash.validate.engines.grafana_template import REFERENCE, Reference, references

# Names Grafana (or the data source) provides itself: ``$__interval``, ``$__timeFilter(...)`` and every
# other ``__`` name, plus Graphite/InfluxDB's legacy ``$timeFilter``.
_LEGACY_BUILTINS = frozenset({"timeFilter"})


def iter_panels(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every panel with its pointer: top-level panels and rows, then each row's collapsed panels."""
    panels = body.get("panels")
    if not isinstance(panels, list):
        return
    for index, panel in enumerate(panels):
        if not isinstance(panel, Mapping):
            continue
        pointer = json_pointer("panels", index)
        yield pointer, panel
        nested = panel.get("panels")
        if isinstance(nested, list):
            for inner_index, inner in enumerate(nested):
                if isinstance(inner, Mapping):
                    yield f"{pointer}/panels/{inner_index}", inner


def iter_targets(panel: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The panel's targets (queries) with their index in ``targets``."""
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    for index, target in enumerate(targets):
        if isinstance(target, Mapping):
            yield index, target


def template_variables(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The dashboard's ``templating.list`` entries with their pointers."""
    templating = body.get("templating")
    variables = templating.get("list") if isinstance(templating, Mapping) else None
    if not isinstance(variables, list):
        return
    for index, variable in enumerate(variables):
        if isinstance(variable, Mapping):
            yield json_pointer("templating", "list", index), variable


def variable_names(body: Mapping[str, Any]) -> set[str]:
    """Names of the dashboard's template variables."""
    return {v["name"] for _, v in template_variables(body) if isinstance(v.get("name"), str)}


def referenced_variables(text: str) -> list[str]:
    """Template variables a string refers to, in order, without built-ins (``$__interval``) or ``$1``."""
    names = (reference.name for reference in references(text))
    kept = (name for name in names if not name.startswith("__") and not name.isdigit() and name not in _LEGACY_BUILTINS)
    return list(dict.fromkeys(kept))


def panel_title(panel: Mapping[str, Any]) -> str | None:
    """The panel's title, when it has a string one."""
    title = panel.get("title")
    return title if isinstance(title, str) else None


@dataclass(frozen=True)
class DatasourceRef:
    """A data source reference as written: ``{"type", "uid"}``, or a legacy string (name or uid)."""

    uid: str | None
    type: str | None = None
    legacy_name: bool = False

    @property
    def variable(self) -> str | None:
        """The variable name when the reference is a template variable (``${ds}``, ``$ds``)."""
        if self.uid is None:
            return None
        match = REFERENCE.fullmatch(self.uid)
        return Reference.from_match(match).name if match else None


def datasource_ref(value: Any) -> DatasourceRef | None:
    """Parse a ``datasource`` field; ``None`` when it is absent (Grafana then uses the default)."""
    if isinstance(value, str) and value:
        return DatasourceRef(uid=value, legacy_name=True)
    if isinstance(value, Mapping):
        uid, ds_type = value.get("uid"), value.get("type")
        if uid is None and ds_type is None:
            return None
        return DatasourceRef(
            uid=uid if isinstance(uid, str) else None, type=ds_type if isinstance(ds_type, str) else None
        )
    return None
