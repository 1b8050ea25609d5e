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

import dataclasses
import re
import string
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Unpack

from pydis_dash.definition import Definition, RenderContext, caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.dashboard import Dashboard
from pydis_dash.grafana.panels import Panel, PanelOptions, build_panel
from pydis_dash.grafana.queries import GraphiteQuery, PromQuery
from pydis_dash.grafana.stores import GRAPHITE, PROMETHEUS
from pydis_dash.grafana.variables import Variable, query
from pydis_dash.model import Resource

__all__ = [
    "BOT_STORES",
    "GRAPHITE_STORE",
    "PROMETHEUS_STORE",
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


Operation = Literal["rate", "total", "top", "value", "quantile", "mean"]


@dataclass(frozen=True)
class BotQuery:
    """What to compute from a metric, independent of the store (build with :func:`rate` etc.)."""

    operation: Operation
    metric: BotMetric
    split: bool = True
    per_seconds: int = 1
    limit: int = 0
    q: float = 0.0


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


def rate(metric: BotMetric, *, per: Literal["1s", "1m", "1h", "1d"] = "1s", split: bool = True) -> BotQuery:
    """Events per second (or per ``per``) of a counter, or of a timer's measurements.

    ``split``: one series per value of the metric's ``*`` (else their sum).
    """
    _require(metric, (MetricKind.COUNTER, MetricKind.TIMER), "rate")
    return BotQuery("rate", metric, split=split, per_seconds=_SECONDS[per])


def total(metric: BotMetric, *, split: bool = True) -> BotQuery:
    """Events over the dashboard's time range (one value per series) of a counter or a timer."""
    _require(metric, (MetricKind.COUNTER, MetricKind.TIMER), "total")
    return BotQuery("total", metric, split=split)


def top(metric: BotMetric, limit: int) -> BotQuery:
    """The ``limit`` values of the metric's ``*`` with the most events over the time range, largest first."""
    _require(metric, (MetricKind.COUNTER,), "top")
    if len(metric.wildcards) != 1 or limit < 1:
        raise DefinitionError(f"top() needs a metric with one '*' and a limit >= 1: {metric.name!r}", caller_location())
    return BotQuery("top", metric, limit=limit)


def value(metric: BotMetric, *, split: bool = True) -> BotQuery:
    """A gauge's value: its history in a graph, the latest in a stat."""
    _require(metric, (MetricKind.GAUGE,), "value")
    return BotQuery("value", metric, split=split)


def quantile(metric: BotMetric, q: float) -> BotQuery:
    """A timer's ``q`` quantile, in seconds: 0.5 or 0.9, the ones both stores keep."""
    _require(metric, (MetricKind.TIMER,), "quantile")
    if q not in _GRAPHITE_TIMER_FIELDS:
        raise DefinitionError(f"quantile {q} is not kept by both stores (use 0.5 or 0.9)", caller_location())
    return BotQuery("quantile", metric, q=q)


def mean(metric: BotMetric) -> BotQuery:
    """A timer's mean measurement, in seconds."""
    _require(metric, (MetricKind.TIMER,), "mean")
    return BotQuery("mean", metric)


_SECONDS = {"1s": 1, "1m": 60, "1h": 3600, "1d": 86400}
# graphite-statsd's timer fields (percentThreshold 90) for the quantiles statsd_exporter also keeps.
_GRAPHITE_TIMER_FIELDS = {0.5: "median", 0.9: "upper_90"}


def _require(metric: BotMetric, kinds: Sequence[MetricKind], operation: str) -> None:
    if metric.kind not in kinds:
        allowed = " or ".join(kind.value for kind in kinds)
        raise DefinitionError(
            f"{operation}() needs a {allowed}, {metric.name!r} is a {metric.kind.value}", caller_location()
        )


@dataclass(frozen=True)
class StoreQuery:
    """An operation rendered for one store: the query text, its legend, and whether it is instant."""

    text: str
    legend: str = ""
    instant: bool | None = None  # None: the panel type decides (instant for single-value panels)


# Panels that reduce each series to one value: the latest, so both stores show the same number.
_SINGLE_VALUE_PANELS = {"stat", "gauge", "bargauge", "piechart"}
# Per-store query options: a bot panel's operations decide them (and its queries are positional).
_STORE_DECIDES = {"legend", "format", "instant", "sql", "expr", "target"}


class BotStore(ABC):
    """A store of the bot's metrics: panels, variables and the dashboard variant for that store."""

    name: str
    datasource: Mapping[str, str]
    uid_suffix: str
    title_suffix: str

    @abstractmethod
    def render(self, bot_query: BotQuery) -> StoreQuery:
        """The store's query for ``bot_query``."""

    @abstractmethod
    def variable(
        self, name: str, metric: BotMetric, *, sample: str, label: str | None = None,
        multi: bool = False, include_all: bool = False,
    ) -> Variable:  # fmt: skip
        """A template variable over the values of the metric's first ``*``; ``sample`` is its current value."""

    @abstractmethod
    def _target(self, rendered: StoreQuery, ref_id: str, panel_type: str) -> Any: ...

    def panel(self, panel_type: str, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """A panel of any type whose queries are rendered for this store (options as for every helper)."""
        where = caller_location()
        unknown = sorted((set(opts) - set(PanelOptions.__annotations__)) | (set(opts) & _STORE_DECIDES))
        if unknown:
            raise DefinitionError(f"unknown option(s) for a bot panel: {', '.join(unknown)}", where, f"panel {title!r}")
        if not queries:
            raise DefinitionError("no query given", where, f"panel {title!r}")
        options: PanelOptions = opts
        if panel_type in _SINGLE_VALUE_PANELS and "reduceOptions" not in opts.get("options", {}):
            reduce = {"calcs": ["lastNotNull"], "values": False}
            options = {**opts, "options": {**opts.get("options", {}), "reduceOptions": reduce}}
        targets = [
            self._target(self.render(bot_query), ref_id, panel_type)
            for bot_query, ref_id in zip(queries, string.ascii_uppercase, strict=False)
        ]
        return build_panel(panel_type, title, self.datasource, targets, options, where)

    def timeseries(self, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """A time series graph."""
        return self.panel("timeseries", title, *queries, **opts)

    def stat(self, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """A single big number (the latest value of each query)."""
        return self.panel("stat", title, *queries, **opts)

    def bargauge(self, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """Horizontal bars ranking values (top N)."""
        return self.panel("bargauge", title, *queries, **opts)

    def piechart(self, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """Shares of a whole."""
        return self.panel("piechart", title, *queries, **opts)

    def adapt(self, dashboard: Dashboard) -> Dashboard:
        """The dashboard as this store's variant: uid and title suffixed, the store's name as a tag."""
        tags = tuple(dashboard.tags) if self.name in dashboard.tags else (*dashboard.tags, self.name)
        variant = dataclasses.replace(
            dashboard, uid=dashboard.uid + self.uid_suffix, title=dashboard.title + self.title_suffix, tags=tags
        )
        object.__setattr__(variant, "defined_at", dashboard.defined_at)  # the author's line, not ours
        return variant


class GraphiteStore(BotStore):
    """graphite-statsd's naming: ``stats.bot.X`` (rate), ``stats_counts.bot.X``, ``stats.gauges.bot.X``,
    ``stats.timers.bot.X.<field>``."""

    name = "graphite"
    datasource = GRAPHITE
    uid_suffix = ""
    title_suffix = ""

    def render(self, bot_query: BotQuery) -> StoreQuery:
        """A Graphite target; series are named like the Prometheus legends."""
        metric, op = bot_query.metric, bot_query.operation
        if op == "rate":
            series = "count_ps" if metric.kind == MetricKind.TIMER else "rate"
            expr = self.path(metric, series)
            if bot_query.per_seconds != 1:
                expr = f"scale({expr}, {bot_query.per_seconds})"
            return StoreQuery(self._name_series(expr, metric, bot_query.split))
        if op == "total":
            expr = _summarize_range(self.path(metric, "count"))
            return StoreQuery(self._name_series(expr, metric, bot_query.split))
        if op == "top":
            ranked = f"limit(sortByTotal({_summarize_range(self.path(metric, 'count'))}), {bot_query.limit})"
            return StoreQuery(self._name_series(ranked, metric, True))
        if op == "value":
            return StoreQuery(self._name_series(self.path(metric, "value"), metric, bot_query.split))
        field = "mean" if op == "mean" else _GRAPHITE_TIMER_FIELDS[bot_query.q]
        seconds = f"scale({self.path(metric, field)}, 0.001)"  # statsd timers are in milliseconds
        return StoreQuery(f"alias({seconds}, '{_timer_legend(bot_query)}')")

    def variable(
        self, name: str, metric: BotMetric, *, sample: str, label: str | None = None,
        multi: bool = False, include_all: bool = False,
    ) -> Variable:  # fmt: skip
        """A ``query`` variable over the metric tree, up to the metric's first ``*``."""
        if not metric.wildcards:
            raise DefinitionError(f"{metric.name!r} has no '*' to make a variable of", caller_location())
        series = "value" if metric.kind == MetricKind.GAUGE else "count"
        nodes = self.path(dataclasses.replace(metric, selected=()), series).split(".")
        tree = ".".join(nodes[: self.nodes(metric)[0] + 1])
        return query(name, GRAPHITE, tree, label=label, multi=multi, include_all=include_all, sample=(sample, sample))

    def path(self, metric: BotMetric, series: str) -> str:
        """The Graphite path of ``metric``: ``series`` is ``rate`` or ``count`` (counters), else a timer field."""
        parts = list(metric.parts)
        for number, index in enumerate(metric.wildcards):
            parts[index] = metric.value_at(number) or WILDCARD
        name = ".".join(parts)
        if metric.kind == MetricKind.TIMER:
            return f"stats.timers.bot.{name}.{series}"
        if metric.kind == MetricKind.GAUGE:
            return f"stats.gauges.bot.{name}"
        return f"stats_counts.bot.{name}" if series == "count" else f"stats.bot.{name}"

    def nodes(self, metric: BotMetric) -> list[int]:
        """Graphite node indexes of the metric's ``*`` components (for ``aliasByNode``)."""
        prefix = {MetricKind.COUNTER: 2, MetricKind.GAUGE: 3, MetricKind.TIMER: 3}[metric.kind]
        return [prefix + index for index in metric.wildcards]

    def _name_series(self, expr: str, metric: BotMetric, split: bool) -> str:
        if metric.wildcards and split:
            return f"aliasByNode({expr}, {', '.join(map(str, self.nodes(metric)))})"
        if metric.wildcards:
            expr = f"sumSeries({expr})"
        return f"alias({expr}, '{metric.legend}')"

    def _target(self, rendered: StoreQuery, ref_id: str, panel_type: str) -> Any:
        return GraphiteQuery(rendered.text, ref_id=ref_id)


def _summarize_range(expr: str) -> str:
    """One point per series: the sum over the whole requested range (a bucket longer than any range,
    aligned to its start)."""
    return f"summarize({expr}, '100y', 'sum', true)"


def _timer_legend(bot_query: BotQuery) -> str:
    which = "mean" if bot_query.operation == "mean" else f"p{round(bot_query.q * 100)}"
    return f"{bot_query.metric.legend} {which}"


class PrometheusStore(BotStore):
    """statsd_exporter's naming (see :func:`prometheus_series`); timers are summaries in seconds."""

    name = "prometheus"
    datasource = PROMETHEUS
    uid_suffix = "-prom"
    title_suffix = " (Prometheus)"

    def render(self, bot_query: BotQuery) -> StoreQuery:
        """A PromQL expression and its legend format."""
        metric, op = bot_query.metric, bot_query.operation
        series = prometheus_series(metric)
        count_suffix = "_count" if metric.kind == MetricKind.TIMER else ""
        if op == "rate":
            expr = f"rate({self.selector(metric, count_suffix)}[$__rate_interval])"
            summed, legend = self._aggregate(expr, metric, series, bot_query.split)
            scaled = summed if bot_query.per_seconds == 1 else f"{summed} * {bot_query.per_seconds}"
            return StoreQuery(scaled, legend)
        if op in ("total", "top"):
            expr = f"increase({self.selector(metric, count_suffix)}[$__range])"
            summed, legend = self._aggregate(expr, metric, series, bot_query.split or op == "top")
            if op == "top":
                summed = f"sort_desc(topk({bot_query.limit}, {summed}))"
            return StoreQuery(summed, legend, instant=True)
        if op == "value":
            return StoreQuery(*self._aggregate(self.selector(metric), metric, series, bot_query.split))
        if op == "mean":
            window = "[$__rate_interval]"
            total_seconds = f"sum(rate({self.selector(metric, '_sum')}{window}))"
            count = f"sum(rate({self.selector(metric, '_count')}{window}))"
            return StoreQuery(f"{total_seconds} / {count}", _timer_legend(bot_query))
        return StoreQuery(f"max({self.selector(metric, quantile=bot_query.q)})", _timer_legend(bot_query))

    def variable(
        self, name: str, metric: BotMetric, *, sample: str, label: str | None = None,
        multi: bool = False, include_all: bool = False,
    ) -> Variable:  # fmt: skip
        """``label_values(<series>, <label of the first *>)``."""
        series = prometheus_series(metric)
        if not series.labels:
            raise DefinitionError(f"{metric.name!r} has no '*' to make a variable of", caller_location())
        selector = self.selector(dataclasses.replace(metric, selected=()))
        values = f"label_values({selector}, {series.labels[0]})"
        return query(
            name, PROMETHEUS, values, label=label, multi=multi, include_all=include_all, sample=(sample, sample)
        )

    def selector(self, metric: BotMetric, suffix: str = "", quantile: float | None = None) -> str:
        """The series selector: fixed labels, selected values (``=~`` for ``$variables``), a quantile."""
        series = prometheus_series(metric)
        matchers = [f'{label}="{fixed}"' for label, fixed in series.matchers.items()]
        for number, label in enumerate(series.labels):
            chosen = metric.value_at(number)
            if chosen is not None:
                matchers.append(f'{label}=~"{chosen}"' if chosen.startswith("$") else f'{label}="{chosen}"')
        if quantile is not None:
            matchers.append(f'quantile="{quantile}"')
        return series.name + suffix + ("{" + ", ".join(matchers) + "}" if matchers else "")

    def _aggregate(self, expr: str, metric: BotMetric, series: PrometheusSeries, split: bool) -> tuple[str, str]:
        """Sum away exporter labels (job, instance): by the metric's ``*`` labels when split."""
        if split and series.labels:
            legend = ".".join("{{" + label + "}}" for label in series.labels)
            return f"sum by ({', '.join(series.labels)}) ({expr})", legend
        return f"sum({expr})", metric.legend

    def _target(self, rendered: StoreQuery, ref_id: str, panel_type: str) -> Any:
        instant = rendered.instant if rendered.instant is not None else panel_type in _SINGLE_VALUE_PANELS
        return PromQuery(rendered.text, legend=rendered.legend, instant=instant, ref_id=ref_id)


GRAPHITE_STORE = GraphiteStore()
PROMETHEUS_STORE = PrometheusStore()
BOT_STORES: tuple[BotStore, ...] = (GRAPHITE_STORE, PROMETHEUS_STORE)


@dataclass(frozen=True)
class BotDashboard(Definition):
    """A dashboard written once as ``build(store) -> Dashboard``, rendered for every store in ``stores``.

    Use it as a decorator on the build function. The Graphite variant keeps the uid and title; the
    Prometheus one gets ``-prom`` and `` (Prometheus)``; each gets its store's name as a tag.
    """

    build: Callable[[BotStore], Dashboard]
    stores: tuple[BotStore, ...] = BOT_STORES
    dashboards: tuple[Dashboard, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Built at load time, so a mistake in `build` is reported at the author's line straight away.
        object.__setattr__(self, "dashboards", tuple(store.adapt(self.build(store)) for store in self.stores))

    @property
    def identity(self) -> str:
        """``bot dashboard 'bot-help' (+ 'bot-help-prom')``."""
        first, *others = (dashboard.uid for dashboard in self.dashboards)
        return f"bot dashboard {first!r}" + "".join(f" (+ {uid!r})" for uid in others)

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The resources of every store's dashboard (their shared folder comes once per dashboard)."""
        return [resource for dashboard in self.dashboards for resource in dashboard.render(ctx)]


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

__all__ += [name for name, item in dict(globals()).items() if isinstance(item, BotMetric)]
