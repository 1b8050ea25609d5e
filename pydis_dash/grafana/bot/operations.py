"""What to compute from a bot metric, independent of the store: rate, total, top, value, quantile, mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.bot.metrics import BotMetric, MetricKind

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
    if q not in GRAPHITE_TIMER_FIELDS:
        raise DefinitionError(f"quantile {q} is not kept by both stores (use 0.5 or 0.9)", caller_location())
    return BotQuery("quantile", metric, q=q)


def mean(metric: BotMetric) -> BotQuery:
    """A timer's mean measurement, in seconds."""
    _require(metric, (MetricKind.TIMER,), "mean")
    return BotQuery("mean", metric)


_SECONDS = {"1s": 1, "1m": 60, "1h": 3600, "1d": 86400}
# graphite-statsd's timer fields (percentThreshold 90) for the quantiles statsd_exporter also keeps.
GRAPHITE_TIMER_FIELDS = {0.5: "median", 0.9: "upper_90"}


def _require(metric: BotMetric, kinds: Sequence[MetricKind], operation: str) -> None:
    if metric.kind not in kinds:
        allowed = " or ".join(kind.value for kind in kinds)
        raise DefinitionError(
            f"{operation}() needs a {allowed}, {metric.name!r} is a {metric.kind.value}", caller_location()
        )
