"""Sample time series for the throwaway Prometheus and graphite-web: shapes declared beside a data source.

A series data source (Prometheus, Graphite) may name a generator module in ``check.sample_data``,
as SQL sources do. Its ``generate`` function returns a *shape chooser*:

.. code-block:: python

    def generate(ctx: SampleContext) -> Callable[[Series], Shape | None]:
        '''The shape of each series (None: the default shape for its kind).'''

The tool knows nothing of what the series mean; it turns each :class:`Shape` into samples:

* a **counter** increases by ``level(t)`` per second (never decreases, so ``rate()`` follows the level);
* a **gauge** is ``level(t)``;
* a **histogram** observes ``level(t)`` values per second, log-normally distributed around
  ``median * slowdown(t)``: its buckets are cumulative, ``_count`` equals the ``+Inf`` bucket and
  ``_sum`` grows with the observations;
* a **summary** reports the quantiles of that distribution;
* a **Graphite path** is ``level(t)`` (graphite-statsd has already turned counters into rates).

Every value is a pure function of the seed, the series and the timestamp (the jitter is a hash of
them), so two engines seeded with the same seed agree on every point they both hold.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.sample import SampleContext, load_generator

Level = Callable[[float], float]
"""A value per Unix time (seconds)."""

_MASK64 = (1 << 64) - 1
LEVEL_STEP_S = 60
"""Levels are evaluated at the start of each minute: a series' level is a step function of time."""


@dataclass(frozen=True)
class Series:
    """One series the generator is asked about: its kind (``counter``, ``gauge``, ``histogram``,
    ``summary``; ``graphite`` for a Graphite path), its name and its labels."""

    kind: str
    name: str
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, key: str, default: str = "") -> str:
        """The value of one label (``default`` when the series does not carry it)."""
        return next((value for name, value in self.labels if name == key), default)


def _one(_: float) -> float:
    return 1.0


@dataclass(frozen=True)
class Shape:
    """How one series moves; see the module doc for what ``level`` means per kind.

    ``jitter`` is the relative noise added to each step's level (0.1: +-10 %); ``median`` and
    ``spread`` (the log-normal sigma) describe what a histogram or summary observes, and ``slowdown``
    multiplies the median over time (an incident makes requests slower).
    """

    level: Level
    jitter: float = 0.1
    median: float = 0.1
    spread: float = 0.8
    slowdown: Level = field(default=_one)


ShapeChooser = Callable[[Series], "Shape | None"]


def default_shape(series: Series) -> Shape:
    """The shape of a series its generator leaves alone (or of every series without a generator): a
    steady level well above zero, so filters such as ``removeBelowValue(x, 1)`` keep it."""
    return Shape(level=lambda _: 10.0)


@dataclass(frozen=True)
class Rhythm:
    """A daily and weekly cycle around 1.0: ``peak_hour`` (UTC) is the busiest hour, ``swing`` how far
    the day goes above and below the mean (0.75: from 0.25 to 1.75), and the week's days weigh
    ``weekday`` and the weekend's ``weekend``."""

    peak_hour: float = 19.0
    swing: float = 0.75
    weekday: float = 0.9
    weekend: float = 1.25

    def at(self, t: float) -> float:
        """The activity at Unix time ``t`` relative to the average."""
        days, seconds = divmod(t, 86_400)
        daily = 1 + self.swing * math.cos((seconds / 3600 - self.peak_hour) / 24 * 2 * math.pi)
        weekend = (days + 3) % 7 >= 5  # 1970-01-01 was a Thursday (weekday 3)
        return daily * (self.weekend if weekend else self.weekday)


class Incidents:
    """Short windows when something goes wrong (an outage, a slow database, a raid): ``factor(t)`` is
    ``strength`` inside one and 1 elsewhere. Built by :func:`incidents`.

    Each UTC day's incidents are drawn from a random stream of their own (seed, name, day), so whether
    ``t`` is inside one does not depend on which window of time is being generated.
    """

    def __init__(self, context: SampleContext, name: str, per_day: float, minutes: tuple[float, float]) -> None:
        self._context, self._name = context, name
        self._per_day, self._minutes = per_day, minutes
        self._days: dict[int, tuple[tuple[float, float], ...]] = {}

    def windows_of_day(self, day: int) -> tuple[tuple[float, float], ...]:
        """(start, end) of the incidents starting on day ``day`` (days since 1970-01-01), by start."""
        if day not in self._days:
            rng = self._context.rng(f"incidents:{self._name}:{day}")
            windows, t = [], day * 86_400.0
            while (t := t + rng.expovariate(self._per_day / 86_400)) < (day + 1) * 86_400:
                windows.append((t, t + 60 * rng.uniform(*self._minutes)))
            self._days[day] = tuple(windows)
        return self._days[day]

    def active(self, t: float) -> bool:
        """True inside an incident window (one that started today or yesterday)."""
        day = int(t // 86_400)
        return any(start <= t < end for d in (day - 1, day) for start, end in self.windows_of_day(d))

    def factor(self, t: float, strength: float) -> float:
        """``strength`` during an incident, else 1."""
        return strength if self.active(t) else 1.0


def incidents(
    ctx: SampleContext, name: str, per_day: float = 0.5, minutes: tuple[float, float] = (10, 45)
) -> Incidents:
    """Incidents named ``name``: ``per_day`` on average, each lasting between ``minutes``; the same
    for the same seed and name."""
    return Incidents(ctx, name, per_day, minutes)


def load_shapes(path: Path | None, context: SampleContext) -> ShapeChooser:
    """The shape chooser of the generator at ``path`` (every series gets the default shape without one).

    Raises :class:`DefinitionError` naming the file when the generator is broken.
    """
    if path is None:
        return lambda _: None
    try:
        chooser = load_generator(path)(context)
    except DefinitionError:
        raise
    except Exception as exc:  # the author's code
        raise DefinitionError(
            f"sample data generator failed: {type(exc).__name__}: {exc}", SourceLocation(path)
        ) from exc
    if not callable(chooser):
        raise DefinitionError(
            "generate(ctx) of a series data source must return a function Series -> Shape", SourceLocation(path)
        )
    return _checked(chooser, path)


def _checked(chooser: Callable[[Series], object], path: Path) -> ShapeChooser:
    def choose(series: Series) -> Shape | None:
        try:
            shape = chooser(series)
        except Exception as exc:  # the author's code
            message = f"sample data generator failed on {series.name}: {type(exc).__name__}: {exc}"
            raise DefinitionError(message, SourceLocation(path)) from exc
        if shape is not None and not isinstance(shape, Shape):
            raise DefinitionError(f"the shape of {series.name} is not a Shape: {shape!r}", SourceLocation(path))
        return shape

    return choose


@dataclass(frozen=True)
class SeriesSample:
    """What a throwaway series engine is seeded from: the data source's generator (None: default
    shapes only) and the sample context (seed and ``now``)."""

    generator: Path | None = None
    context: SampleContext = field(default_factory=SampleContext)

    def sampler(self) -> SeriesSampler:
        """A sampler for the generator's shapes (the generator is run now)."""
        return SeriesSampler(load_shapes(self.generator, self.context), self.context.seed)

    def cache_key(self) -> str:
        """What the seeded values depend on, beside the series list: generator source, seed, ``now``."""
        source = self.generator.read_bytes() if self.generator is not None and self.generator.is_file() else b""
        digest = hashlib.sha256(source).hexdigest()[:16]
        return f"{digest}:{self.context.seed}:{self.context.now.isoformat()}:{self.context.days}"


class SeriesSampler:
    """Turns shapes into sample values; every value depends only on the seed, the series and ``t``."""

    def __init__(self, chooser: ShapeChooser, seed: int) -> None:
        self._chooser = chooser
        self._seed = seed

    def shape(self, series: Series) -> Shape:
        """The series' shape (the default one when the generator gives none)."""
        return self._chooser(series) or default_shape(series)

    def has_shape(self, series: Series) -> bool:
        """True when the generator gives this series a shape of its own."""
        return self._chooser(series) is not None

    def wobble(self, series: Series, times: Sequence[float]) -> Iterator[float]:
        """Noise in [-1, 1) at each time, fixed by the seed, the series and the time."""
        key = _series_key(self._seed, series)
        return (2 * _unit(key, int(t)) - 1 for t in times)

    def levels(self, series: Series, times: Sequence[float]) -> Iterator[tuple[Shape, float]]:
        """The shape and the jittered level at each time (never below zero)."""
        shape = self.shape(series)
        minute, level = None, 0.0
        for t, wobble in zip(times, self.wobble(series, times), strict=True):
            # Levels follow the day: evaluated once a minute (the jitter stays per point), which cuts
            # the seeding every validate and preview run pays (Graphite's 10 s points: 2.1 s -> 0.9 s).
            start = t - t % LEVEL_STEP_S
            if start != minute:
                minute, level = start, shape.level(start)
            yield shape, max(0.0, level * (1 + shape.jitter * wobble))

    def counter(self, series: Series, times: Sequence[float], start: float = 0.0) -> Iterator[float]:
        """A counter's value at each time: ``start`` plus the level integrated step by step."""
        total, previous = start, None
        for t, (_, level) in zip(times, self.levels(series, times), strict=True):
            if previous is not None:
                total += level * (t - previous)
            previous = t
            yield total

    def histogram(
        self, series: Series, times: Sequence[float], bounds: Sequence[float], warm_up: float = 86_400
    ) -> Iterator[tuple[list[float], float]]:
        """Cumulative bucket counts (one per bound, the last ``+Inf``) and ``_sum`` at each time; the
        first point already holds ``warm_up`` seconds of observations (a process up for a while).

        Counts are cumulative float totals rounded at the end, so they never decrease in time or in
        ``le``, and the ``+Inf`` bucket is the count of observations.
        """
        buckets = [0.0] * len(bounds)
        total_sum, previous = 0.0, (times[0] - warm_up if times else None)
        for t, (shape, level) in zip(times, self.levels(series, times), strict=True):
            if previous is not None:
                observed = level * (t - previous)
                median = shape.median * shape.slowdown(t)
                for index, bound in enumerate(bounds):
                    buckets[index] += observed * _lognormal_cdf(bound, median, shape.spread)
                total_sum += observed * median * math.exp(shape.spread**2 / 2)  # the log-normal mean
            previous = t
            yield [float(round(b)) for b in buckets], total_sum

    def quantiles(self, series: Series, t: float, quantiles: Sequence[float]) -> list[float]:
        """A summary's quantile values at ``t``."""
        shape = self.shape(series)
        median = shape.median * shape.slowdown(t)
        return [median * math.exp(shape.spread * NormalDist().inv_cdf(q)) for q in quantiles]


def _lognormal_cdf(bound: float, median: float, spread: float) -> float:
    if bound == math.inf:
        return 1.0
    if bound <= 0 or median <= 0:
        return 0.0
    return 0.5 * (1 + math.erf(math.log(bound / median) / (spread * math.sqrt(2))))


def _series_key(seed: int, series: Series) -> int:
    text = f"{seed}\0{series.kind}\0{series.name}\0{series.labels}"
    key = 1469598103934665603  # FNV-1a: stable across runs (unlike hash())
    for byte in text.encode():
        key = ((key ^ byte) * 1099511628211) & _MASK64
    return key


def _unit(key: int, t: int) -> float:
    """A uniform number in [0, 1) from a series key and a time (splitmix64's finaliser)."""
    x = (key + t * 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return (x ^ (x >> 31)) / 2**64
