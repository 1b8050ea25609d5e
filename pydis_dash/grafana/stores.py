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

metricity = QueryPanels(METRICITY, "sql", _sql, _SQL_OPTIONS)
site_db = QueryPanels(SITE_DB, "sql", _sql, _SQL_OPTIONS)
prometheus = QueryPanels(PROMETHEUS, "expr", _promql, frozenset({"legend", "instant"}))
graphite = QueryPanels(GRAPHITE, "target", _graphite)
