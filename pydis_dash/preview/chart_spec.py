"""What the page's chart script needs to draw one panel: its type, field settings and data frames.

The spec is embedded in the page as JSON (``<script type="application/json">``) beside the panel's
box; ``charts.js`` draws it. Only settings that change the picture are passed: unit, decimals,
min/max, thresholds (with CSS colours), draw style and stacking, the panel's options (reduce
calculation, orientation, legend, pie type), and text content.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from pydis_dash.preview.fragments import css_colour
from pydis_dash.preview.panel_data import Frame

DRAWN_TYPES = frozenset({"timeseries", "barchart", "stat", "gauge", "bargauge", "table", "piechart", "heatmap", "text"})
"""Panel types the chart script draws; others keep the query text in their box."""


def chart_spec(panel: Mapping[str, Any], frames: Sequence[Frame]) -> Markup | None:
    """The JSON spec for ``panel`` (script-safe), or None when its type is not drawn."""
    panel_type = panel.get("type")
    if panel_type not in DRAWN_TYPES:
        return None
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    defaults = defaults if isinstance(defaults, Mapping) else {}
    custom = _mapping(defaults.get("custom"))
    options = _mapping(panel.get("options"))
    colour = _mapping(defaults.get("color"))
    spec = {
        "type": panel_type,
        "unit": defaults.get("unit") or "",
        "decimals": defaults.get("decimals"),
        "min": defaults.get("min"),
        "max": defaults.get("max"),
        "thresholds": _thresholds(defaults),
        "colorMode": colour.get("mode"),
        "custom": {key: custom[key] for key in ("drawStyle", "stacking", "fillOpacity", "lineWidth") if key in custom},
        "options": options,
        "frames": [frame.to_json() for frame in frames],
    }
    text = json.dumps(spec, sort_keys=True, default=str)
    # Inside <script>, "</" would end the element: write it as a JSON escape.
    return Markup(text.replace("<", "\\u003c"))


def _thresholds(defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    config = defaults.get("thresholds")
    steps = config.get("steps") if isinstance(config, Mapping) else None
    return [
        {"value": step.get("value"), "color": css_colour(str(step.get("color", "")))}
        for step in (steps if isinstance(steps, list) else ())
        if isinstance(step, Mapping)
    ]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# Metabase's ``display`` -> the Grafana panel type drawn the same way.
_QUESTION_DISPLAYS = {
    "table": "table",
    "scalar": "stat",
    "smartscalar": "stat",
    "gauge": "gauge",
    "progress": "bargauge",
    "line": "timeseries",
    "area": "timeseries",
    "bar": "barchart",
    "row": "barchart",
    "combo": "barchart",
    "pie": "piechart",
}


def question_chart_spec(body: Mapping[str, Any], frames: Sequence[Frame]) -> Markup | None:
    """The chart of a Metabase question's result: drawn as its ``display`` (a table when unknown)."""
    display = str(body.get("display") or "table")
    panel = {"type": _QUESTION_DISPLAYS.get(display, "table"), "options": {}}
    return chart_spec(panel, frames)


def rule_chart_spec(frames: Sequence[Frame], threshold: float | None) -> Markup | None:
    """An alert rule's queries as a time series over the range, its threshold as a red line."""
    steps: list[dict[str, Any]] = [{"value": None, "color": "green"}]
    if threshold is not None:
        steps.append({"value": threshold, "color": "red"})
    panel = {
        "type": "timeseries",
        "options": {"thresholdLine": threshold},
        "fieldConfig": {"defaults": {"thresholds": {"mode": "absolute", "steps": steps}}},
    }
    return chart_spec(panel, frames)
