"""Sample series for Prometheus and Graphite: shapes declared beside each data source, turned into samples.

The properties are those of real traffic, checked on the bundled data sources' generators: counters
never decrease, their rate follows the community's day (busier at the 19:00 UTC peak than in the
morning), histogram buckets agree with each other, errors climb during an incident, and the same
seed gives the same values.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bundled_sources import GRAPHITE_METRICS, GRAPHITE_SAMPLE, PROMETHEUS_SAMPLE, prometheus_series_text

from pydis_dash.errors import DefinitionError
from pydis_dash.sample import SampleContext
from pydis_dash.sample.series import Rhythm, Series, SeriesSample, incidents
from pydis_dash.validate.engines.graphite_server import read_metric_paths, seed_times, seed_values
from pydis_dash.validate.engines.prometheus_seed import Family, parse_series, write_openmetrics

SAMPLE = re.compile(r"^(?P<series>[a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (?P<value>\S+) (?P<ts>\d+)$")
PEAK = datetime(2026, 11, 28, 20, tzinfo=UTC)  # a Saturday: the window 18:00-20:00 holds the 19:00 peak
NIGHT = datetime(2026, 11, 25, 8, tzinfo=UTC)  # a Wednesday: 06:00-08:00, the quietest hours
FAMILIES = ("bot_command_calls", "django_http_requests_total_by_method_total", "django_http_requests_latency_seconds_by_view_method", "django_http_responses_total_by_status_total")  # fmt: skip


def families(*names: str) -> list[Family]:
    return [f for f in parse_series(prometheus_series_text()) if f.name in names]


def samples(families: list[Family], now: datetime, seed: int = 1) -> dict[str, list[tuple[int, float]]]:
    out = io.StringIO()
    write_openmetrics(families, out, SeriesSample(PROMETHEUS_SAMPLE, SampleContext(seed=seed, now=now)))
    series: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for line in out.getvalue().splitlines():
        if match := SAMPLE.match(line):
            series[match.group("series")].append((int(match.group("ts")), float(match.group("value"))))
    return series


def rate(points: list[tuple[int, float]]) -> float:
    (t0, v0), (t1, v1) = points[0], points[-1]
    return (v1 - v0) / (t1 - t0)


def total_rate(series: dict[str, list[tuple[int, float]]], prefix: str) -> float:
    return sum(rate(points) for key, points in series.items() if key.startswith(prefix + "{"))


def test_counters_never_decrease_and_their_rate_follows_the_day() -> None:
    chosen = families(*FAMILIES)
    peak, night = samples(chosen, PEAK), samples(chosen, NIGHT)
    for series in (peak, night):
        for key, points in series.items():
            if "_bucket" in key or key.split("{")[0].endswith(("_total", "_calls", "_count", "_sum")):
                values = [v for _, v in points]
                assert values == sorted(values), key
    for name in ("bot_command_calls", "django_http_requests_total_by_method_total"):
        assert total_rate(peak, name) > 3 * total_rate(night, name) > 0, name


def test_histogram_buckets_agree_with_each_other() -> None:
    series = samples(families("django_http_requests_latency_seconds_by_view_method"), PEAK)
    buckets: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    counts: dict[tuple[str, int], float] = {}
    for key, points in series.items():
        name, labels = key.split("{", 1)
        le = re.search(r',le="([^"]+)"', labels)
        base = re.sub(r',le="[^"]+"', "", labels)
        for t, value in points:
            if name.endswith("_bucket") and le:
                buckets[(base, t)].append((float(le.group(1)), value))
            elif name.endswith("_count"):
                counts[(base, t)] = value
    assert buckets and counts
    for key, by_le in buckets.items():
        values = [value for _, value in sorted(by_le)]
        assert values == sorted(values), key  # cumulative in le
        assert values[-1] == counts[key]  # +Inf is the count
        assert values[0] < values[-1]  # observations spread over the buckets


def test_errors_climb_during_an_incident() -> None:
    trouble = incidents(SampleContext(), "site", per_day=0.4)
    first_day = int(PEAK.timestamp() // 86_400)
    start, end = next(w for day in range(first_day, first_day + 30) for w in trouble.windows_of_day(day))
    assert trouble.active((start + end) / 2) and not trouble.active(start - 1)
    # Two seeded hours ending ten minutes after the incident (incidents last at most 45 minutes).
    now = datetime.fromtimestamp(end, UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
    series = samples(families("django_http_responses_total_by_status_total"), now)
    key = next(key for key in series if 'status="500"' in key)
    during = [(t, v) for t, v in series[key] if start <= t <= end]
    before = [(t, v) for t, v in series[key] if t < start]
    assert len(during) >= 2 and len(before) >= 60
    assert rate(during) > 5 * rate(before) > 0


def test_the_same_seed_gives_the_same_values_and_another_seed_others() -> None:
    chosen = families("bot_command_calls")
    assert samples(chosen, PEAK) == samples(chosen, PEAK)
    assert samples(chosen, PEAK) != samples(chosen, PEAK, seed=2)


def test_graphite_paths_follow_the_day() -> None:
    paths = read_metric_paths(GRAPHITE_METRICS)
    messages = [p for p in paths if p.startswith("stats.bot.channels.")]
    assert messages

    def level(now: datetime) -> float:
        sample = SeriesSample(GRAPHITE_SAMPLE, SampleContext(now=now))
        values = seed_values(messages, sample, seed_times(now.timestamp()))
        return sum(sum(points) for points in values.values())

    assert level(PEAK) > 3 * level(NIGHT) > 0
    counts = seed_values(
        ["stats_counts.bot.messages", "stats.bot.messages"], SeriesSample(GRAPHITE_SAMPLE), seed_times()
    )
    per_flush, per_second = (sum(values) for values in counts.values())
    assert per_flush == pytest.approx(10 * per_second, rel=0.1)  # statsd: a 10 s flush holds ten seconds


def test_rhythm_peaks_at_its_hour_and_weighs_the_weekend() -> None:
    rhythm = Rhythm(peak_hour=19.0, swing=0.75, weekday=0.9, weekend=1.25)
    day = [rhythm.at(datetime(2026, 11, 25, hour, tzinfo=UTC).timestamp()) for hour in range(24)]
    assert max(range(24), key=day.__getitem__) == 19 and min(range(24), key=day.__getitem__) == 7
    assert rhythm.at(PEAK.timestamp()) > rhythm.at((PEAK - timedelta(days=3)).timestamp())  # Saturday > Wednesday


def test_a_broken_generator_names_its_file(tmp_path: Path) -> None:
    generator = tmp_path / "_sample.py"
    generator.write_text("def generate(ctx):\n    return lambda series: 1 / 0\n")
    with pytest.raises(DefinitionError) as caught:
        SeriesSample(generator).sampler().shape(Series("counter", "x_total"))
    assert str(generator) in str(caught.value) and "ZeroDivisionError" in str(caught.value)
