"""Panel helpers per query language, bound to one of the project's data sources by calling them.

``sql("uid or name")`` (PostgreSQL), ``prometheus("...")`` (PromQL) and ``graphite("...")`` (Graphite
targets); the name is resolved when the dashboard renders. A project that uses a data source often
names the bound helper once in its helper module (``metricity = sql("metricity")``).
"""

from __future__ import annotations

from typing import Any

from pydis_dash.grafana.panels import PanelOptions, QueryPanels
from pydis_dash.grafana.queries import GraphiteQuery, PromQuery, SqlQuery, read_sql

# Panels that draw time on the x axis want SQL rows shaped as time series.
_TIME_SERIES_PANELS = {"timeseries"}


def _sql(query: str, ref_id: str, panel_type: str, opts: PanelOptions) -> Any:
    default_format = "time_series" if panel_type in _TIME_SERIES_PANELS else "table"
    return SqlQuery(read_sql(query), format=opts.get("format", default_format), ref_id=ref_id)


def _promql(query: str, ref_id: str, panel_type: str, opts: PanelOptions) -> Any:
    instant = opts.get("instant", panel_type in {"stat", "gauge", "bargauge", "piechart", "table"})
    return PromQuery(query, legend=opts.get("legend", ""), instant=instant, ref_id=ref_id)


def _graphite(query: str, ref_id: str, panel_type: str, opts: PanelOptions) -> Any:
    return GraphiteQuery(query, ref_id=ref_id)


# Plugin ids each helper can query (Grafana renamed its PostgreSQL plugin; both ids are accepted).
_SQL_TYPES = frozenset({"grafana-postgresql-datasource", "postgres"})

#: ``sql("uid or name")``: SQL panels on a PostgreSQL data source of the project.
sql = QueryPanels(
    None,
    "sql",
    _sql,
    frozenset({"format"}),
    helper="sql",
    plugin_types=_SQL_TYPES,
    variable_type="grafana-postgresql-datasource",
)
#: ``prometheus("uid or name")``: PromQL panels on a Prometheus data source of the project.
prometheus = QueryPanels(
    None,
    "expr",
    _promql,
    frozenset({"legend", "instant"}),
    helper="prometheus",
    plugin_types=frozenset({"prometheus"}),
    variable_type="prometheus",
)
#: ``graphite("uid or name")``: Graphite target panels on a Graphite data source of the project.
graphite = QueryPanels(
    None, "target", _graphite, helper="graphite", plugin_types=frozenset({"graphite"}), variable_type="graphite"
)
