"""Grafana's own upgrades of retired panel plugins, as its frontend applies them when a dashboard opens.

``graph`` becomes ``timeseries``, ``singlestat`` becomes ``stat`` (``gauge`` when its gauge was shown)
and ``table-old`` becomes ``table``: the fields with a current equivalent are carried over the way
Grafana's panel migration handlers do (``graphPanelChangedHandler``, ``sharedSingleStatMigrationHandler``,
``tablePanelChangedHandler``); each upgrade returns a line saying what it did and what it dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# Panel keys a retired plugin kept at the top level of the panel; the upgrade reads and removes them.
_GRAPH_KEYS = (
    "lines", "bars", "points", "fill", "fillGradient", "linewidth", "pointradius", "stack", "percentage",
    "steppedLine", "nullPointMode", "yaxes", "xaxis", "yaxis", "legend", "tooltip", "seriesOverrides",
    "aliasColors", "dashes", "dashLength", "spaceLength", "thresholds", "timeRegions", "renderer",
    "hiddenSeries", "decimals", "grid", "paceLength", "fillBelowTo", "zIndex", "gridPos_legacy",
)  # fmt: skip
_SINGLESTAT_KEYS = (
    "format", "decimals", "valueName", "thresholds", "colors", "colorBackground", "colorValue", "sparkline",
    "gauge", "prefix", "postfix", "prefixFontSize", "postfixFontSize", "valueFontSize", "valueMaps",
    "rangeMaps", "mappingType", "mappingTypes", "nullPointMode", "nullText", "tableColumn", "colorPrefix",
    "colorPostfix", "combine",
)  # fmt: skip
_TABLE_OLD_KEYS = ("styles", "columns", "transform", "sort", "fontSize", "pageSize", "scroll", "showHeader")

# singlestat's valueName -> the reducer id Grafana uses.
_REDUCERS = {
    "avg": "mean", "current": "lastNotNull", "total": "sum", "first": "firstNotNull", "min": "min",
    "max": "max", "delta": "delta", "diff": "diff", "range": "range", "last_time": "lastNotNull", "name": "lastNotNull",
}  # fmt: skip
_LEGEND_CALCS = {"avg": "mean", "min": "min", "max": "max", "current": "lastNotNull", "total": "sum"}
_DEFAULT_COLOURS = ["#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a"]


def upgrade_panel(panel: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The panel upgraded to a current plugin, and the line describing it (None when it was current)."""
    upgrade = _UPGRADES.get(str(panel.get("type", "")))
    if upgrade is None:
        return panel, None
    return upgrade(dict(panel))


def _take(panel: dict[str, Any], keys: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """Remove ``keys`` from ``panel``; returns them and the names of those that were present."""
    taken = {key: panel.pop(key) for key in keys if key in panel}
    return taken, sorted(taken)


def _defaults(panel: dict[str, Any]) -> dict[str, Any]:
    field_config = panel.setdefault("fieldConfig", {})
    field_config.setdefault("overrides", [])
    defaults: dict[str, Any] = field_config.setdefault("defaults", {})
    return defaults


def _graph(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    old, present = _take(panel, _GRAPH_KEYS)
    panel["type"] = "timeseries"
    defaults = _defaults(panel)
    custom = defaults.setdefault("custom", {})
    carried: list[str] = []
    if old.get("bars"):
        custom["drawStyle"] = "bars"
    elif old.get("points") and not old.get("lines", True):
        custom["drawStyle"] = "points"
    else:
        custom["drawStyle"] = "line"
    carried.append("lines/bars/points")
    if "fill" in old:
        custom["fillOpacity"] = int(old["fill"] or 0) * 10
        carried.append("fill")
    if "linewidth" in old:
        custom["lineWidth"] = old["linewidth"]
        carried.append("linewidth")
    if old.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if old.get("stack"):
        custom["stacking"] = {"group": "A", "mode": "percent" if old.get("percentage") else "normal"}
        carried.append("stack")
    if old.get("nullPointMode") == "connected":
        custom["spanNulls"] = True
        carried.append("nullPointMode")
    yaxes = old.get("yaxes")
    if isinstance(yaxes, list) and yaxes and isinstance(yaxes[0], Mapping):
        left = yaxes[0]
        for source, target in (("format", "unit"), ("min", "min"), ("max", "max"), ("decimals", "decimals")):
            value = left.get(source)
            if value not in (None, ""):
                defaults[target] = _number(value) if target in ("min", "max") else value
        carried.append("yaxes[0]")
    if isinstance(old.get("decimals"), int):
        defaults["decimals"] = old["decimals"]
    legend = old.get("legend")
    options = panel.setdefault("options", {})
    if isinstance(legend, Mapping):
        calcs = [calc for key, calc in _LEGEND_CALCS.items() if legend.get(key)]
        options["legend"] = {
            "calcs": calcs,
            "displayMode": "table" if legend.get("alignAsTable") else "list",
            "placement": "right" if legend.get("rightSide") else "bottom",
            "showLegend": bool(legend.get("show", True)),
        }
        carried.append("legend")
    tooltip = old.get("tooltip")
    if isinstance(tooltip, Mapping):
        sort = {1: "asc", 2: "desc"}.get(tooltip.get("sort") or 0, "none")
        options["tooltip"] = {"mode": "multi" if tooltip.get("shared") else "single", "sort": sort}
        carried.append("tooltip")
    overrides = _alias_colour_overrides(old.get("aliasColors"))
    if overrides:
        panel["fieldConfig"]["overrides"] = [*panel["fieldConfig"]["overrides"], *overrides]
        carried.append("aliasColors")
    dropped = sorted(set(present) - {_carried_key(c) for c in carried} - {"lines", "bars", "points", "percentage"})
    return panel, _describe("graph", "timeseries", carried, dropped)


def _alias_colour_overrides(colours: Any) -> list[dict[str, Any]]:
    if not isinstance(colours, Mapping):
        return []
    return [
        {
            "matcher": {"id": "byName", "options": name},
            "properties": [{"id": "color", "value": {"fixedColor": colour, "mode": "fixed"}}],
        }
        for name, colour in sorted(colours.items())
    ]


def _singlestat(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    old, present = _take(panel, _SINGLESTAT_KEYS)
    gauge = isinstance(old.get("gauge"), Mapping) and bool(old["gauge"].get("show"))
    panel["type"] = "gauge" if gauge else "stat"
    defaults = _defaults(panel)
    carried: list[str] = []
    if old.get("format"):
        defaults["unit"] = old["format"]
        carried.append("format")
    if isinstance(old.get("decimals"), int):
        defaults["decimals"] = old["decimals"]
        carried.append("decimals")
    calc = _REDUCERS.get(str(old.get("valueName") or "avg"), "mean")
    options = panel.setdefault("options", {})
    options["reduceOptions"] = {"calcs": [calc], "fields": "", "values": False}
    carried.append("valueName")
    steps = _threshold_steps(old.get("thresholds"), old.get("colors"))
    if steps:
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
        carried.append("thresholds/colors")
    if gauge:
        carried.append("gauge")
    else:
        if old.get("colorBackground"):
            options["colorMode"] = "background"
        elif old.get("colorValue"):
            options["colorMode"] = "value"
        else:
            options["colorMode"] = "none"
        sparkline = old.get("sparkline")
        options["graphMode"] = "area" if isinstance(sparkline, Mapping) and sparkline.get("show") else "none"
        carried.extend(["colorBackground/colorValue", "sparkline"])
    mappings = _value_mappings(old.get("valueMaps"))
    if mappings:
        defaults["mappings"] = mappings
        carried.append("valueMaps")
    if old.get("nullText"):
        defaults["noValue"] = old["nullText"]
        carried.append("nullText")
    dropped = sorted(set(present) - {_carried_key(c) for c in carried} - {"colors", "colorValue", "colorBackground"})
    return panel, _describe("singlestat", str(panel["type"]), carried, dropped)


def _threshold_steps(thresholds: Any, colours: Any) -> list[dict[str, Any]]:
    """singlestat's ``"50,80"`` and three colours -> threshold steps with a null base."""
    if not isinstance(thresholds, str) or not thresholds.strip():
        return []
    palette = list(colours) if isinstance(colours, list) and colours else _DEFAULT_COLOURS
    values = [_number(part) for part in thresholds.split(",") if part.strip()]
    steps: list[dict[str, Any]] = [{"color": palette[0], "value": None}]
    for index, value in enumerate(values, start=1):
        steps.append({"color": palette[min(index, len(palette) - 1)], "value": value})
    return steps


def _value_mappings(value_maps: Any) -> list[dict[str, Any]]:
    if not isinstance(value_maps, list):
        return []
    options = {
        str(entry["value"]): {"text": str(entry.get("text", "")), "index": index}
        for index, entry in enumerate(value_maps)
        if isinstance(entry, Mapping) and "value" in entry and entry.get("value") != "null"
    }
    return [{"options": options, "type": "value"}] if options else []


def _table_old(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    old, present = _take(panel, _TABLE_OLD_KEYS)
    panel["type"] = "table"
    _defaults(panel)
    carried: list[str] = []
    overrides = []
    for style in old.get("styles") or []:
        if not isinstance(style, Mapping) or not style.get("pattern"):
            continue
        properties: list[dict[str, Any]] = []
        if style.get("alias"):
            properties.append({"id": "displayName", "value": style["alias"]})
        if style.get("unit") and style.get("type") == "number":
            properties.append({"id": "unit", "value": style["unit"]})
        if isinstance(style.get("decimals"), int):
            properties.append({"id": "decimals", "value": style["decimals"]})
        if style.get("type") == "hidden":
            properties.append({"id": "custom.hidden", "value": True})
        if properties and style["pattern"] != "/.*/":
            overrides.append({"matcher": {"id": "byName", "options": style["pattern"]}, "properties": properties})
    if overrides:
        panel["fieldConfig"]["overrides"] = [*panel["fieldConfig"]["overrides"], *overrides]
        carried.append("styles")
    transform = old.get("transform")
    transformation = {"timeseries_to_columns": "seriesToColumns", "timeseries_aggregations": "reduce"}.get(
        str(transform)
    )
    if transformation:
        panel["transformations"] = [*panel.get("transformations", []), {"id": transformation, "options": {}}]
        carried.append("transform")
    if "showHeader" in old:
        panel.setdefault("options", {})["showHeader"] = bool(old["showHeader"])
        carried.append("showHeader")
    dropped = sorted(set(present) - set(carried))
    return panel, _describe("table-old", "table", carried, dropped)


def _carried_key(description: str) -> str:
    return description.split("[")[0].split("/")[0]


def _describe(old: str, new: str, carried: list[str], dropped: list[str]) -> str:
    line = f"{old} -> {new} (Grafana's own upgrade): carried {', '.join(carried) or 'nothing'}"
    return line + (f"; dropped {', '.join(dropped)}" if dropped else "")


def _number(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value))
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


_UPGRADES: dict[str, Callable[[dict[str, Any]], tuple[dict[str, Any], str]]] = {
    "graph": _graph,
    "singlestat": _singlestat,
    "grafana-singlestat-panel": _singlestat,
    "table-old": _table_old,
}
