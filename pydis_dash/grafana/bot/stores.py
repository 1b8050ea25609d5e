"""The stores of an application's statsd metrics: each translates operations, variables and panels as its
own queries. A store is bound to one of the project's data sources (uid or name) and the statsd prefix
the application sends its metrics under."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack

from pydis_dash.datasource_ref import SourceName
from pydis_dash.definition import MAX_UID, caller_location, is_valid_uid
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.bot.metrics import (
    WILDCARD,
    BotMetric,
    ExporterMapping,
    MetricKind,
    PrometheusSeries,
    prometheus_series,
)
from pydis_dash.grafana.bot.operations import GRAPHITE_TIMER_FIELDS, BotQuery
from pydis_dash.grafana.dashboard import Dashboard
from pydis_dash.grafana.panels import Panel, PanelOptions, build_panel, ref_ids, unknown_options
from pydis_dash.grafana.queries import GraphiteQuery, PromQuery
from pydis_dash.grafana.variables import Variable, query


@dataclass(frozen=True)
class StoreQuery:
    """An operation translated for one store: the query text, its legend, and whether it is instant."""

    text: str
    legend: str = ""
    instant: bool | None = None  # None: the panel type decides (instant for single-value panels)


# Panels that reduce each series to one value: the latest, so both stores show the same number.
_SINGLE_VALUE_PANELS = {"stat", "gauge", "bargauge", "piechart"}
# Per-store query options: a bot panel's operations decide them (and its queries are positional).
_STORE_DECIDES = {"legend", "format", "instant", "sql", "expr", "target"}


class BotStore(ABC):
    """A store of statsd metrics: panels, variables and the dashboard variant for that store.

    ``datasource`` is the uid or name of the project's data source holding the metrics; ``prefix`` the
    statsd prefix the application sends them under (``bot`` for ``bot.commands.ban``).
    """

    name: str
    uid_suffix: str
    title_suffix: str
    plugin_types: frozenset[str]

    def __init__(self, datasource: str, *, prefix: str) -> None:
        self.datasource = SourceName(datasource, f"{type(self).__name__}", self.plugin_types)
        self.prefix = prefix

    @abstractmethod
    def translate(self, bot_query: BotQuery) -> StoreQuery:
        """The store's query for ``bot_query``."""

    def variable(
        self, name: str, metric: BotMetric, *, sample: str, label: str | None = None,
        multi: bool = False, include_all: bool = False,
    ) -> Variable:  # fmt: skip
        """A template variable over the values of the metric's first ``*``; ``sample`` is its current value."""
        values = self._variable_query(metric)
        return query(
            name,
            str(self.datasource.name),
            values,
            label=label,
            multi=multi,
            include_all=include_all,
            sample=(sample, sample),
        )

    @abstractmethod
    def _variable_query(self, metric: BotMetric) -> str:
        """The query listing the values of the metric's first ``*``."""

    @abstractmethod
    def _target(self, translated: StoreQuery, ref_id: str, panel_type: str) -> Any: ...

    def panel(self, panel_type: str, title: str, *queries: BotQuery, **opts: Unpack[PanelOptions]) -> Panel:
        """A panel of any type whose queries are translated for this store (options as for every helper)."""
        where = caller_location()
        unknown = sorted(set(unknown_options(opts)) | (set(opts) & _STORE_DECIDES))
        if unknown:
            raise DefinitionError(f"unknown option(s) for a bot panel: {', '.join(unknown)}", where, f"panel {title!r}")
        if not queries:
            raise DefinitionError("no query given", where, f"panel {title!r}")
        options: PanelOptions = opts
        if panel_type in _SINGLE_VALUE_PANELS and "reduceOptions" not in opts.get("options", {}):
            reduce = {"calcs": ["lastNotNull"], "values": False}
            options = {**opts, "options": {**opts.get("options", {}), "reduceOptions": reduce}}
        targets = [
            self._target(self.translate(bot_query), ref_id, panel_type)
            for bot_query, ref_id in zip(queries, ref_ids(len(queries)), strict=True)
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
        uid = dashboard.uid + self.uid_suffix
        if not is_valid_uid(uid):
            raise DefinitionError(
                f"its {self.name} variant's uid {uid!r} is over {MAX_UID} characters: shorten the uid",
                dashboard.defined_at,
                dashboard.identity,
            )
        tags = tuple(dashboard.tags) if self.name in dashboard.tags else (*dashboard.tags, self.name)
        variant = dataclasses.replace(dashboard, uid=uid, title=dashboard.title + self.title_suffix, tags=tags)
        object.__setattr__(variant, "defined_at", dashboard.defined_at)  # the author's line, not ours
        return variant


class GraphiteStore(BotStore):
    """graphite-statsd's naming: ``stats.bot.X`` (rate), ``stats_counts.bot.X``, ``stats.gauges.bot.X``,
    ``stats.timers.bot.X.<field>``."""

    name = "graphite"
    uid_suffix = ""
    title_suffix = ""
    plugin_types = frozenset({"graphite"})

    def translate(self, bot_query: BotQuery) -> StoreQuery:
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
        field = "mean" if op == "mean" else GRAPHITE_TIMER_FIELDS[bot_query.q]
        seconds = f"scale({self.path(metric, field)}, 0.001)"  # statsd timers are in milliseconds
        return StoreQuery(f"alias({seconds}, '{_timer_legend(bot_query)}')")

    def _variable_query(self, metric: BotMetric) -> str:
        """The metric tree up to the metric's first ``*``."""
        if not metric.wildcards:
            raise DefinitionError(f"{metric.name!r} has no '*' to make a variable of", caller_location())
        series = "value" if metric.kind == MetricKind.GAUGE else "count"
        nodes = self.path(dataclasses.replace(metric, selected=()), series).split(".")
        return ".".join(nodes[: self.nodes(metric)[0] + 1])

    def path(self, metric: BotMetric, series: str) -> str:
        """The Graphite path of ``metric``: ``series`` is ``rate`` or ``count`` (counters), else a timer field."""
        parts = list(metric.parts)
        for number, index in enumerate(metric.wildcards):
            parts[index] = metric.value_at(number) or WILDCARD
        name = ".".join(parts)
        if metric.kind == MetricKind.TIMER:
            return f"stats.timers.{self.prefix}.{name}.{series}"
        if metric.kind == MetricKind.GAUGE:
            return f"stats.gauges.{self.prefix}.{name}"
        return f"stats_counts.{self.prefix}.{name}" if series == "count" else f"stats.{self.prefix}.{name}"

    def nodes(self, metric: BotMetric) -> list[int]:
        """Graphite node indexes of the metric's ``*`` components (for ``aliasByNode``)."""
        # graphite-statsd's own nodes before the prefix: stats_counts | stats.gauges | stats.timers.
        statsd_nodes = {MetricKind.COUNTER: 1, MetricKind.GAUGE: 2, MetricKind.TIMER: 2}[metric.kind]
        first = statsd_nodes + len(self.prefix.split("."))
        return [first + index for index in metric.wildcards]

    def _name_series(self, expr: str, metric: BotMetric, split: bool) -> str:
        if metric.wildcards and split:
            return f"aliasByNode({expr}, {', '.join(map(str, self.nodes(metric)))})"
        if metric.wildcards:
            expr = f"sumSeries({expr})"
        return f"alias({expr}, '{metric.legend}')"

    def _target(self, translated: StoreQuery, ref_id: str, panel_type: str) -> Any:
        return GraphiteQuery(translated.text, ref_id=ref_id)


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
    uid_suffix = "-prom"
    title_suffix = " (Prometheus)"
    plugin_types = frozenset({"prometheus"})

    def __init__(self, datasource: str, *, prefix: str, mappings: Sequence[ExporterMapping] = ()) -> None:
        """``mappings``: the project's statsd_exporter mapping rules, in order (unmapped metrics get
        statsd_exporter's default name)."""
        super().__init__(datasource, prefix=prefix)
        self.mappings = tuple(mappings)

    def series(self, metric: BotMetric) -> PrometheusSeries:
        """Where statsd_exporter puts ``metric`` (see :func:`prometheus_series`)."""
        return prometheus_series(metric, self.mappings, self.prefix)

    def translate(self, bot_query: BotQuery) -> StoreQuery:
        """A PromQL expression and its legend format."""
        metric, op = bot_query.metric, bot_query.operation
        series = self.series(metric)
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

    def _variable_query(self, metric: BotMetric) -> str:
        """``label_values(<series>, <label of the first *>)``."""
        series = self.series(metric)
        if not series.labels:
            raise DefinitionError(f"{metric.name!r} has no '*' to make a variable of", caller_location())
        selector = self.selector(dataclasses.replace(metric, selected=()))
        return f"label_values({selector}, {series.labels[0]})"

    def selector(self, metric: BotMetric, suffix: str = "", quantile: float | None = None) -> str:
        """The series selector: fixed labels, selected values (``=~`` for ``$variables``), a quantile."""
        series = self.series(metric)
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

    def _target(self, translated: StoreQuery, ref_id: str, panel_type: str) -> Any:
        instant = translated.instant if translated.instant is not None else panel_type in _SINGLE_VALUE_PANELS
        return PromQuery(translated.text, legend=translated.legend, instant=instant, ref_id=ref_id)
