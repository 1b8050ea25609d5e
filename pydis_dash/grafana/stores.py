"""The community's data stores and their panel helpers.

``metricity`` (Discord activity, PostgreSQL), ``site_db`` (the site's PostgreSQL), ``prometheus``
(site/API and exporters) and ``graphite`` (the bot's statsd metrics). The uids match the data source
definitions in ``datasources/``.
"""

from __future__ import annotations

from typing import Any

from pydis_dash.grafana.panels import PanelOptions, QueryPanels
from pydis_dash.grafana.queries import GraphiteQuery, PromQuery, SqlQuery, read_sql

METRICITY = {"type": "grafana-postgresql-datasource", "uid": "metricity"}
SITE_DB = {"type": "grafana-postgresql-datasource", "uid": "site-db"}
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
GRAPHITE = {"type": "graphite", "uid": "graphite"}

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


_SQL_OPTIONS = frozenset({"format"})
_PROMQL_OPTIONS = frozenset({"legend", "instant"})
# Plugin ids each helper can query (Grafana renamed its PostgreSQL plugin; both ids are accepted).
_SQL_TYPES = frozenset({"grafana-postgresql-datasource", "postgres"})
_PROMQL_TYPES = frozenset({"prometheus"})
_GRAPHITE_TYPES = frozenset({"graphite"})

#: ``sql("uid or name")``: SQL panels on a PostgreSQL data source of the project.
sql = QueryPanels(None, "sql", _sql, _SQL_OPTIONS, helper="sql", plugin_types=_SQL_TYPES)
metricity = QueryPanels(METRICITY, "sql", _sql, _SQL_OPTIONS, helper="sql")
site_db = QueryPanels(SITE_DB, "sql", _sql, _SQL_OPTIONS, helper="sql")
#: ``prometheus("uid or name")``: PromQL panels (called bare, the legacy ``prometheus`` data source).
prometheus = QueryPanels(PROMETHEUS, "expr", _promql, _PROMQL_OPTIONS, helper="prometheus", plugin_types=_PROMQL_TYPES)
#: ``graphite("uid or name")``: Graphite target panels (called bare, the legacy ``graphite`` data source).
graphite = QueryPanels(GRAPHITE, "target", _graphite, helper="graphite", plugin_types=_GRAPHITE_TYPES)
