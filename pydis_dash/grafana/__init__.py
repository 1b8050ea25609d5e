"""Authoring Grafana dashboards.

    from pydis_dash.grafana import Dashboard, Row, sql

    dashboard = Dashboard(uid="community-channels", title="Channel activity", folder="Community",
                          rows=[Row("Messages", [sql("metricity").timeseries("Messages per day", "messages.sql")])])

Helpers: :data:`sql`, :data:`prometheus`, :data:`graphite`, each called with the uid or name of one of
the project's data sources; :mod:`variables`, :func:`text`. Raw grafanalib panels are accepted in rows too.
"""

from pydis_dash.datasource import DataSource
from pydis_dash.grafana import bot, variables
from pydis_dash.grafana.dashboard import Dashboard, Row
from pydis_dash.grafana.panels import Panel, PanelOptions, text
from pydis_dash.grafana.queries import GraphiteQuery, PromQuery, SqlQuery
from pydis_dash.grafana.raw import raw_panel, raw_variable
from pydis_dash.grafana.stores import (
    GRAPHITE,
    METRICITY,
    PROMETHEUS,
    SITE_DB,
    graphite,
    metricity,
    prometheus,
    site_db,
    sql,
)

__all__ = [
    "GRAPHITE",
    "METRICITY",
    "PROMETHEUS",
    "SITE_DB",
    "Dashboard",
    "DataSource",
    "GraphiteQuery",
    "Panel",
    "PanelOptions",
    "PromQuery",
    "Row",
    "SqlQuery",
    "bot",
    "graphite",
    "metricity",
    "prometheus",
    "raw_panel",
    "raw_variable",
    "site_db",
    "sql",
    "text",
    "variables",
]
