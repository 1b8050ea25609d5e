"""The series the throwaway Prometheus holds: parse the series list, write it as OpenMetrics.

The list (a Prometheus data source's ``check: schema`` file) names every metric that Prometheus
scrapes, with realistic label sets. Each line is one metric family::

    TYPE NAME{label="a|b", first+second="x+1|y+2"} [OPTION=VALUE ...]

``TYPE`` is ``counter``, ``gauge``, ``histogram`` or ``summary``; ``NAME`` is the name queries use
(for histograms and summaries the base name: ``_bucket``/``_count``/``_sum`` are added). ``|``
separates alternative values and every combination becomes a series; ``first+second`` zips labels
whose values belong together (``datid+datname="16384+site|16385+metricity"``). Options:
``buckets=NAME`` (a histogram's ``le`` set, declared by ``@buckets NAME 0.01 0.1 ...``),
``quantiles=0.5,0.9``, ``value=1`` (a constant gauge), ``range=LOW..HIGH`` (gauge values).
``@labels job="site" instance="a|b"`` sets labels added to every following line. ``#`` starts a
comment.

The samples follow the shapes of the data source's sample generator (``check.sample_data``, see
:mod:`pydis_dash.sample.series`) over the two hours before the sample data's ``now``; they are
deterministic (seed, ``now``), so the TSDB built from them is cached by those and the list's hash:
counters only increase, histogram buckets are cumulative and ``_count`` equals the ``+Inf`` bucket.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.sample import SampleContext
from pydis_dash.sample.series import Series, SeriesSample, SeriesSampler

# The seeded window: two hours ending at the sample data's "now", one sample per scrape interval.
STEP_S = 30
SAMPLES_PER_SERIES = 240

DEFAULT_QUANTILES = (0.5, 0.9, 0.99)  # statsd_exporter's summary defaults
KINDS = ("counter", "gauge", "histogram", "summary")

_LINE = re.compile(r"^(?P<kind>\w+)\s+(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(?P<labels>[^}]*)\})?(?P<options>.*)$")
_MATCHER = re.compile(r'\s*(?P<keys>[A-Za-z_][A-Za-z0-9_+]*)\s*=\s*"(?P<value>[^"]*)"\s*,?')


@dataclass(frozen=True)
class Family:
    """One metric family of the series list and the label sets of its series."""

    kind: str
    name: str
    label_sets: tuple[tuple[tuple[str, str], ...], ...]
    buckets: tuple[float, ...] = ()
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    constant: float | None = None
    value_range: tuple[float, float] = (0.0, 100.0)

    def sample_names(self) -> tuple[str, ...]:
        """The metric names this family puts in Prometheus."""
        if self.kind == "histogram":
            return (f"{self.name}_bucket", f"{self.name}_count", f"{self.name}_sum")
        if self.kind == "summary":
            return (self.name, f"{self.name}_count", f"{self.name}_sum")
        return (self.name,)


@dataclass
class _ParseState:
    labels: list[list[tuple[tuple[str, str], ...]]] = field(default_factory=list)
    buckets: dict[str, tuple[float, ...]] = field(default_factory=dict)


def parse_series(text: str, source: str = "series list") -> list[Family]:
    """Parse a series list; a bad line raises :class:`DefinitionError` naming the file and line."""
    state = _ParseState()
    families: list[Family] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        try:
            family = _parse_line(line, state)
        except ValueError as exc:
            raise DefinitionError(str(exc), SourceLocation(Path(source), number)) from None
        if family is not None:
            families.append(family)
    return families


def _parse_line(line: str, state: _ParseState) -> Family | None:
    if line.startswith("@labels"):
        state.labels = _label_alternatives(line.removeprefix("@labels"))
        return None
    if line.startswith("@buckets"):
        name, *values = line.removeprefix("@buckets").split()
        state.buckets[name] = tuple(sorted(float(v) for v in values))
        return None
    match = _LINE.match(line)
    if not match or match.group("kind") not in KINDS:
        raise ValueError(f"expected 'TYPE name{{labels}} [options]' with TYPE one of {', '.join(KINDS)}: {line!r}")
    kind, name = match.group("kind"), match.group("name")
    groups = state.labels + _label_alternatives(match.group("labels") or "")
    label_sets = tuple(tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*groups))
    family = Family(kind, name, label_sets)
    for key, value in _options(match.group("options")):
        family = _with_option(family, key, value, state)
    if kind == "histogram" and not family.buckets:
        raise ValueError(f"histogram {name} needs buckets=NAME (declared with @buckets)")
    return family


def _label_alternatives(text: str) -> list[list[tuple[tuple[str, str], ...]]]:
    """One list per matcher: the alternative (label, value) tuples it allows."""
    groups: list[list[tuple[tuple[str, str], ...]]] = []
    text = text.strip()
    position = 0
    for match in _MATCHER.finditer(text):
        if match.start() != position:
            break
        position = match.end()
        keys = match.group("keys").split("+")
        alternatives = []
        for alternative in match.group("value").split("|"):
            values = alternative.split("+") if len(keys) > 1 else [alternative]
            if len(values) != len(keys):
                raise ValueError(f"{'+'.join(keys)}: {alternative!r} does not have {len(keys)} '+'-separated values")
            alternatives.append(tuple(zip(keys, values, strict=True)))
        groups.append(alternatives)
    if position != len(text):
        raise ValueError(f'cannot read labels at {text[position:]!r}: expected name="value|value"')
    return groups


def _options(text: str) -> Iterator[tuple[str, str]]:
    for item in text.split():
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"option {item!r} is not KEY=VALUE")
        yield key, value


def _with_option(family: Family, key: str, value: str, state: _ParseState) -> Family:
    if key == "buckets" and family.kind == "histogram":
        if value not in state.buckets:
            raise ValueError(f"unknown bucket set {value!r} (declare it with @buckets)")
        return replace(family, buckets=state.buckets[value])
    if key == "quantiles" and family.kind == "summary":
        return replace(family, quantiles=tuple(float(q) for q in value.split(",")))
    if key == "value" and family.kind == "gauge":
        return replace(family, constant=float(value))
    if key == "range" and family.kind == "gauge":
        low, _, high = value.partition("..")
        return replace(family, value_range=(float(low), float(high)))
    raise ValueError(f"option {key!r} does not apply to a {family.kind}")


def go_float(value: float) -> str:
    """A bucket bound or quantile as Prometheus client libraries print it (``1.0``, ``+Inf``, ``1.048576e+06``)."""
    if value == float("inf"):
        return "+Inf"
    text = repr(float(value))
    dot = text.find(".")
    if value > 0 and dot > 6 and "e" not in text:
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1 :]}".rstrip("0").rstrip(".")
        return f"{mantissa}e+0{dot - 1}"
    return text


def window(context: SampleContext) -> list[float]:
    """The seeded sample times: the two hours before ``context.now``, :data:`STEP_S` apart (``now``
    itself excluded, so that a window ending on the hour fills exactly one 2 h TSDB block)."""
    start = int(context.now.timestamp()) - STEP_S * SAMPLES_PER_SERIES
    return [float(start + STEP_S * i) for i in range(SAMPLES_PER_SERIES)]


def write_openmetrics(families: Iterable[Family], out: TextIO, sample: SeriesSample | None = None) -> int:
    """Write every series' samples over the seeded window (``sample``: its generator, seed and ``now``;
    default: no generator, 2024-01-01); return the number of series written."""
    sample = sample or SeriesSample()
    sampler, times = sample.sampler(), window(sample.context)
    merged: dict[str, list[Family]] = {}
    for family in families:
        merged.setdefault(_family_name(family), []).append(family)
    count = 0
    for family_name, parts in merged.items():
        out.write(f"# TYPE {family_name} {_openmetrics_type(parts[0])}\n")
        for family in parts:
            for labels in dict.fromkeys(family.label_sets):
                count += 1
                _write_series(family, labels, sampler, times, out)
    out.write("# EOF\n")
    return count


def _family_name(family: Family) -> str:
    if family.kind == "counter" and family.name.endswith("_total"):
        return family.name.removesuffix("_total")
    return family.name


def _openmetrics_type(family: Family) -> str:
    # OpenMetrics requires counter samples to end in _total; statsd_exporter's counters do not
    # (bot_command_calls), so those are declared "unknown": Prometheus stores them the same way.
    if family.kind == "counter":
        return "counter" if family.name.endswith("_total") else "unknown"
    return family.kind


def _labels_text(labels: Iterable[tuple[str, str]]) -> str:
    parts = [f'{key}="{_escape(value)}"' for key, value in labels]
    return "{" + ",".join(parts) + "}" if parts else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _write_series(
    family: Family, labels: tuple[tuple[str, str], ...], sampler: SeriesSampler, times: list[float], out: TextIO
) -> None:
    series = Series(family.kind, family.name, labels)
    if family.kind == "histogram":
        _write_histogram(family, series, sampler, times, out)
    elif family.kind == "summary":
        _write_summary(family, series, sampler, times, out)
    else:
        text = family.name + _labels_text(labels)
        for t, value in zip(times, _scalar_values(family, series, sampler, times), strict=True):
            out.write(f"{text} {value} {int(t)}\n")


def _scalar_values(family: Family, series: Series, sampler: SeriesSampler, times: list[float]) -> Iterator[str]:
    if family.kind == "counter":
        # A process that has been up for a day or so: the counter does not start at zero.
        start = round(sampler.shape(series).level(times[0]) * 86_400)
        return (_number(value) for value in sampler.counter(series, times, start=start))
    if family.constant is not None:
        return (go_float(family.constant) for _ in times)
    if sampler.has_shape(series):
        return (_number(level) for _, level in sampler.levels(series, times))
    low, high = family.value_range  # a gauge the generator leaves alone: inside its declared range
    middle, half = (low + high) / 2, (high - low) / 2
    return (_number(middle + half * wobble) for wobble in sampler.wobble(series, times))


def _number(value: float) -> str:
    return str(round(value, 3))


def _write_histogram(family: Family, series: Series, sampler: SeriesSampler, times: list[float], out: TextIO) -> None:
    bounds = [*family.buckets, float("inf")]
    label_text = _labels_text(series.labels)
    bucket_labels = [_labels_text([*series.labels, ("le", go_float(bound))]) for bound in bounds]
    for t, (buckets, total) in zip(times, sampler.histogram(series, times, bounds), strict=True):
        timestamp = int(t)
        for text, value in zip(bucket_labels, buckets, strict=True):
            out.write(f"{family.name}_bucket{text} {value:g} {timestamp}\n")
        out.write(f"{family.name}_count{label_text} {buckets[-1]:g} {timestamp}\n")
        out.write(f"{family.name}_sum{label_text} {round(total, 6)} {timestamp}\n")


def _write_summary(family: Family, series: Series, sampler: SeriesSampler, times: list[float], out: TextIO) -> None:
    label_text = _labels_text(series.labels)
    quantile_labels = [_labels_text([*series.labels, ("quantile", go_float(q))]) for q in family.quantiles]
    for t, (buckets, total) in zip(times, sampler.histogram(series, times, [float("inf")]), strict=True):
        timestamp = int(t)
        for text, value in zip(quantile_labels, sampler.quantiles(series, t, family.quantiles), strict=True):
            out.write(f"{family.name}{text} {round(value, 6)} {timestamp}\n")
        out.write(f"{family.name}_count{label_text} {buckets[-1]:g} {timestamp}\n")
        out.write(f"{family.name}_sum{label_text} {round(total, 6)} {timestamp}\n")
