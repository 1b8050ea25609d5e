"""The series list and the OpenMetrics written from it for the throwaway Prometheus."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path

import pytest
from bundled_sources import prometheus_series_text

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.sample import SampleContext
from pydis_dash.validate.engines.prometheus_seed import (
    SAMPLES_PER_SERIES,
    Family,
    go_float,
    parse_series,
    window,
    write_openmetrics,
)

SAMPLE = re.compile(r"^(?P<name>[a-z_:][a-z0-9_:]*)(?P<labels>\{[^}]*\})? (?P<value>\S+) (?P<ts>\d+)$")


def samples(openmetrics: str) -> dict[str, list[tuple[int, float]]]:
    """Series text -> [(timestamp, value)] in file order."""
    series: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for line in openmetrics.splitlines():
        match = SAMPLE.match(line)
        if match:
            key = match.group("name") + (match.group("labels") or "")
            series[key].append((int(match.group("ts")), float(match.group("value"))))
    return series


def written(text: str) -> str:
    out = io.StringIO()
    write_openmetrics(parse_series(text), out)
    return out.getvalue()


def test_alternatives_multiply_and_plus_zips_labels() -> None:
    [family] = parse_series('counter x_total{a="1|2", d+n="5+postgres|16384+site"}')
    assert family.label_sets == (
        (("a", "1"), ("d", "5"), ("n", "postgres")),
        (("a", "1"), ("d", "16384"), ("n", "site")),
        (("a", "2"), ("d", "5"), ("n", "postgres")),
        (("a", "2"), ("d", "16384"), ("n", "site")),
    )


def test_at_labels_apply_to_following_lines_until_replaced() -> None:
    families = parse_series('@labels job="site"\ngauge a{}\n@labels job="postgres"\ngauge b{x="1"}\n@labels\ngauge c')
    assert [(f.name, f.label_sets) for f in families] == [
        ("a", ((("job", "site"),),)),
        ("b", ((("job", "postgres"), ("x", "1")),)),
        ("c", ((),)),
    ]


def test_options() -> None:
    text = "@buckets small 1 0.5\nhistogram h{} buckets=small\nsummary s{} quantiles=0.5,0.99\ngauge g{} value=1\ngauge r{} range=2..3"
    h, s, g, r = parse_series(text)
    assert h.buckets == (0.5, 1.0)
    assert s.quantiles == (0.5, 0.99)
    assert g.constant == 1.0
    assert r.value_range == (2.0, 3.0)
    assert h.sample_names() == ("h_bucket", "h_count", "h_sum")
    assert s.sample_names() == ("s", "s_count", "s_sum")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "gauge a{}\nmeter b{}",
            2,
            "expected 'TYPE name{labels} [options]' with TYPE one of counter, gauge, histogram, summary: 'meter b{}'",
        ),
        ("histogram h{}", 1, "histogram h needs buckets=NAME (declared with @buckets)"),
        ("histogram h{} buckets=nope", 1, "unknown bucket set 'nope' (declare it with @buckets)"),
        ("counter c{} value=1", 1, "option 'value' does not apply to a counter"),
        ('gauge g{a+b="1"}', 1, "a+b: '1' does not have 2 '+'-separated values"),
        ("gauge g{a=1}", 1, "cannot read labels at 'a=1': expected name=\"value|value\""),
    ],
)
def test_bad_lines_name_the_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_series(text, source="series.txt")
    assert caught.value.location == SourceLocation(Path("series.txt"), line)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.01, "0.01"), (1, "1.0"), (2.5, "2.5"), (75, "75.0"), (float("inf"), "+Inf"), (1048576, "1.048576e+06"),
     (536870912, "5.36870912e+08"), (524288, "524288.0")],
)  # fmt: skip
def test_go_float_prints_bounds_like_prometheus_client(value: float, text: str) -> None:
    assert go_float(value) == text


def test_openmetrics_families_counters_and_eof() -> None:
    text = written('counter a_total{x="1"}\ncounter bot_calls{c="ban"}\ngauge g{} value=1')
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("#")] == [
        "# TYPE a counter",
        "# TYPE bot_calls unknown",
        "# TYPE g gauge",
        "# EOF",
    ]
    assert lines[-1] == "# EOF"
    series = samples(text)
    assert set(series) == {'a_total{x="1"}', 'bot_calls{c="ban"}', "g"}
    for points in series.values():
        assert [ts for ts, _ in points] == [int(t) for t in window(SampleContext())]
        assert points[-1][0] == int(SampleContext().now.timestamp()) - 30  # the window ends at the sample "now"
        assert len(points) == SAMPLES_PER_SERIES
    for key in ('a_total{x="1"}', 'bot_calls{c="ban"}'):
        values = [v for _, v in series[key]]
        assert values == sorted(values) and values[-1] > values[0]
    assert {v for _, v in series["g"]} == {1.0}


def test_histograms_are_cumulative_and_count_equals_the_inf_bucket() -> None:
    series = samples(written('@buckets b 0.1 1\nhistogram h{v="x"} buckets=b'))
    le_01, le_1, le_inf = (series[f'h_bucket{{v="x",le="{le}"}}'] for le in ("0.1", "1.0", "+Inf"))
    count, total = series['h_count{v="x"}'], series['h_sum{v="x"}']
    for step in range(SAMPLES_PER_SERIES):
        assert le_01[step][1] <= le_1[step][1] <= le_inf[step][1] == count[step][1]
    assert [v for _, v in count] == sorted(v for _, v in count)
    assert [v for _, v in total] == sorted(v for _, v in total)


def test_summaries_have_ordered_quantiles() -> None:
    series = samples(written("summary t{} quantiles=0.5,0.9"))
    for (_, median), (_, p90) in zip(series['t{quantile="0.5"}'], series['t{quantile="0.9"}'], strict=True):
        assert median <= p90
    assert set(series) == {'t{quantile="0.5"}', 't{quantile="0.9"}', "t_count", "t_sum"}


def test_output_is_deterministic() -> None:
    text = 'counter a_total{x="1|2"}\ngauge g{}'
    assert written(text) == written(text)


def family(families: list[Family], name: str) -> Family:
    return next(f for f in families if f.name == name)


def test_shipped_series_list_holds_the_community_metrics() -> None:
    families = parse_series(prometheus_series_text())
    names = {name for f in families for name in f.sample_names()}
    assert {"up", "bot_command_calls", "django_http_requests_latency_seconds_by_view_method_bucket", "pg_up",
            "pg_stat_database_deadlocks", "bot_guild_total_members", "pg_settings_max_connections"} <= names  # fmt: skip
    assert (("job", "statsd-exporter"), ("kubernetes_namespace", "monitoring"), ("instance", "10.2.0.57:9102"),
            ("command", "ban")) in family(families, "bot_command_calls").label_sets  # fmt: skip
    aliases = {dict(labels)["alias"] for labels in family(families, "django_db_execute_total").label_sets}
    assert aliases == {"default", "metricity"}
    up_jobs = {dict(labels)["job"] for f in families if f.name == "up" for labels in f.label_sets}
    assert up_jobs == {"site", "postgres", "statsd-exporter"}
