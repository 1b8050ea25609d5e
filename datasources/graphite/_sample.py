"""Sample series shapes for Python Discord's Graphite: the bot's statsd metrics as graphite-statsd stores them.

Loaded by pydis-dash (``check.sample_data`` of ``datasources/graphite.yaml``) when it seeds the
throwaway graphite-web. Counters are stored twice: ``stats.bot.X`` (per second) and
``stats_counts.bot.X`` (per 10 s flush, ten times as much); both follow the community's rhythm (the
same one as the Metricity sample data). Errors climb during the occasional incident.
"""

from __future__ import annotations

from collections.abc import Callable

from pydis_dash.sample import SampleContext
from pydis_dash.sample.series import Incidents, Rhythm, Series, Shape, incidents

# As ``activity()`` in datasources/metricity/_sample.py.
RHYTHM = Rhythm(peak_hour=19.0, swing=0.75, weekday=0.9, weekend=1.25)
FLUSH_SECONDS = 10  # graphite-statsd's flush interval: stats_counts hold this many seconds' worth

# Average events per second, by the counter's name under ``bot.`` (the first prefix that matches).
RATES: tuple[tuple[str, float], ...] = (
    ("channels.", 0.06),
    ("messages", 1.2),
    ("commands.", 0.01),
    ("tags.", 0.004),
    ("errors", 0.002),
    ("filters.", 0.01),
    ("", 0.005),
)
GAUGES: dict[str, float] = {
    "guild.total_members": 395_000.0,
    "boost.amount": 140.0,
    "boost.tier": 3.0,
    "defcon.threshold": 0.0,
    "help.total.in_use": 14.0,
}


def generate(ctx: SampleContext) -> Callable[[Series], Shape | None]:
    """The shape of each metric path."""
    trouble = incidents(ctx, "bot", per_day=0.4)
    return lambda series: _shape(ctx, series.name, trouble)


def _shape(ctx: SampleContext, path: str, trouble: Incidents) -> Shape | None:
    for prefix, scale in (("stats.bot.", 1.0), ("stats_counts.bot.", float(FLUSH_SECONDS))):
        if path.startswith(prefix):
            name = path.removeprefix(prefix)
            weight = 0.3 + 1.4 * ctx.rng(name).random()  # the same for both paths of one statsd counter
            surge = 20.0 if "errors" in path else 1.0
            return _counter(_rate(name) * weight * scale, surge, trouble)
    if path.startswith("stats.gauges.bot."):
        name = path.removeprefix("stats.gauges.bot.")
        if name == "help.total.in_use":
            return Shape(level=lambda t: GAUGES[name] * RHYTHM.at(t), jitter=0.15)
        return Shape(level=lambda _: GAUGES.get(name, 5.0), jitter=0.0)
    if path.startswith("stats.timers.bot."):
        return _timer(path.rsplit(".", 1)[1])
    return None


def _counter(rate: float, surge: float, trouble: Incidents) -> Shape:
    return Shape(level=lambda t: rate * RHYTHM.at(t) * trouble.factor(t, surge), jitter=0.25)


def _rate(name: str) -> float:
    return next(rate for prefix, rate in RATES if name.startswith(prefix))


def _timer(field: str) -> Shape:
    """A help post's time in use (milliseconds): its statistics per flush."""
    minutes = {"lower": 2.0, "median": 25.0, "mean": 35.0, "mean_90": 28.0, "upper_90": 80.0, "upper": 180.0}
    if field in minutes:
        value = minutes[field] * 60_000
        return Shape(level=lambda _: value, jitter=0.2)
    if field in ("count", "count_ps"):
        per = FLUSH_SECONDS if field == "count" else 1
        return Shape(level=lambda t: 0.004 * per * RHYTHM.at(t), jitter=0.3)
    return Shape(level=lambda t: 0.004 * FLUSH_SECONDS * RHYTHM.at(t) * 35 * 60_000, jitter=0.3)
