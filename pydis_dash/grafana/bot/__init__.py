"""The bot's statsd metrics, written once and rendered for Graphite or Prometheus.

The bot sends statsd metrics (prefix ``bot``). graphite-statsd stored them as Graphite paths
(``stats_counts.bot.commands.ban``); since March 2026 statsd_exporter also exposes them to Prometheus
(``bot_command_calls{command="ban"}``). A dashboard describes *what* it shows once, and
:class:`BotDashboard` renders it for both stores::

    from pydis_dash.grafana import Dashboard, Row
    from pydis_dash.grafana.bot import COMMANDS, BotDashboard, BotStore, top, total

    @BotDashboard
    def commands(store: BotStore) -> Dashboard:
        return Dashboard(uid="bot-commands", title="Bot command usage", folder="Bot", rows=[
            Row("Overview", [store.stat("Commands run", total(COMMANDS, split=False)),
                             store.bargauge("Top 20", top(COMMANDS, 20))]),
        ])

renders ``bot-commands`` (Graphite) and ``bot-commands-prom`` titled "... (Prometheus)".

A metric is its statsd name after ``bot.`` with ``*`` for one name component (:func:`counter`,
:func:`gauge`, :func:`timer`; the bot's own are the constants at the end). An operation
(:func:`rate`, :func:`total`, :func:`top`, :func:`value`, :func:`quantile`, :func:`mean`) says what to
compute; a :class:`BotStore`'s panel methods turn operations into that store's query. Units agree
across stores: rates per second (or ``per=``), timer values in seconds.
"""

from __future__ import annotations

from pydis_dash.grafana.bot.dashboard import (
    BotDashboard,
)
from pydis_dash.grafana.bot.metrics import (
    BOOST_AMOUNT,
    BOOST_TIER,
    CHANNEL_MESSAGES,
    CODEBLOCK_CORRECTIONS,
    COMMANDS,
    DEFCON_LEAVES,
    DEFCON_THRESHOLD,
    DOC_FETCHES,
    ERRORS,
    EVENT_ERRORS,
    FILTERS,
    GUILD_MEMBERS,
    HELP_ANSWERED,
    HELP_CLAIMED,
    HELP_CLOSED,
    HELP_DORMANT_INVOKE,
    HELP_IN_USE,
    HELP_IN_USE_TIME,
    HELP_UNANSWERED,
    MESSAGES,
    PYTHON_NEWS_POSTED,
    RULE_USES,
    SLOWMODE,
    SNEKBOX_CHANNELS,
    SNEKBOX_RESULTS,
    SNEKBOX_ROLES,
    TAG_USAGES,
    VOICE_GATE_FAILED,
    VOICE_GATE_PASSED,
    BotMetric,
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
    BOT_STORES,
    GRAPHITE_STORE,
    PROMETHEUS_STORE,
    BotStore,
    GraphiteStore,
    PrometheusStore,
    StoreQuery,
)

# The operations, stores and BotDashboard, and every metric of the bot's catalogue.
__all__ = [
    "BOOST_AMOUNT",
    "BOOST_TIER",
    "BOT_STORES",
    "CHANNEL_MESSAGES",
    "CODEBLOCK_CORRECTIONS",
    "COMMANDS",
    "DEFCON_LEAVES",
    "DEFCON_THRESHOLD",
    "DOC_FETCHES",
    "ERRORS",
    "EVENT_ERRORS",
    "FILTERS",
    "GRAPHITE_STORE",
    "GUILD_MEMBERS",
    "HELP_ANSWERED",
    "HELP_CLAIMED",
    "HELP_CLOSED",
    "HELP_DORMANT_INVOKE",
    "HELP_IN_USE",
    "HELP_IN_USE_TIME",
    "HELP_UNANSWERED",
    "MESSAGES",
    "PROMETHEUS_STORE",
    "PYTHON_NEWS_POSTED",
    "RULE_USES",
    "SLOWMODE",
    "SNEKBOX_CHANNELS",
    "SNEKBOX_RESULTS",
    "SNEKBOX_ROLES",
    "TAG_USAGES",
    "VOICE_GATE_FAILED",
    "VOICE_GATE_PASSED",
    "BotDashboard",
    "BotMetric",
    "BotQuery",
    "BotStore",
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
