"""Grafana variable and macro expansion for PromQL, as Grafana's Prometheus data source does it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pydis_dash.validate.engines.promql_expand import (
    IntervalSettings,
    _references,
    expand,
    format_duration,
    prometheus_regular_escape,
    prometheus_special_regex_escape,
    undefined_references,
)
from pydis_dash.validate.queries import Variable

SETTINGS = IntervalSettings(interval_s=30, scrape_s=30, range_s=3600, at=1_704_074_370)


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("rate(x[$__rate_interval])", "rate(x[2m])"),
        ("rate(x[${__rate_interval}])", "rate(x[2m])"),
        ("x / $__rate_interval_ms", "x / 120000"),
        ("avg_over_time(x[$__interval])", "avg_over_time(x[30s])"),
        ("x * $__interval_ms", "x * 30000"),
        ("increase(x[$__range])", "increase(x[3600s])"),
        ("x / $__range_s + x / $__range_ms", "x / 3600 + x / 3600000"),
        ("rate(x[$__auto])", "rate(x[2m])"),
        ("x @ ${__to:date:seconds}", "x @ 1704074370"),
        ("x @ ${__from:date:seconds}", "x @ 1704070770"),
        ("x > $__from", "x > 1704070770000"),
    ],
)
def test_builtin_macros(text: str, expanded: str) -> None:
    assert expand(text, (), SETTINGS) == expanded


def test_rate_interval_follows_grafanas_formula() -> None:
    # max($__interval + scrape interval, 4 * scrape interval)
    assert IntervalSettings(interval_s=15, scrape_s=15).rate_interval_s == 60
    assert IntervalSettings(interval_s=120, scrape_s=15).rate_interval_s == 135


@pytest.mark.parametrize(("seconds", "text"), [(30, "30s"), (60, "1m"), (90, "90s"), (3600, "1h"), (86400, "1d")])
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_all_reference_forms_of_a_single_value_variable() -> None:
    job = Variable("job", "custom", sample="site")
    text = 'up{job="$job"} + up{job="${job}"} + up{job="[[job]]"}'
    assert expand(text, [job], SETTINGS) == 'up{job="site"} + up{job="site"} + up{job="site"}'


def test_single_value_gets_prometheus_regular_escape_only() -> None:
    view = Variable("view", "custom", sample="it's a.b\\c")
    assert expand('x{view="$view"}', [view], SETTINGS) == 'x{view="it\\\\\'s a.b\\\\c"}'


def test_multi_value_variable_without_sample_becomes_an_alternation() -> None:
    method = Variable("method", "custom", multi=True)
    assert expand('x{method=~"$method"}', [method], SETTINGS) == 'x{method=~"(method1|method2)"}'


def test_multi_value_sample_is_regex_escaped_with_double_backslashes() -> None:
    view = Variable("view", "query", multi=True, sample="api:bot.user-list")
    assert expand('x{view=~"$view"}', [view], SETTINGS) == 'x{view=~"api:bot\\\\.user-list"}'


def test_include_all_without_sample_is_the_match_everything_regex() -> None:
    datname = Variable("datname", "query", multi=True, include_all=True)
    assert expand('pg_up{datname=~"$datname"}', [datname], SETTINGS) == 'pg_up{datname=~".*"}'


@pytest.mark.parametrize(
    ("fmt", "expanded"),
    [
        ("regex", "(a\\.b|c)"),
        ("pipe", "a.b|c"),
        ("csv", "a.b,c"),
        ("raw", "a.b,c"),
        ("json", '["a.b","c"]'),  # JSON.stringify: no spaces (as the SQL engine already had it)
        ("doublequote", '"a.b","c"'),
        ("singlequote", "'a.b','c'"),
        ("glob", "{a.b,c}"),
        ("queryparam", "var-v=a.b&var-v=c"),
        ("nosuchformat", "{a.b,c}"),  # Grafana falls back to glob
    ],
)
def test_explicit_formats_of_a_multi_value_variable(fmt: str, expanded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    variable = Variable("v", "custom", multi=True)
    monkeypatch.setattr("pydis_dash.validate.engines.promql_expand.sample_values", lambda v, c: ["a.b", "c"])
    assert expand(f"${{v:{fmt}}}", [variable], SETTINGS) == expanded
    assert expand(f"[[v:{fmt}]]", [variable], SETTINGS) == expanded


def test_variable_in_a_range_or_offset_defaults_to_a_duration() -> None:
    window = Variable("window", "custom")
    shift = Variable("shift", "textbox")
    assert expand("rate(x[$window]) offset $shift", [window, shift], SETTINGS) == "rate(x[5m]) offset 5m"


def test_interval_variable_defaults_to_a_duration_and_uses_its_sample() -> None:
    assert expand("rate(x[$step])", [Variable("step", "interval")], SETTINGS) == "rate(x[5m])"
    assert expand("rate(x[$step])", [Variable("step", "interval", sample="10m")], SETTINGS) == "rate(x[10m])"


def test_variable_outside_strings_and_ranges_defaults_to_its_name() -> None:
    assert expand("sum by ($group) (x)", [Variable("group", "custom")], SETTINGS) == "sum by (group) (x)"


def test_unknown_references_are_left_as_written() -> None:
    text = 'label_replace(up, "dst", "$1", "src", "(.*)") + $undefined'
    assert expand(text, [Variable("job", "custom", sample="site")], SETTINGS) == text


def test_longer_macro_names_are_not_cut_short() -> None:
    assert (
        expand("$__interval_ms $__interval $__range_ms $__range_s $__range", (), SETTINGS)
        == "30000 30s 3600000 3600 3600s"
    )


def test_undefined_references_outside_strings() -> None:
    text = 'label_replace(x{job="$job"}[$window], "d", "$1", "s", "(.*)") / $__interval_ms + $scale'
    assert undefined_references(text, [Variable("scale", "constant", sample="2")]) == ["$window"]


def test_grafana_escape_functions() -> None:
    assert prometheus_regular_escape("a'b\\c") == "a\\\\'b\\\\c"
    assert prometheus_special_regex_escape("a.b(c)|d$") == "a\\\\.b\\\\(c\\\\)\\\\|d\\\\$"
    assert prometheus_special_regex_escape("a\\b") == "a\\\\\\\\b"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='abcxyz_(){}[]"=~!,.:+-*/ 0123456789', max_size=40))
def test_text_without_a_reference_form_is_left_as_it_is(text: str) -> None:
    """Only "$" and "[[" start a reference, so expansion skips the lexer without them: the lexer (made to
    run by a reference appended after the text) finds none in the text either, and nothing changes."""
    assert expand(text, (Variable("job", "custom", sample="site"),), SETTINGS) == text
    assert undefined_references(text, ()) == []
    by_lexer = _references(text + " $__pad")
    assert [reference.name for reference, _ in by_lexer] == ["__pad"]
