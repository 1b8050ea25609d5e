"""Panels on a dashboard's data source variable (``$datasource``, ``${ds}``, ``{"uid": "${DS}"}``).

Grafana's current model names the plugin with the variable (``{"type": "prometheus", "uid":
"${ds}"}``); older dashboards give the variable alone, as a string or a typeless reference, and Grafana
adds the type of the variable's plugin when it opens them. The import does the same (each one listed as
an upgrade), so that such a panel is written with the query helper of its plugin
(``prometheus("${ds}")``) instead of as raw JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydis_dash.datasource_ref import variable_name


def type_variable_sources(panels: Iterable[tuple[dict[str, Any], str]], dashboard: Mapping[str, Any]) -> list[str]:
    """Give every untyped data source variable reference of ``panels`` (``(panel, where)``, edited in
    place) and of their queries its variable's plugin type; one note per panel changed."""
    plugins = _variable_plugins(dashboard)
    notes = []
    for panel, where in panels:
        targets = panel.get("targets")
        holders = [panel, *(t for t in (targets if isinstance(targets, list) else []) if isinstance(t, dict))]
        typed = {reference for holder in holders if (reference := _typed(holder, plugins))}
        for reference in sorted(typed):
            plugin = plugins[str(variable_name(reference))]
            notes.append(
                f"{where} {panel.get('title', '')!r}: data source variable {reference!r} given its plugin {plugin!r}"
            )
    return notes


def _typed(holder: dict[str, Any], plugins: Mapping[str, str]) -> str | None:
    """Type ``holder``'s data source when it is an untyped variable reference of a known plugin; the reference."""
    value = holder.get("datasource")
    reference = value if isinstance(value, str) else value.get("uid") if isinstance(value, Mapping) else None
    if isinstance(value, Mapping) and value.get("type"):
        return None
    name = variable_name(reference) if isinstance(reference, str) else None
    if name is None or name not in plugins:
        return None
    holder["datasource"] = {"type": plugins[name], "uid": reference}
    return reference


def _variable_plugins(dashboard: Mapping[str, Any]) -> dict[str, str]:
    """Name -> plugin id of the dashboard's ``datasource`` variables (their ``query`` is the plugin)."""
    templating = dashboard.get("templating")
    variables = templating.get("list") if isinstance(templating, Mapping) else None
    found = {}
    for variable in variables if isinstance(variables, list) else []:
        if isinstance(variable, Mapping) and variable.get("type") == "datasource":
            name, plugin = variable.get("name"), variable.get("query")
            if isinstance(name, str) and isinstance(plugin, str) and plugin:
                found[name] = plugin
    return found
