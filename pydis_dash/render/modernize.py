"""Upgrade grafanalib's (legacy) dashboard JSON to Grafana's current dashboard model.

grafanalib emits fields Grafana dropped years ago (``rows``, ``style``, ``hideControls``,
``sharedCrosshair``, ``__inputs``, ``span``), ``None`` for unset values and data sources as bare
names; Grafana's strict schema (``additionalProperties: false``) rejects all of that. This module
keeps exactly the keys of the current model, converts what has a current equivalent, and resolves
data sources to ``{"type", "uid"}`` references. It is pure: exported dashboards, which carry the same
legacy fields, go through it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydis_dash.render.layout import GridPos, LayoutItem, bottom, default_size, place
from pydis_dash.render.panel_defaults import default_custom, default_options, known_option_keys
from pydis_dash.render.plain import deep_merge, drop_none

# The schemaVersion pydis-dash writes: Grafana 11.0's. Newer Grafana migrates it on load without
# changing the stored JSON, so diffs stay quiet across 11/12/13.
SCHEMA_VERSION = 39

DatasourceResolver = Callable[[Any], dict[str, str] | None]

_DASHBOARD_KEYS = frozenset(
    {
        "uid",
        "title",
        "description",
        "tags",
        "timezone",
        "editable",
        "graphTooltip",
        "time",
        "timepicker",
        "fiscalYearStartMonth",
        "liveNow",
        "weekStart",
        "refresh",
        "schemaVersion",
        "panels",
        "templating",
        "annotations",
        "links",
        "preload",
    }
)
_PANEL_KEYS = frozenset(
    {
        "type",
        "id",
        "targets",
        "title",
        "description",
        "transparent",
        "datasource",
        "gridPos",
        "links",
        "repeat",
        "repeatDirection",
        "maxPerRow",
        "maxDataPoints",
        "transformations",
        "interval",
        "timeFrom",
        "timeShift",
        "hideTimeOverride",
        "timeCompare",
        "libraryPanel",
        "cacheTimeout",
        "queryCachingTTL",
        "options",
        "fieldConfig",
    }
)
_ROW_KEYS = frozenset({"type", "collapsed", "title", "datasource", "gridPos", "id", "panels", "repeat"})
_VARIABLE_KEYS = frozenset(
    {
        "type",
        "name",
        "label",
        "hide",
        "skipUrlSync",
        "description",
        "query",
        "datasource",
        "current",
        "multi",
        "allowCustomValue",
        "options",
        "refresh",
        "sort",
        "includeAll",
        "allValue",
        "regex",
        "auto",
        "auto_min",
        "auto_count",
        "definition",
    }
)
_FIELD_CONFIG_KEYS = frozenset(
    {
        "displayName",
        "displayNameFromDS",
        "description",
        "unit",
        "decimals",
        "min",
        "max",
        "mappings",
        "thresholds",
        "color",
        "links",
        "noValue",
        "custom",
        "fieldMinMax",
    }
)
_TIMEPICKER_KEYS = frozenset({"hidden", "refresh_intervals", "quick_ranges", "nowDelay"})
# Query fields each data source type understands; everything else grafanalib writes on every target
# (intervalFactor, step, metric, empty expr/target...) is noise that Grafana ignores.
_TARGET_KEYS: dict[str, frozenset[str]] = {
    "grafana-postgresql-datasource": frozenset({"rawSql", "format", "rawQuery", "editorMode"}),
    "postgres": frozenset({"rawSql", "format", "rawQuery", "editorMode"}),
    "prometheus": frozenset(
        {"expr", "legendFormat", "instant", "range", "interval", "format", "exemplar", "editorMode"}
    ),
    "graphite": frozenset({"target", "textEditor", "targetFull"}),
}
_COMMON_TARGET_KEYS = frozenset({"refId", "datasource", "hide"})
_LEGACY_SQL_TYPES = {"postgres": "grafana-postgresql-datasource"}


def modernize_dashboard(
    legacy: Mapping[str, Any], resolve: DatasourceResolver, *, none_free: bool = False
) -> dict[str, Any]:
    """Return the current-model equivalent of a grafanalib or exported dashboard.

    ``none_free``: ``legacy`` is already plain JSON without ``None`` values anywhere (as
    ``to_plain(..., drop_none=True)`` returns it), so the walk dropping them is skipped. It is
    modified in place then.
    """
    source = dict(legacy) if none_free else drop_none(dict(legacy))
    dashboard: dict[str, Any] = {key: source[key] for key in _DASHBOARD_KEYS if key in source}
    if source.get("sharedCrosshair") and not dashboard.get("graphTooltip"):
        dashboard["graphTooltip"] = 1
    panels = list(source.get("panels", []))
    panels.extend(_panels_from_legacy_rows(source.get("rows", []), top=_bottom_of(panels)))
    dashboard["panels"] = [_modernize_panel(panel, resolve) for panel in panels]
    _assign_ids(dashboard["panels"])
    dashboard["templating"] = {
        "list": [_modernize_variable(v, resolve) for v in source.get("templating", {}).get("list", [])]
    }
    dashboard["annotations"] = {
        "list": [_with_datasource(a, resolve) for a in source.get("annotations", {}).get("list", [])]
    }
    if "timepicker" in dashboard:
        dashboard["timepicker"] = {k: v for k, v in dashboard["timepicker"].items() if k in _TIMEPICKER_KEYS}
    if not dashboard.get("description"):
        dashboard.pop("description", None)
    dashboard["schemaVersion"] = max(int(source.get("schemaVersion") or 0), SCHEMA_VERSION)
    return dashboard


def resolve_ref(value: Any, by_name: Mapping[str, dict[str, str]]) -> dict[str, str] | None:
    """Resolve a data source given as a name, uid, variable or ``{type, uid}`` to a reference.

    ``by_name`` maps both names and uids of known data sources to their references. Unknown strings
    become ``{"uid": value}`` so that the lint rule for unresolved data sources can name them.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        uid = value.get("uid")
        if isinstance(uid, str) and uid in by_name and "type" not in value:
            return dict(by_name[uid])
        ref = {k: str(value[k]) for k in ("type", "uid") if value.get(k) is not None}
        if ref.get("type") in _LEGACY_SQL_TYPES:
            ref["type"] = _LEGACY_SQL_TYPES[ref["type"]]
        return ref or None
    text = str(value)
    if text in by_name:
        return dict(by_name[text])
    return {"uid": text}


def _bottom_of(panels: list[Any]) -> int:
    return max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels if "gridPos" in p), default=0)


def _panels_from_legacy_rows(rows: list[Any], top: int) -> list[dict[str, Any]]:
    """grafanalib's ``rows`` (12-column ``span`` widths) become row panels and gridPos'd panels."""
    panels: list[dict[str, Any]] = []
    for row in rows:
        row_panel: dict[str, Any] = {
            "type": "row",
            "title": row.get("title") or "",
            "collapsed": bool(row.get("collapse")),
            "gridPos": GridPos(0, top, 24, 1).to_json(),
            "panels": [],
        }
        panels.append(row_panel)
        top += 1
        children = list(row.get("panels", []))
        items = [
            LayoutItem(min(24, int(p.get("span") or 6) * 2), int(p.get("height") or 0) // 30 or 8) for p in children
        ]
        positions = place(items, top=top)
        for child, pos in zip(children, positions, strict=True):
            child["gridPos"] = pos.to_json()
        if row_panel["collapsed"]:
            row_panel["panels"] = children
        else:
            panels.extend(children)
        top = bottom(positions, top)
    return panels


def _assign_ids(panels: list[dict[str, Any]]) -> None:
    """Stable ids: a panel that carries an id keeps it (an imported dashboard keeps its own, so links
    to ``viewPanel=`` still work); the others get the next free number, 1 upwards, in reading order
    (nested row panels included)."""
    flat = [item for panel in panels for item in (panel, *panel.get("panels", []))]
    taken: set[int] = set()
    for item in flat:
        given = item.get("id")
        if type(given) is int and given not in taken:
            taken.add(given)
        else:
            item.pop("id", None)
    next_id = 1
    for item in flat:
        if "id" not in item:
            while next_id in taken:
                next_id += 1
            item["id"] = next_id
            taken.add(next_id)


def _modernize_panel(panel: dict[str, Any], resolve: DatasourceResolver) -> dict[str, Any]:
    if panel.get("type") == "row":
        row = {key: panel[key] for key in _ROW_KEYS if key in panel}
        row.setdefault("collapsed", False)
        row.setdefault("title", "")
        # Already free of None: modernize_dashboard dropped them from the whole tree.
        row["panels"] = [_modernize_panel(p, resolve) for p in panel.get("panels", [])]
        row.pop("datasource", None)
        return row
    if "gridPos" not in panel:
        width, height = default_size(str(panel.get("type", "")))
        panel["gridPos"] = {"h": height, "w": width, "x": 0, "y": 0}
    result = {key: panel[key] for key in _PANEL_KEYS if key in panel}
    result["gridPos"] = {k: int(v) for k, v in result["gridPos"].items() if k in ("h", "w", "x", "y")}
    if isinstance(result.get("libraryPanel"), Mapping):
        # Linked to a library panel: Grafana draws it from the library element's model and saves only the
        # link, so the panel carries no content (and no defaults) of its own.
        return result
    panel_ref = resolve(panel.get("datasource"))
    if panel_ref is None:
        result.pop("datasource", None)
    else:
        result["datasource"] = panel_ref
    result["targets"] = [_modernize_target(t, panel_ref, resolve) for t in panel.get("targets", [])]
    if not result["targets"]:
        del result["targets"]
    for key in ("description", "interval", "timeFrom", "timeShift", "repeat", "cacheTimeout"):
        if result.get(key) in ("", None):
            result.pop(key, None)
    if not result.get("repeat"):
        result.pop("repeatDirection", None)
        result.pop("maxPerRow", None)
    for key in ("transparent", "hideTimeOverride"):
        if result.get(key) is False:
            del result[key]
    panel_type = str(result.get("type", ""))
    result["options"] = _modernize_options(panel_type, result.get("options", {}))
    result["fieldConfig"] = _modernize_field_config(panel_type, result.get("fieldConfig", {}))
    return result


def _modernize_options(panel_type: str, options: Mapping[str, Any]) -> dict[str, Any]:
    known = known_option_keys(panel_type)
    given = {k: v for k, v in options.items() if known is None or k in known}
    return deep_merge(default_options(panel_type), given)


def _modernize_field_config(panel_type: str, field_config: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {k: v for k, v in field_config.get("defaults", {}).items() if k in _FIELD_CONFIG_KEYS}
    thresholds = defaults.get("thresholds")
    if not isinstance(thresholds, Mapping) or not isinstance(thresholds.get("steps"), list) or not thresholds["steps"]:
        # grafanalib writes `steps: ""` or `[]`; Grafana always has a base step.
        defaults["thresholds"] = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}
    else:
        # Legacy Threshold objects carry index/line/op/yaxis; the base step's value is null (not absent).
        # grafanalib's BarGauge even writes the base value as the string "null".
        steps = [
            {
                "color": step.get("color", "green"),
                "value": None if step.get("value") == "null" else step.get("value"),
            }
            for step in thresholds["steps"]
        ]
        defaults["thresholds"] = {"mode": thresholds.get("mode", "absolute"), "steps": steps}
    if defaults.get("unit") == "":
        del defaults["unit"]
    if not isinstance(defaults.get("color"), Mapping):
        defaults.pop("color", None)
    custom = dict(defaults.get("custom", {}))
    known_custom = default_custom(panel_type)
    defaults["custom"] = deep_merge(known_custom, custom) if known_custom else custom
    defaults.setdefault("mappings", [])
    return {"defaults": defaults, "overrides": list(field_config.get("overrides", []))}


def _modernize_target(
    target: Mapping[str, Any], panel_ref: dict[str, str] | None, resolve: DatasourceResolver
) -> dict[str, Any]:
    ref = resolve(target.get("datasource")) or panel_ref
    keys = _TARGET_KEYS.get((ref or {}).get("type", ""))
    allowed = (keys | _COMMON_TARGET_KEYS) if keys is not None else None
    result = {
        k: v
        for k, v in target.items()
        if (allowed is None or k in allowed) and v != "" and not (k == "hide" and v is False)
    }
    if ref is not None:
        result["datasource"] = ref
    result.setdefault("refId", "A")
    return result


def _modernize_variable(variable: Mapping[str, Any], resolve: DatasourceResolver) -> dict[str, Any]:
    source = dict(variable)
    result = {key: source[key] for key in _VARIABLE_KEYS if key in source}
    current = source.get("current")
    if isinstance(current, Mapping):
        kept = {k: current[k] for k in ("selected", "text", "value") if current.get(k) is not None}
        if "text" in kept or "value" in kept:
            result["current"] = kept
        else:
            result.pop("current", None)
    ref = resolve(source.get("datasource"))
    if ref is None:
        result.pop("datasource", None)
    else:
        result["datasource"] = ref
    if source.get("type") != "interval":
        for key in ("auto", "auto_min", "auto_count"):
            result.pop(key, None)
    return result


def _with_datasource(annotation: Mapping[str, Any], resolve: DatasourceResolver) -> dict[str, Any]:
    result = dict(annotation)
    ref = resolve(result.get("datasource"))
    if ref is None:
        result.pop("datasource", None)
    else:
        result["datasource"] = ref
    return result
