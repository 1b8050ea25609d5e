"""Graphite targets prepared as Grafana sends them: variables, quoted intervals, ``#A`` references."""

from __future__ import annotations

import pytest

from pydis_dash.validate.engines.graphite_variables import (
    expand_variables,
    fix_interval_format,
    prepare_target,
    resolve_references,
)
from pydis_dash.validate.queries import Variable

TAG = Variable("tag", "query", multi=True, include_all=True, sample="ask")
COMMAND = Variable("command", "query", multi=True, include_all=True)  # no sample: stands for all
CHANNEL = Variable("channel", "custom", sample="$__all")
INTERVAL = Variable("bucket", "interval")
LIMIT = Variable("limit", "custom", sample="20")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stats_counts.bot.tags.usages.$tag", "stats_counts.bot.tags.usages.ask"),
        ("stats_counts.bot.tags.usages.${tag}", "stats_counts.bot.tags.usages.ask"),
        ("stats_counts.bot.tags.usages.[[tag]]", "stats_counts.bot.tags.usages.ask"),
        ("stats_counts.bot.commands.$command", "stats_counts.bot.commands.*"),
        ("stats_counts.bot.channels.$channel", "stats_counts.bot.channels.*"),
        ("highestMax(stats_counts.bot.commands.*, $limit)", "highestMax(stats_counts.bot.commands.*, 20)"),
        ("summarize(x, '$bucket')", "summarize(x, '1h')"),
        ("alias(x, ${tag:doublequote})", 'alias(x, "ask")'),
        ("aliasSub(x, '${tag:regex}', 'y')", "aliasSub(x, 'ask', 'y')"),
        ("aliasSub(x, '${command:regex}', 'y')", "aliasSub(x, '.*', 'y')"),
        ("summarize(x, '$__interval')", "summarize(x, '1m')"),
        ("scale(x, $__range_s)", "scale(x, 3600)"),
        # Grafana leaves unknown names as written (the lint rule reports them).
        ("stats_counts.bot.$nope.x", "stats_counts.bot.$nope.x"),
        # `$tag_suffix` is one name, as in Grafana's \w+ pattern.
        ("a.$tag_suffix", "a.$tag_suffix"),
    ],
)
def test_expand_variables(text: str, expected: str) -> None:
    assert expand_variables(text, (TAG, COMMAND, CHANNEL, INTERVAL, LIMIT)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summarize(x, '5m')", "summarize(x, '5min')"),
        ("summarize(x, '3M')", "summarize(x, '3mon')"),
        ("summarize(x, '1h', '10m')", "summarize(x, '1h', '10min')"),
        ('summarize(x, "5m")', 'summarize(x, "5m")'),  # Grafana only rewrites single-quoted ones
        ("a.m5m.b", "a.m5m.b"),
    ],
)
def test_fix_interval_format(text: str, expected: str) -> None:
    assert fix_interval_format(text) == expected


def test_prepare_target_rewrites_an_expanded_interval() -> None:
    assert prepare_target("summarize(x, '$__interval')", ()) == "summarize(x, '1min')"


def test_resolve_references() -> None:
    siblings = {"A": "sumSeries(stats_counts.bot.commands.*)"}
    assert resolve_references("asPercent(#A, #B)", siblings) == (
        "asPercent(sumSeries(stats_counts.bot.commands.*), #B)"
    )
