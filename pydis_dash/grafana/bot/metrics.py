"""statsd metrics by their name, and where statsd_exporter puts them in Prometheus.

A project declares its application's metrics (``counter("commands.*")``...) and its statsd_exporter
mapping (:data:`ExporterMapping` rules) in its own helper module; this module only knows statsd.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
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
    """A statsd metric: ``name`` after the application's prefix (its stores know it), ``*`` standing for
    one name component.

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


#: One statsd_exporter mapping rule: statsd glob -> (Prometheus name, labels). A label's value is "$1",
#: "$2"... for the glob's first, second... "*", else the fixed value statsd_exporter sets.
ExporterMapping = tuple[str, str, Mapping[str, str]]


@dataclass(frozen=True)
class PrometheusSeries:
    """Where statsd_exporter puts a metric: its name, fixed label matchers, and one label per ``*``."""

    name: str
    matchers: Mapping[str, str]
    labels: tuple[str, ...]


def prometheus_series(
    metric: BotMetric, mappings: Sequence[ExporterMapping] = (), prefix: str = ""
) -> PrometheusSeries:
    """statsd_exporter's name for ``metric``: the first of ``mappings`` whose glob matches, else the default.

    A ``*`` of the metric only matches a ``*`` of a glob (it stands for every value). Unmapped names
    become the statsd ``prefix`` and the name with dots as underscores (statsd_exporter's default),
    without labels.
    """
    parts = metric.parts
    for glob, name, labels in mappings:
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
    full_name = f"{prefix}.{metric.name}" if prefix else metric.name
    return PrometheusSeries(re.sub(r"[^A-Za-z0-9_]", "_", full_name), {}, ())
