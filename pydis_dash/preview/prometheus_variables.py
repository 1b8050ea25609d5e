"""What a Prometheus query variable offers, asked of the sample Prometheus as Grafana asks it.

A Prometheus variable's query is one of Grafana's functions (its ``metric_find_query``), each answered
by one of Prometheus' read endpoints over the dashboard's time range:

=============================  =====================================================================
``label_names()``              ``/api/v1/labels`` (with ``match[]`` for ``label_names(selector)``)
``label_values(label)``        ``/api/v1/label/<label>/values`` (with ``match[]`` for
                               ``label_values(selector, label)``)
``metrics(regex)``             the metric names (``/api/v1/label/__name__/values``) the regex finds
``query_result(query)``        an instant query at the range's end, a line per series:
                               ``name{label="value",...} value timestamp_ms``
anything else                  the series it selects (``/api/v1/series``), as ``name{label="value",...}``
=============================  =====================================================================

The variable's ``regex`` and ``sort`` then apply (:mod:`.variable_options`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Protocol

from pydis_dash.validate.engines.prometheus_api import EvaluationError
from pydis_dash.validate.engines.promql_expand import IntervalSettings, expand
from pydis_dash.validate.queries import Query

_LABEL_NAMES = re.compile(r"^label_names\((.*)\)\s*$")
_LABEL_VALUES = re.compile(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$")
_METRICS = re.compile(r"^metrics\((.+)\)\s*$")
_QUERY_RESULT = re.compile(r"^query_result\((.+)\)\s*$")


class ReadApi(Protocol):
    """The part of :class:`~pydis_dash.validate.engines.prometheus_api.PrometheusApi` this module reads with."""

    def read(self, path: str, params: dict[str, str]) -> Any: ...


def prometheus_variable_values(api: ReadApi, query: Query, end: float | None, range_s: float) -> list[str] | str:
    """The results of a Prometheus variable's query over the ``range_s`` seconds before ``end`` (now
    when None), before the variable's regex; or why Prometheus could not answer."""
    end = end if end is not None else time.time()
    text = expand(query.text.strip(), query.variables, IntervalSettings(at=end))
    window = {"start": f"{end - range_s:.3f}", "end": f"{end:.3f}"}
    if match := _LABEL_NAMES.match(text):
        return _strings(api.read("/api/v1/labels", _matching(match.group(1), window)))
    if match := _LABEL_VALUES.match(text):
        return _strings(api.read(f"/api/v1/label/{match.group(2)}/values", _matching(match.group(1), window)))
    if match := _METRICS.match(text):
        return _metric_names(api.read("/api/v1/label/__name__/values", window), match.group(1))
    if match := _QUERY_RESULT.match(text):
        return _query_result_lines(api.read("/api/v1/query", {"query": match.group(1), "time": f"{end:.3f}"}))
    found = api.read("/api/v1/series", {"match[]": text, **window})
    if isinstance(found, EvaluationError):
        return found.message
    return [_series_name(labels) for labels in found or () if isinstance(labels, Mapping)]


def _matching(selector: str | None, window: dict[str, str]) -> dict[str, str]:
    """The window, narrowed to ``selector``'s series unless it is blank or ``{}`` (Grafana's
    ``isFilterDefined``)."""
    if selector is None or selector.replace(" ", "") in ("", "{}"):
        return window
    return {"match[]": selector, **window}


def _strings(found: Any) -> list[str] | str:
    if isinstance(found, EvaluationError):
        return found.message
    return [str(value) for value in found or ()]


def _metric_names(found: Any, pattern: str) -> list[str] | str:
    """The names the pattern finds anywhere in them (a JavaScript ``RegExp.test``, not anchored)."""
    from pydis_dash.preview.variable_options import VariableRegexError, js_regex

    names = _strings(found)
    if isinstance(names, str):
        return names
    try:
        regex, _ = js_regex(f"/{pattern}/")
    except VariableRegexError as error:
        return str(error)
    return [name for name in names if regex.search(name)]


def _query_result_lines(found: Any) -> list[str] | str:
    if isinstance(found, EvaluationError):
        return found.message
    kind = found.get("resultType") if isinstance(found, Mapping) else None
    result = found.get("result") if isinstance(found, Mapping) else None
    if kind in ("scalar", "string") and isinstance(result, list):
        return [str(result[1]) if len(result) > 1 and result[1] else ""]
    if kind != "vector" or not isinstance(result, list):
        return f"query_result() cannot list a {kind} result"
    lines = []
    for item in result:
        labels, (at, value) = item.get("metric") or {}, item.get("value") or (0, "")
        lines.append(f"{_series_name(labels)} {value} {_js_number(float(at) * 1000)}")
    return lines


def _series_name(labels: Mapping[str, Any]) -> str:
    """``name{label="value",...}``: Grafana's ``getOriginalMetricName``, labels in Prometheus' order."""
    pairs = ",".join(f'{key}="{value}"' for key, value in labels.items() if key != "__name__")
    return f"{labels.get('__name__', '')}{{{pairs}}}"


def _js_number(value: float) -> str:
    """A number as JavaScript prints it (``1700000000123``, not ``1700000000123.0``)."""
    return str(int(value)) if value.is_integer() else repr(value)
