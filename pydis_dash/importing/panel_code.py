"""How a Grafana panel is expressed in code: the one module that knows the panel authoring API.

A panel on one of the project's data sources whose queries a helper writes becomes a helper call
(``prometheus("prometheus").timeseries("Title", expr=..., unit=...)``); what the helper does not produce goes
into ``options=``, ``field_config=`` or ``extra=`` (found by building and comparing, see
:mod:`.grafana_code`). Anything else (unknown plugins, mixed data sources, queries the helpers do not
write) becomes ``raw_panel({...})``. An authoring API rename is an edit here only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.datasource_ref import variable_name
from pydis_dash.grafana import graphite, prometheus, sql
from pydis_dash.importing.pysource import Code, Module, call
from pydis_dash.render.layout import default_size

AUTHORING_MODULE = "pydis_dash.grafana"

# Data source plugin id -> (helper, its query keyword, the target key holding the query). A helper is
# called with the data source's uid: ``sql("metricity").stat(...)``.
_HELPERS: dict[str, tuple[str, str, str]] = {
    "grafana-postgresql-datasource": ("sql", "sql", "rawSql"),
    "postgres": ("sql", "sql", "rawSql"),
    "prometheus": ("prometheus", "expr", "expr"),
    "graphite": ("graphite", "target", "target"),
}
_QUERY_HELPERS = {"sql": sql, "prometheus": prometheus, "graphite": graphite}
_HELPER_TYPES = frozenset({"timeseries", "stat", "table", "barchart", "bargauge", "piechart", "gauge"})
# Panel types whose SQL the helpers ask for as time series (the rest as tables).
_SQL_TIME_SERIES = frozenset({"timeseries"})
_PROM_INSTANT = frozenset({"stat", "gauge", "bargauge", "piechart", "table"})
_BASE_THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}

# Residual keys a helper accepts as its own options (the rest goes to ``extra=``).
_RESIDUAL_OPTIONS = {"options": "options", "fieldConfig.defaults": "field_config"}

SqlWriter = Callable[[str, str], str]
"""(panel title, SQL) -> the ``.sql`` file name to reference, or the SQL itself to keep it inline."""


@dataclass
class PanelCode:
    """One panel as code: a helper call or a raw panel, plus what building it must be given on top."""

    panel: dict[str, Any]  # the expected JSON
    helper: tuple[str, str, str] | None  # (helper, query keyword, target key), None for raw
    layout: dict[str, Any] = field(default_factory=dict)  # width/height or grid_pos
    residual: dict[str, Any] = field(default_factory=dict)  # found by building and comparing

    def make_raw(self) -> None:
        """Express this panel as ``raw_panel`` from now on (a helper could not reproduce it)."""
        self.helper = None
        self.residual = {}

    def source(self, module: Module, write_sql: SqlWriter) -> Code:
        """The expression for this panel, registering the imports it needs on ``module``."""
        if self.helper is None:
            return self._raw(module)
        return self._helper_call(module, write_sql)

    def _raw(self, module: Module) -> Code:
        name = module.use(AUTHORING_MODULE, "raw_panel")
        body = {k: v for k, v in self.panel.items() if k not in ("gridPos", "id")}
        if "id" in self.residual:
            body["id"] = self.residual["id"]
        return call(name, [body], self.layout)

    def _helper_call(self, module: Module, write_sql: SqlWriter) -> Code:
        assert self.helper is not None
        helper_name, keyword, key = self.helper
        panel = self.panel
        queries = [str(t[key]) for t in panel.get("targets", [])]
        if keyword == "sql":
            queries = [write_sql(str(panel.get("title", "")), query) for query in queries]
        kwargs: dict[str, Any] = {}
        args: list[Any] = [panel.get("title", "")]
        if len(queries) == 1:
            kwargs[keyword] = queries[0]
        else:
            args.extend(queries)
        kwargs.update(helper_options(panel, keyword))
        kwargs.update(self.layout)
        residual = dict(self.residual)
        for path, name in _RESIDUAL_OPTIONS.items():
            part = _pop_path(residual, path)
            if part:
                kwargs[name] = part
        if residual:
            kwargs["extra"] = residual
        helper = call(module.use(AUTHORING_MODULE, helper_name), [panel["datasource"]["uid"]])
        return call(f"{helper.text}.{panel['type']}", args, kwargs)


def express_panel(panel: dict[str, Any], project_uids: frozenset[str]) -> PanelCode:
    """A helper call when ``panel``'s data source is one of ``project_uids`` and a helper writes its
    queries, else a raw panel."""
    return PanelCode(panel, _helper_for(panel, project_uids))


def _helper_for(panel: Mapping[str, Any], project_uids: frozenset[str]) -> tuple[str, str, str] | None:
    if panel.get("type") not in _HELPER_TYPES or "libraryPanel" in panel:
        return None
    ref = panel.get("datasource")
    if not isinstance(ref, Mapping) or ref.get("type") not in _HELPERS:
        return None
    helper = _HELPERS[str(ref["type"])]
    if ref.get("uid") not in project_uids and not _on_variable(ref, helper[0]):
        return None
    targets = panel.get("targets") or []
    if not targets or any(t.get("datasource", ref) != ref or not isinstance(t.get(helper[2]), str) for t in targets):
        return None
    return helper


def _on_variable(ref: Mapping[str, Any], helper: str) -> bool:
    """Whether ``ref`` is a data source variable of the plugin ``helper`` writes for one."""
    uid = ref.get("uid")
    on_variable = isinstance(uid, str) and variable_name(uid) is not None
    return on_variable and ref.get("type") == _QUERY_HELPERS[helper].variable_type


def helper_options(panel: Mapping[str, Any], keyword: str) -> dict[str, Any]:
    """The readable helper options ``panel`` sets (unit, thresholds, legend...), in a fixed order."""
    options: dict[str, Any] = {}
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    if panel.get("description"):
        options["description"] = panel["description"]
    for key in ("unit", "decimals", "min", "max"):
        if key in defaults:
            options[key] = defaults[key]
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, Mapping) and thresholds != _BASE_THRESHOLDS and thresholds.get("mode") == "absolute":
        steps = thresholds.get("steps") or []
        if all(isinstance(s, Mapping) and set(s) == {"color", "value"} for s in steps):
            options["thresholds"] = [(s["value"], s["color"]) for s in steps]
    targets = panel.get("targets") or [{}]
    first = targets[0]
    if keyword == "sql":
        default_format = "time_series" if panel.get("type") in _SQL_TIME_SERIES else "table"
        if first.get("format", default_format) != default_format:
            options["format"] = first["format"]
    if keyword == "expr":
        if first.get("legendFormat"):
            options["legend"] = first["legendFormat"]
        instant = bool(first.get("instant"))
        if instant != (panel.get("type") in _PROM_INSTANT):
            options["instant"] = instant
    field_config = panel.get("fieldConfig") or {}
    if field_config.get("overrides"):
        options["overrides"] = field_config["overrides"]
    if panel.get("transformations"):
        options["transformations"] = panel["transformations"]
    return options


def layout_hint(panel_type: str, width: int, height: int) -> dict[str, Any]:
    """``width=``/``height=`` where they differ from the panel type's default size."""
    default_w, default_h = default_size(panel_type)
    hint: dict[str, Any] = {}
    if width != default_w:
        hint["width"] = width
    if height != default_h:
        hint["height"] = height
    return hint


def row_call(module: Module, title: str, panels: list[Code], collapsed: bool, extra: Mapping[str, Any]) -> Code:
    """``Row("title", [panels], collapsed=True, extra={...})``."""
    kwargs: dict[str, Any] = {}
    if collapsed:
        kwargs["collapsed"] = True
    if extra:
        kwargs["extra"] = dict(extra)
    return call(module.use(AUTHORING_MODULE, "Row"), [title, panels], kwargs)


def variable_call(module: Module, variable: Mapping[str, Any]) -> Code:
    """A template variable as code (``raw_variable({...})``: variables keep every field they set)."""
    return call(module.use(AUTHORING_MODULE, "raw_variable"), [dict(variable)])


def _pop_path(residual: dict[str, Any], path: str) -> Any:
    """Remove and return ``residual[a][b]`` for ``path`` ``"a.b"`` (dropping ``a`` when emptied)."""
    head, _, rest = path.partition(".")
    if not rest:
        return residual.pop(head, None)
    inner = residual.get(head)
    if not isinstance(inner, dict):
        return None
    value = _pop_path(inner, rest)
    if not inner:
        residual.pop(head, None)
    return value
