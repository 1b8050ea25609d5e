"""Bot metrics by their statsd name, the bot's own catalogue, and where statsd_exporter puts them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError

WILDCARD = "*"


class MetricKind(StrEnum):
    """The statsd metric types the bot sends."""

    COUNTER = "counter"
    GAUGE = "gauge"
    TIMER = "timer"


@dataclass(frozen=True)
class BotMetric:
    """A statsd metric: ``name`` after the ``bot.`` prefix, ``*`` standing for one name component.

    ``label`` names the single series in legends (default: the statsd name). ``selected`` holds a
    value (often a template variable, ``"$tag"``) for each ``*``, or ``None`` to keep it open.
    """

    name: str
    kind: MetricKind
    label: str = ""
    selected: tuple[str | None, ...] = ()

    @property
    def parts(self) -> list[str]:
        """The statsd name's dot-separated components."""
        return self.name.split(".")

    @property
    def wildcards(self) -> list[int]:
        """Indexes (in :attr:`parts`) of the ``*`` components."""
        return [index for index, part in enumerate(self.parts) if part == WILDCARD]

    @property
    def legend(self) -> str:
        """The name of the metric's single (summed) series."""
        return self.label or self.name

    def select(self, *values: str | None) -> BotMetric:
        """The same metric narrowed to ``values``, one per ``*`` (``None`` keeps that one open)."""
        if len(values) != len(self.wildcards):
            raise DefinitionError(
                f"{self.name!r} has {len(self.wildcards)} '*' component(s), select() got {len(values)} value(s)",
                caller_location(),
            )
        return dataclasses.replace(self, selected=tuple(values))

    def value_at(self, wildcard: int) -> str | None:
        """The selected value of the ``wildcard``-th ``*``, if any."""
        return self.selected[wildcard] if self.selected else None


def counter(name: str, label: str = "") -> BotMetric:
    """A statsd counter (``stats.incr``)."""
    return BotMetric(name, MetricKind.COUNTER, label)


def gauge(name: str, label: str = "") -> BotMetric:
    """A statsd gauge (``stats.gauge``)."""
    return BotMetric(name, MetricKind.GAUGE, label)


def timer(name: str, label: str = "") -> BotMetric:
    """A statsd timer (``stats.timing``, milliseconds)."""
    return BotMetric(name, MetricKind.TIMER, label)


# statsd_exporter's mapping (infra: kubernetes/namespaces/monitoring/statsd/configmap.yaml), in
# order: statsd glob -> (Prometheus name, labels). A label's value is "$1", "$2"... for the glob's
# first, second... "*", else the fixed value statsd_exporter sets.
_PROMETHEUS_MAPPINGS: tuple[tuple[str, str, Mapping[str, str]], ...] = (
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


@dataclass(frozen=True)
class PrometheusSeries:
    """Where statsd_exporter puts a metric: its name, fixed label matchers, and one label per ``*``."""

    name: str
    matchers: Mapping[str, str]
    labels: tuple[str, ...]


def prometheus_series(metric: BotMetric) -> PrometheusSeries:
    """statsd_exporter's name for ``metric``: the first mapping whose glob matches, else the default name.

    A ``*`` of the metric only matches a ``*`` of a glob (it stands for every value). Unmapped names
    become ``bot_`` plus the name with dots as underscores, without labels.
    """
    parts = metric.parts
    for glob, name, labels in _PROMETHEUS_MAPPINGS:
        glob_parts = glob.split(".")
        if len(glob_parts) != len(parts):
            continue
        # A glob "*" captures any one component; a metric "*" only matches a glob "*".
        if not all(glob_part in (part, WILDCARD) for glob_part, part in zip(glob_parts, parts, strict=True)):
            continue
        # The n-th glob "*" captured parts[glob_stars[n]]: a literal (fixed label) or the metric's "*".
        glob_stars = [index for index, part in enumerate(glob_parts) if part == WILDCARD]
        matchers: dict[str, str] = {}
        open_labels: list[str] = []
        for label, template in labels.items():
            if not template.startswith("$"):
                matchers[label] = template
                continue
            captured = parts[glob_stars[int(template[1:]) - 1]]
            if captured == WILDCARD:
                open_labels.append(label)
            else:
                matchers[label] = captured
        open_labels.sort(key=lambda label: labels[label])  # the order of the metric's "*"s
        return PrometheusSeries(name, matchers, tuple(open_labels))
    if metric.wildcards:
        raise DefinitionError(
            f"{metric.name!r}: statsd_exporter has no mapping for it, so its '*' has no Prometheus label",
            caller_location(),
        )
    return PrometheusSeries("bot_" + re.sub(r"[^A-Za-z0-9_]", "_", metric.name), {}, ())


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
