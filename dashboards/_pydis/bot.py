"""The Python Discord bot's statsd metrics: its catalogue, statsd_exporter's mapping, and its two stores.

The bot sends statsd metrics with the prefix ``bot``; graphite-statsd keeps them in the ``graphite``
data source, and (since March 2026) statsd_exporter exposes them to the ``prometheus`` one. Bot
dashboards use :class:`BotDashboard` from here, which renders each for both stores.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydis_dash.grafana import bot as statsd
from pydis_dash.grafana.bot import BotStore, ExporterMapping, GraphiteStore, PrometheusStore, counter, gauge, timer

PREFIX = "bot"

# statsd_exporter's mapping (infra: kubernetes/namespaces/monitoring/statsd/configmap.yaml), in
# order: statsd glob -> (Prometheus name, labels). A label's value is "$1", "$2"... for the glob's
# first, second... "*", else the fixed value statsd_exporter sets.
STATSD_EXPORTER_MAPPINGS: tuple[ExporterMapping, ...] = (
    ("channels.*", "bot_channel_messages", {"channel": "$1"}),
    ("commands.*", "bot_command_calls", {"command": "$1"}),
    ("tags.usages.*", "bot_tag_usages", {"tag": "$1"}),
    ("errors.unexpected", "bot_errors", {"event": "none", "error_type": "unexpected"}),
    ("errors.event.*", "bot_errors", {"event": "$1", "error_type": "none"}),
    ("errors.*", "bot_errors", {"error_type": "$1", "event": "none"}),
    ("help.dormant_invoke.*", "bot_help_dormant_invoke", {"invoker": "$1"}),
    ("slowmode.*", "bot_slowmode", {"channel": "$1"}),
    ("filters.*", "bot_filter_activations", {"filter": "$1"}),
    ("voice_gate.failed.*", "bot_voice_gate_fail_reason", {"reason": "$1"}),
    ("snekbox.python.*", "bot_snekbox_python_executions", {"result": "$1"}),
    ("snekbox_usages.roles.*", "bot_snekbox_role_usages", {"role": "$1"}),
    ("snekbox_usages.channels.*", "bot_snekbox_channel_usages", {"channel": "$1"}),
    ("python_news.posted.*", "bot_python_news_posted", {"source": "$1"}),
    ("rule_uses.*", "bot_rule_uses", {"rule": "$1"}),
    ("doc_fetches.*", "bot_doc_fetches", {"library": "$1"}),
    ("help.dormant_calls.*.*", "bot_help_dormant_calls", {"invoker": "$1", "reason": "$2"}),
)


GRAPHITE_STORE = GraphiteStore("graphite", prefix=PREFIX)
PROMETHEUS_STORE = PrometheusStore("prometheus", prefix=PREFIX, mappings=STATSD_EXPORTER_MAPPINGS)


@dataclass(frozen=True)
class BotDashboard(statsd.BotDashboard):
    """A bot dashboard: ``@BotDashboard`` on a ``build(store) -> Dashboard`` renders it for Graphite and
    Prometheus."""

    stores: tuple[BotStore, ...] = (GRAPHITE_STORE, PROMETHEUS_STORE)


# The bot's metrics (python-discord/bot: bot/exts/...), named as the bot sends them after "bot.".
MESSAGES = counter("messages")
CHANNEL_MESSAGES = counter("channels.*")
COMMANDS = counter("commands.*")
TAG_USAGES = counter("tags.usages.*")
DOC_FETCHES = counter("doc_fetches.*")
RULE_USES = counter("rule_uses.*")
PYTHON_NEWS_POSTED = counter("python_news.posted.*")
CODEBLOCK_CORRECTIONS = counter("codeblock_corrections", "codeblock corrections")
GUILD_MEMBERS = gauge("guild.total_members", "members")
BOOST_AMOUNT = gauge("boost.amount", "boosts")
BOOST_TIER = gauge("boost.tier", "boost tier")
HELP_CLAIMED = counter("help.claimed", "opened")
HELP_IN_USE = gauge("help.total.in_use", "in use")
HELP_CLOSED = counter("help.dormant_calls.*.*", "closed")
HELP_IN_USE_TIME = timer("help.in_use_time", "time in use")
HELP_ANSWERED = counter("help.sessions.answered", "answered")
HELP_UNANSWERED = counter("help.sessions.unanswered", "unanswered")
HELP_DORMANT_INVOKE = counter("help.dormant_invoke.*")
ERRORS = counter("errors.*")
EVENT_ERRORS = counter("errors.event.*")
FILTERS = counter("filters.*")
DEFCON_LEAVES = counter("defcon.leaves", "DEFCON kicks")
DEFCON_THRESHOLD = gauge("defcon.threshold", "DEFCON threshold")
SLOWMODE = gauge("slowmode.*")
VOICE_GATE_FAILED = counter("voice_gate.failed.*")
VOICE_GATE_PASSED = counter("voice_gate.passed", "passed")
SNEKBOX_RESULTS = counter("snekbox.python.*")
SNEKBOX_ROLES = counter("snekbox_usages.roles.*")
SNEKBOX_CHANNELS = counter("snekbox_usages.channels.*")
