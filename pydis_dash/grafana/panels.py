"""Panels: grafanalib panel objects plus the layout hints pydis-dash needs.

Query helpers (``sql("uid")``, ``prometheus("uid")``, ``graphite("uid")``) build :class:`Panel` values;
authors may also put any raw grafanalib panel in a :class:`~pydis_dash.grafana.Row` (escape hatch).
"""

from __future__ import annotations

import functools
import string
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import attr
import grafanalib.core as gl

from pydis_dash.argtypes import mapping_problem
from pydis_dash.datasource_ref import SourceName, variable_name
from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.render.layout import GridPos, default_size
from pydis_dash.render.plain import deep_merge

# grafanalib class per panel type; all share `title`, `dataSource`, `targets`, `extraJson`.
_GRAFANALIB_PANELS: dict[str, Callable[..., Any]] = {
    "timeseries": gl.TimeSeries,
    "stat": gl.Stat,
    "table": gl.Table,
    "bargauge": gl.BarGauge,
    "gauge": gl.GaugePanel,
    "barchart": gl.BarChart,
    "piechart": gl.PieChartv2,
    "text": gl.Text,
}


@dataclass(frozen=True)
class Panel:
    """A grafanalib panel with its size (or pinned ``grid_pos``) and the line that defined it.

    ``source`` is the data source a helper named, checked when the dashboard renders.
    """

    panel: Any
    width: int | None = None
    height: int | None = None
    grid_pos: GridPos | None = None
    defined_at: SourceLocation = field(default_factory=caller_location)
    source: SourceName | None = None

    @functools.cached_property  # it renders the whole grafanalib panel: once per panel, not per question
    def type(self) -> str:
        """The Grafana panel plugin id (``timeseries``, ``stat``...)."""
        return str(self.panel.to_json_data().get("type", ""))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), from the hints, else the panel type's default."""
        if self.grid_pos is not None:
            return self.grid_pos.w, self.grid_pos.h
        default_w, default_h = default_size(self.type)
        return self.width or default_w, self.height or default_h


class PanelOptions(TypedDict, total=False):
    """Options every panel helper accepts."""

    unit: str
    description: str
    width: int
    height: int
    grid_pos: tuple[int, int, int, int]  # (x, y, w, h), y relative to the row's top
    decimals: int
    min: float
    max: float
    thresholds: Sequence[tuple[float | None, str]]  # (value, colour); first value None = base
    legend: str  # Prometheus legend format, e.g. "{{view}}"
    format: str  # SQL result format: "time_series" or "table"
    instant: bool  # Prometheus instant query
    options: Mapping[str, Any]  # merged into the panel's `options`
    field_config: Mapping[str, Any]  # merged into `fieldConfig.defaults`
    overrides: Sequence[Mapping[str, Any]]
    transformations: Sequence[Mapping[str, Any]]
    extra: Mapping[str, Any]  # merged into the panel JSON last: anything the helpers lack
    sql: str  # the query, for SQL stores (inline, or a .sql file beside the definition)
    expr: str  # the query, for Prometheus
    target: str  # the query, for Graphite


# The keyword each store names its query by; the others are errors, not silently ignored options.
_QUERY_KEYWORDS = frozenset({"sql", "expr", "target"})
# Options that shape one store's queries; given to another store's helper they would be ignored.
_QUERY_OPTIONS = frozenset({"legend", "format", "instant"})
_LANGUAGES = {"sql": "SQL", "expr": "PromQL", "target": "Graphite"}


def ref_ids(count: int) -> list[str]:
    """Grafana refIds for a panel's ``count`` queries, in order: ``A``..``Z``, then ``AA``, ``AB``..."""
    ids = []
    for index in range(count):
        letters = ""
        index += 1
        while index:
            index, remainder = divmod(index - 1, 26)
            letters = string.ascii_uppercase[remainder] + letters
        ids.append(letters)
    return ids


@functools.cache
def _option_types() -> dict[str, Any]:
    """The resolved annotations of :class:`PanelOptions`: what each option expects."""
    return typing.get_type_hints(PanelOptions)


def _query_type_problem(keyword: str, queries: Sequence[Any]) -> str | None:
    """Why a query is not text (``sql=None``), worded for the store's keyword; or None."""
    what = "the query, or a .sql file beside the definition" if keyword == "sql" else "the query"
    for query in queries:
        if not isinstance(query, str):
            return f"option {keyword!r} expects a string ({what}), got {type(query).__name__} {query!r:.40}"
    return None


def unknown_options(opts: Mapping[str, Any]) -> list[str]:
    """The keywords in ``opts`` that are not :class:`PanelOptions`, sorted."""
    return sorted(set(opts) - set(PanelOptions.__annotations__))


# (query text, refId, panel type, options) -> a target object with `to_json_data`.
QueryBuilder = Callable[[str, str, str, PanelOptions], Any]


def build_panel(
    panel_type: str,
    title: str,
    datasource: Mapping[str, str] | SourceName | None,
    targets: Sequence[Any],
    opts: PanelOptions,
    defined_at: SourceLocation,
) -> Panel:
    """Build a :class:`Panel` of ``panel_type`` from helper options (shared by every helper)."""
    factory = _GRAFANALIB_PANELS.get(panel_type)
    if factory is None:
        raise DefinitionError(f"unknown panel type {panel_type!r}", defined_at, f"panel {title!r}")
    defaults: dict[str, Any] = {}
    for key in ("unit", "decimals", "min", "max"):
        if key in opts:
            defaults[key] = opts[key]  # type: ignore[literal-required]
    if "thresholds" in opts:
        steps = [{"color": colour, "value": value} for value, colour in opts["thresholds"]]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    defaults = deep_merge(defaults, opts.get("field_config", {}))
    extra: dict[str, Any] = {"fieldConfig": {"defaults": defaults}}
    if "options" in opts:
        extra["options"] = dict(opts["options"])
    if "overrides" in opts:
        extra["fieldConfig"]["overrides"] = list(opts["overrides"])
    if "transformations" in opts:
        extra["transformations"] = list(opts["transformations"])
    extra = deep_merge(extra, opts.get("extra", {}))
    kwargs: dict[str, Any] = {"title": title, "targets": list(targets), "extraJson": extra}
    # grafanalib defaults that differ from Grafana's: a 100-point cap blurs week-long graphs, and
    # Stat's noValue "none" prints the word "none". Unset, Grafana picks its own defaults.
    fields = attr.fields_dict(factory)  # type: ignore[arg-type]
    kwargs.update({name: None for name in ("maxDataPoints", "noValue") if name in fields})
    if isinstance(datasource, SourceName):
        kwargs["dataSource"] = datasource.name  # a name or uid: rendering resolves it to {type, uid}
    elif datasource is not None:
        kwargs["dataSource"] = dict(datasource)
    if "description" in opts:
        kwargs["description"] = opts["description"]
    grid = None
    if "grid_pos" in opts:
        values = opts["grid_pos"]
        if not isinstance(values, list | tuple) or len(values) != 4 or not all(type(v) is int for v in values):
            raise DefinitionError(
                f"grid_pos must be (x, y, w, h) in grid cells, not {values!r}", defined_at, f"panel {title!r}"
            )
        grid = GridPos(*values)
    return Panel(
        panel=factory(**kwargs),
        width=opts.get("width"),
        height=opts.get("height"),
        grid_pos=grid,
        defined_at=defined_at,
        source=datasource if isinstance(datasource, SourceName) else None,
    )


class QueryPanels:
    """Panel helpers of one query language, bound to a data source by calling them with its uid or
    name: ``sql("metricity").timeseries("Title", "query.sql")``.

    Each method takes a title, one or more queries (positional, or the store's keyword: ``sql=``,
    ``expr=`` or ``target=``) and :class:`PanelOptions`. The name is resolved when the dashboard
    renders; an unknown one, or one of another plugin type, is an error at the panel's line.

    A dashboard's data source variable (``prometheus("${datasource}")``, ``$ds`` or ``[[ds]]``) is kept
    as written, with ``variable_type`` as the plugin type, as Grafana writes a panel on a variable: the
    panel queries whichever data source is chosen on the dashboard (``validate`` checks the variable).
    """

    def __init__(
        self,
        datasource: Mapping[str, str] | SourceName | None,
        keyword: str,
        make_query: QueryBuilder,
        query_options: frozenset[str] = frozenset(),
        *,
        helper: str = "",
        plugin_types: frozenset[str] = frozenset(),
        variable_type: str = "",
    ):
        self.datasource = dict(datasource) if isinstance(datasource, Mapping) else datasource
        self.keyword = keyword
        self.query_options = query_options  # which of legend/format/instant `make_query` reads
        self.helper = helper or keyword
        self.plugin_types = plugin_types  # the plugin ids a named data source may have
        self.variable_type = variable_type  # the plugin id of panels on a data source variable
        self._make_query = make_query

    def __call__(self, source: str) -> QueryPanels:
        """These helpers bound to the data source with uid or name ``source`` (or a data source variable)."""
        where = caller_location()
        if not isinstance(source, str) or not source.strip():
            raise DefinitionError(f"{self.helper}(...) takes a data source uid or name, not {source!r}", where)
        datasource: Mapping[str, str] | SourceName
        if variable_name(source) is not None and self.variable_type:
            datasource = {"type": self.variable_type, "uid": source}
        else:
            datasource = SourceName(source, self.helper, self.plugin_types)
        return QueryPanels(
            datasource,
            self.keyword,
            self._make_query,
            self.query_options,
            helper=self.helper,
            plugin_types=self.plugin_types,
            variable_type=self.variable_type,
        )

    def panel(self, panel_type: str, title: str, *queries: str, **opts: Any) -> Panel:
        """A panel of any plugin type (the named methods below cover the common ones)."""
        where = caller_location()
        if self.datasource is None:
            raise DefinitionError(
                f'name the data source first: {self.helper}("uid").{panel_type}(...)', where, f"panel {title!r}"
            )
        if self.keyword in opts:
            queries = (*queries, opts.pop(self.keyword))
        misplaced = sorted(_QUERY_KEYWORDS & set(opts))
        if misplaced:
            raise DefinitionError(
                f"this store takes its query as {self.keyword}=, not {', '.join(k + '=' for k in misplaced)}",
                where,
                f"panel {title!r}",
            )
        unknown = unknown_options(opts)
        if unknown:
            raise DefinitionError(f"unknown option(s): {', '.join(unknown)}", where, f"panel {title!r}")
        checked = {key: value for key, value in opts.items() if key != "grid_pos"}  # build_panel says more
        wrong_type = _query_type_problem(self.keyword, queries) or mapping_problem(checked, _option_types())
        if wrong_type:
            raise DefinitionError(wrong_type, where, f"panel {title!r}")
        ignored = sorted((_QUERY_OPTIONS - self.query_options) & set(opts))
        if ignored:
            takes = ", ".join(k + "=" for k in sorted(self.query_options))
            language = _LANGUAGES.get(self.keyword, self.keyword)
            raise DefinitionError(
                f"{', '.join(k + '=' for k in ignored)} does not apply to {language} queries"
                + (f" (they take {takes})" if takes else ""),
                where,
                f"panel {title!r}",
            )
        if not queries and panel_type != "text":
            raise DefinitionError(f"no query given (pass {self.keyword}=...)", where, f"panel {title!r}")
        typed: PanelOptions = opts  # type: ignore[assignment]
        targets = [
            self._make_query(query, ref_id, panel_type, typed)
            for query, ref_id in zip(queries, ref_ids(len(queries)), strict=True)
        ]
        return build_panel(panel_type, title, self.datasource, targets, typed, where)

    def timeseries(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """A time series graph."""
        return self.panel("timeseries", title, *queries, **opts)

    def stat(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """A single big number."""
        return self.panel("stat", title, *queries, **opts)

    def table(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """A table of rows."""
        return self.panel("table", title, *queries, **opts)

    def barchart(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """Bars over a categorical x axis (e.g. hour of day)."""
        return self.panel("barchart", title, *queries, **opts)

    def bargauge(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """Horizontal bars ranking values (top N)."""
        return self.panel("bargauge", title, *queries, **opts)

    def piechart(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """Shares of a whole."""
        return self.panel("piechart", title, *queries, **opts)

    def gauge(self, title: str, *queries: str, **opts: Unpack[PanelOptions]) -> Panel:
        """A value against its range (e.g. connections vs max)."""
        return self.panel("gauge", title, *queries, **opts)


def text(title: str, content: str, **opts: Unpack[PanelOptions]) -> Panel:
    """A Markdown text panel (notes, links to runbooks)."""
    where = caller_location()
    unknown = sorted(set(unknown_options(opts)) | ((_QUERY_KEYWORDS | _QUERY_OPTIONS) & set(opts)))
    if unknown:
        raise DefinitionError(f"unknown option(s) for a text panel: {', '.join(unknown)}", where, f"panel {title!r}")
    merged: PanelOptions = {
        **opts,
        "options": {"mode": "markdown", "content": content, **opts.get("options", {})},
    }
    return build_panel("text", title, None, [], merged, where)
