"""An application's statsd metrics, written once and rendered for Graphite or Prometheus.

An application sends statsd metrics under a prefix (``app``). graphite-statsd stores them as Graphite
paths (``stats_counts.app.commands.ban``); statsd_exporter exposes them to Prometheus under the names
its mapping gives (``app_command_calls{command="ban"}``). A dashboard describes *what* it shows once,
and :class:`BotDashboard` renders it for every store the project declares::

    from pydis_dash.grafana import Dashboard, Row
    from pydis_dash.grafana.bot import BotDashboard, BotStore, GraphiteStore, PrometheusStore, counter, top, total

    COMMANDS = counter("commands.*")
    STORES = (GraphiteStore("graphite", prefix="app"),
              PrometheusStore("prometheus", prefix="app", mappings=[("commands.*", "app_command_calls",
                                                                     {"command": "$1"})]))

    def build(store: BotStore) -> Dashboard:
        return Dashboard(uid="app-commands", title="Command usage", folder="App", rows=[
            Row("Overview", [store.stat("Commands run", total(COMMANDS, split=False)),
                             store.bargauge("Top 20", top(COMMANDS, 20))]),
        ])

    commands = BotDashboard(build, stores=STORES)

renders ``app-commands`` (Graphite) and ``app-commands-prom`` titled "... (Prometheus)".

A metric is its statsd name after the prefix with ``*`` for one name component (:func:`counter`,
:func:`gauge`, :func:`timer`; a project keeps its application's catalogue in its own helper module). An
operation (:func:`rate`, :func:`total`, :func:`top`, :func:`value`, :func:`quantile`, :func:`mean`) says
what to compute; a :class:`BotStore`'s panel methods turn operations into that store's query. Units
agree across stores: rates per second (or ``per=``), timer values in seconds.
"""

from __future__ import annotations

from pydis_dash.grafana.bot.dashboard import (
    BotDashboard,
)
from pydis_dash.grafana.bot.metrics import (
    BotMetric,
    ExporterMapping,
    MetricKind,
    PrometheusSeries,
    counter,
    gauge,
    prometheus_series,
    timer,
)
from pydis_dash.grafana.bot.operations import (
    BotQuery,
    mean,
    quantile,
    rate,
    top,
    total,
    value,
)
from pydis_dash.grafana.bot.stores import (
    BotStore,
    GraphiteStore,
    PrometheusStore,
    StoreQuery,
)

# The operations, the stores and BotDashboard, and the metric constructors.
__all__ = [
    "BotDashboard",
    "BotMetric",
    "BotQuery",
    "BotStore",
    "ExporterMapping",
    "GraphiteStore",
    "MetricKind",
    "PrometheusSeries",
    "PrometheusStore",
    "StoreQuery",
    "counter",
    "gauge",
    "mean",
    "prometheus_series",
    "quantile",
    "rate",
    "timer",
    "top",
    "total",
    "value",
]
