"""Current option defaults of the panel plugins pydis-dash's helpers emit.

Grafana fills these in when a dashboard is opened; writing them out keeps the rendered JSON valid
against each plugin's strict ``Options`` schema (which lists them as required) and keeps ``diff``
quiet after a deploy, because the live dashboard carries the same values. Values follow the
``default`` entries of grafana-foundation-sdk's plugin schemas (Grafana 11.6).
"""

from __future__ import annotations

import functools
from typing import Any

from pydis_dash.render.plain import copy_plain

_LEGEND: dict[str, Any] = {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": True}
_TOOLTIP: dict[str, Any] = {"mode": "single", "sort": "none"}
_REDUCE: dict[str, Any] = {"calcs": ["lastNotNull"], "fields": "", "values": False}

_OPTIONS: dict[str, dict[str, Any]] = {
    "timeseries": {"legend": _LEGEND, "tooltip": _TOOLTIP},
    "stat": {
        "colorMode": "value",
        "graphMode": "area",
        "justifyMode": "auto",
        "orientation": "auto",
        "percentChangeColorMode": "standard",
        "reduceOptions": _REDUCE,
        "showPercentChange": False,
        "textMode": "auto",
        "wideLayout": True,
    },
    "gauge": {
        "minVizHeight": 75,
        "minVizWidth": 75,
        "orientation": "auto",
        "reduceOptions": _REDUCE,
        "showThresholdLabels": False,
        "showThresholdMarkers": True,
        "sizing": "auto",
    },
    "bargauge": {
        "displayMode": "gradient",
        "legend": {**_LEGEND, "showLegend": False},
        "maxVizHeight": 300,
        "minVizHeight": 16,
        "minVizWidth": 8,
        "namePlacement": "auto",
        "orientation": "horizontal",
        "reduceOptions": _REDUCE,
        "showUnfilled": True,
        "sizing": "auto",
        "valueMode": "color",
    },
    "barchart": {
        "barWidth": 0.97,
        "fullHighlight": False,
        "groupWidth": 0.7,
        "legend": _LEGEND,
        "orientation": "auto",
        "showValue": "auto",
        "stacking": "none",
        "tooltip": _TOOLTIP,
        "xTickLabelMaxLength": 0,
        "xTickLabelRotation": 0,
    },
    "piechart": {
        "legend": {**_LEGEND, "placement": "right"},
        "orientation": "auto",
        "pieType": "pie",
        "reduceOptions": _REDUCE,
        "tooltip": _TOOLTIP,
    },
    "table": {"cellHeight": "sm", "frameIndex": 0, "showHeader": True},
    "text": {"content": "", "mode": "markdown"},
}

_CUSTOM: dict[str, dict[str, Any]] = {
    "timeseries": {
        "drawStyle": "line",
        "fillOpacity": 10,
        "lineInterpolation": "linear",
        "lineWidth": 1,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"group": "A", "mode": "none"},
    },
    "table": {"align": "auto", "inspect": False},
}


def default_options(panel_type: str) -> dict[str, Any]:
    """The plugin's default ``options`` (a fresh copy); ``{}`` for plugins without known defaults."""
    defaults: dict[str, Any] = copy_plain(_OPTIONS.get(panel_type, {}))
    return defaults


def default_custom(panel_type: str) -> dict[str, Any]:
    """The plugin's default ``fieldConfig.defaults.custom`` (a fresh copy)."""
    defaults: dict[str, Any] = copy_plain(_CUSTOM.get(panel_type, {}))
    return defaults


@functools.cache  # asked once per panel: the answer only depends on the plugin
def known_option_keys(panel_type: str) -> frozenset[str] | None:
    """Option keys the current plugin understands, or ``None`` when unknown (keep everything)."""
    options = _OPTIONS.get(panel_type)
    if options is None:
        return None
    extra = {
        "timeseries": {"timezone", "orientation"},
        "stat": {"text"},
        "gauge": {"text"},
        "bargauge": {"text"},
        "barchart": {"xField", "colorByField", "barRadius", "xTickLabelSpacing", "text"},
        "piechart": {"displayLabels", "text"},
        "table": {"showTypeIcons", "sortBy", "footer"},
        "text": {"code"},
    }.get(panel_type, set())
    return frozenset(options) | frozenset(extra)
