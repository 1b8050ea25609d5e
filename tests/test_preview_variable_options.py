"""A query variable's options from its query's results, as Grafana makes them (regex, then sort), and
what each of Grafana's Prometheus variable functions lists on the sample Prometheus."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bundled_sources import prometheus_series_text

from pydis_dash.preview.prometheus_variables import prometheus_variable_values
from pydis_dash.preview.variable_options import VariableRegexError, js_regex, variable_options
from pydis_dash.preview.variable_values import resolve_variables
from pydis_dash.validate.engines.prometheus import RUN_RANGE_S, PromqlEngine
from pydis_dash.validate.engines.prometheus_seed import Family, parse_series
from pydis_dash.validate.queries import Query, Variable

RESULTS = ["api-1:8000", "api-10:8000", "api-2:8000", "web-1:80", "api-2:8000"]


def test_without_a_regex_duplicates_go_and_the_order_stays() -> None:
    assert variable_options(RESULTS) == ["api-1:8000", "api-10:8000", "api-2:8000", "web-1:80"]


def test_a_bare_regex_must_match_the_whole_result() -> None:
    assert variable_options(RESULTS, "api-1.*") == ["api-1:8000", "api-10:8000"]
    assert variable_options(RESULTS, "api-1") == []


def test_a_slashed_regex_searches_and_its_first_group_is_the_option() -> None:
    assert variable_options(RESULTS, "/^(api-\\d+)/") == ["api-1", "api-10", "api-2"]
    assert variable_options(["API-3:1"], "/^(api-\\d+)/i") == ["API-3"]


def test_named_groups_value_and_text_win_over_the_first_group() -> None:
    lines = ['up{instance="a:1",job="site"} 1 1700000000000', 'up{instance="b:1",job="bot"} 1 1700000000000']
    assert variable_options(lines, '/job="(\\w+)".*?|instance="(?<value>[^"]+)"/') == ["a:1", "b:1"]
    assert variable_options(lines, '/job="(?<text>\\w+)"/') == ["site", "bot"]


def test_a_global_regex_makes_an_option_of_every_match() -> None:
    assert variable_options(["a=1,b=2", "c=3"], "/=(\\d)/g") == ["1", "2", "3"]
    assert variable_options(["a=1,b=2", "c=3"], "/=(\\d)/") == ["1", "3"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (0, ["b10", "B2", "a1", "b9"]),
        (1, ["B2", "a1", "b10", "b9"]),
        (2, ["b9", "b10", "a1", "B2"]),
        (3, ["a1", "B2", "b9", "b10"]),
        (4, ["b10", "b9", "B2", "a1"]),
        (5, ["a1", "b10", "B2", "b9"]),
        (6, ["b9", "B2", "b10", "a1"]),
        (7, ["a1", "B2", "b9", "b10"]),
        (8, ["b10", "b9", "B2", "a1"]),
    ],
)
def test_sort_orders_as_grafana_numbers_them(sort: int, expected: list[str]) -> None:
    assert variable_options(["b10", "B2", "a1", "b9"], sort=sort) == expected


def test_an_invalid_regex_is_refused_and_all_then_keeps_no_selection() -> None:
    with pytest.raises(VariableRegexError, match="not a valid regular expression"):
        js_regex("/(unclosed/")
    body = {"templating": {"list": [{"name": "v", "type": "query", "regex": "/(/", "current": {"value": "$__all"}}]}}
    marker = object.__new__(Query)
    resolved = resolve_variables(body, (Variable("v", "query", include_all=True),), {"v": marker}, lambda q: ["x"])
    assert resolved[0].selected is None


def test_all_takes_the_options_after_the_variables_regex_and_sort() -> None:
    body = {"templating": {"list": [
        {"name": "v", "type": "query", "regex": "/^(api-\\d+)/", "sort": 4, "current": {"value": "$__all"}},
    ]}}  # fmt: skip
    marker = object.__new__(Query)
    resolved = resolve_variables(body, (Variable("v", "query", include_all=True),), {"v": marker}, lambda q: RESULTS)
    assert resolved[0].selected == ("api-10", "api-2", "api-1")


# --- Grafana's Prometheus variable functions, on the session's sample Prometheus ---------------------


def _families() -> list[Family]:
    return parse_series(prometheus_series_text())


def _values(engine: PromqlEngine, make: Callable[..., Query], text: str) -> list[str] | str:
    return prometheus_variable_values(engine.api, make(text), engine.at, RUN_RANGE_S)


def test_label_names_lists_every_label_of_the_series_list(
    promql_engine: PromqlEngine, promql_query: Callable[..., Query]
) -> None:
    expected = {"__name__"} | {key for f in _families() for labels in f.label_sets for key, _ in labels}
    expected |= {"le"} if any(f.kind == "histogram" for f in _families()) else set()
    expected |= {"quantile"} if any(f.kind == "summary" for f in _families()) else set()
    assert set(_values(promql_engine, promql_query, "label_names()")) == expected


def test_label_values_with_and_without_a_selector(
    promql_engine: PromqlEngine, promql_query: Callable[..., Query]
) -> None:
    def commands(name: str | None) -> set[str]:
        return {dict(labels)["command"] for f in _families() if name in (None, f.name)
                for labels in f.label_sets if "command" in dict(labels)}  # fmt: skip

    everywhere = _values(promql_engine, promql_query, "label_values(command)")
    assert everywhere == sorted(commands(None)) and len(everywhere) > 1
    selected = _values(promql_engine, promql_query, 'label_values(bot_command_calls{command=~"s.*"}, command)')
    assert selected == sorted(c for c in commands("bot_command_calls") if c.startswith("s"))
    assert _values(promql_engine, promql_query, "label_values({}, command)") == everywhere


def test_metrics_lists_the_names_its_regex_finds_anywhere(
    promql_engine: PromqlEngine, promql_query: Callable[..., Query]
) -> None:
    names = {name for f in _families() for name in f.sample_names()}
    found = _values(promql_engine, promql_query, "metrics(latency.*_bucket$)")
    assert found == sorted(n for n in names if "latency" in n and n.endswith("_bucket")) and len(found) > 1


def test_query_result_lines_are_grafanas_and_a_regex_picks_from_them(
    promql_engine: PromqlEngine, promql_query: Callable[..., Query]
) -> None:
    lines = _values(
        promql_engine, promql_query, "query_result(count by (method) (django_http_requests_total_by_method_total))"
    )
    assert isinstance(lines, list)
    methods = {dict(labels)["method"] for f in _families() if f.name == "django_http_requests_total_by_method_total"
               for labels in f.label_sets}  # fmt: skip
    assert len(lines) == len(methods) > 1
    at_ms = str(round((promql_engine.at or 0) * 1000))
    for line in lines:
        head, value, stamp = line.split(" ")
        assert head.startswith('{method="') and float(value) > 0 and stamp == at_ms
    assert set(variable_options(lines, '/method="(?<value>[^"]+)"/')) == methods


def test_a_bare_selector_lists_its_series(promql_engine: PromqlEngine, promql_query: Callable[..., Query]) -> None:
    series = _values(
        promql_engine, promql_query, 'django_http_requests_total_by_transport_total{instance="10.2.0.41:8000"}'
    )
    assert series == [
        f'django_http_requests_total_by_transport_total{{instance="10.2.0.41:8000",job="site",kubernetes_namespace="web",transport="{t}"}}'
        for t in ("http", "https")
    ]


def test_a_query_prometheus_refuses_says_why(promql_engine: PromqlEngine, promql_query: Callable[..., Query]) -> None:
    outcome = _values(promql_engine, promql_query, "query_result(rate(up[5m)")
    assert isinstance(outcome, str) and "parse error" in outcome
