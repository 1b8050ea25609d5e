"""statsd metrics written once (``pydis_dash.grafana.bot``), with the Python Discord bot's stores and
catalogue (the project's ``dashboards/_pydis/bot.py``): the Graphite and PromQL each operation renders
to, statsd_exporter's names, and one definition yielding a dashboard per store.

What runs on the real engines is checked by ``pydis-dash validate`` over ``dashboards/bot/``; here the
translated text itself is pinned, since a wrong but valid query (per-flush counts summed as a rate,
milliseconds shown as seconds) would pass the engines.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from bundled_sources import GRAPHITE_METRICS, PROMETHEUS_SERIES, pydis_bot

from pydis_dash.errors import DefinitionError
from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import (
    BotMetric,
    BotQuery,
    BotStore,
    MetricKind,
    counter,
    gauge,
    mean,
    quantile,
    rate,
    timer,
    top,
    total,
    value,
)
from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources
from pydis_dash.validate.schema import check_resource

PYDIS_BOT = pydis_bot()
GRAPHITE_STORE, PROMETHEUS_STORE = PYDIS_BOT.GRAPHITE_STORE, PYDIS_BOT.PROMETHEUS_STORE
BotDashboard = PYDIS_BOT.BotDashboard
COMMANDS = counter("commands.*")
CLAIMED = counter("help.claimed", "opened")
MEMBERS = gauge("guild.total_members", "members")
IN_USE_TIME = timer("help.in_use_time", "time in use")
CLOSED = counter("help.dormant_calls.*.*", "closed")

# (operation, Graphite target, PromQL, Prometheus legend, instant: True forced / None = panel decides)
RENDERINGS = [
    pytest.param(
        rate(COMMANDS),
        "aliasByNode(stats.bot.commands.*, 3)",
        "sum by (command) (rate(bot_command_calls[$__rate_interval]))",
        "{{command}}",
        None,
        id="rate-split",
    ),
    pytest.param(
        rate(COMMANDS, per="1h", split=False),
        "alias(sumSeries(scale(stats.bot.commands.*, 3600)), 'commands.*')",
        "sum(rate(bot_command_calls[$__rate_interval])) * 3600",
        "commands.*",
        None,
        id="rate-summed-per-hour",
    ),
    pytest.param(
        rate(IN_USE_TIME, per="1m"),
        "alias(scale(stats.timers.bot.help.in_use_time.count_ps, 60), 'time in use')",
        "sum(rate(bot_help_in_use_time_count[$__rate_interval])) * 60",
        "time in use",
        None,
        id="rate-of-timer",
    ),
    pytest.param(
        total(CLAIMED),
        "alias(summarize(stats_counts.bot.help.claimed, '100y', 'sum', true), 'opened')",
        "sum(increase(bot_help_claimed[$__range]))",
        "opened",
        True,
        id="total",
    ),
    pytest.param(
        total(CLOSED),
        "aliasByNode(summarize(stats_counts.bot.help.dormant_calls.*.*, '100y', 'sum', true), 4, 5)",
        "sum by (invoker, reason) (increase(bot_help_dormant_calls[$__range]))",
        "{{invoker}}.{{reason}}",
        True,
        id="total-two-wildcards",
    ),
    pytest.param(
        top(COMMANDS, 20),
        "aliasByNode(limit(sortByTotal(summarize(stats_counts.bot.commands.*, '100y', 'sum', true)), 20), 3)",
        "sort_desc(topk(20, sum by (command) (increase(bot_command_calls[$__range]))))",
        "{{command}}",
        True,
        id="top",
    ),
    pytest.param(
        value(MEMBERS),
        "alias(stats.gauges.bot.guild.total_members, 'members')",
        "sum(bot_guild_total_members)",
        "members",
        None,
        id="value",
    ),
    pytest.param(
        value(gauge("slowmode.*")),
        "aliasByNode(stats.gauges.bot.slowmode.*, 4)",
        "sum by (channel) (bot_slowmode)",
        "{{channel}}",
        None,
        id="value-split",
    ),
    pytest.param(
        quantile(IN_USE_TIME, 0.5),
        "alias(scale(stats.timers.bot.help.in_use_time.median, 0.001), 'time in use p50')",
        'max(bot_help_in_use_time{quantile="0.5"})',
        "time in use p50",
        None,
        id="quantile-median",
    ),
    pytest.param(
        quantile(IN_USE_TIME, 0.9),
        "alias(scale(stats.timers.bot.help.in_use_time.upper_90, 0.001), 'time in use p90')",
        'max(bot_help_in_use_time{quantile="0.9"})',
        "time in use p90",
        None,
        id="quantile-p90",
    ),
    pytest.param(
        mean(IN_USE_TIME),
        "alias(scale(stats.timers.bot.help.in_use_time.mean, 0.001), 'time in use mean')",
        "sum(rate(bot_help_in_use_time_sum[$__rate_interval])) / sum(rate(bot_help_in_use_time_count[$__rate_interval]))",
        "time in use mean",
        None,
        id="mean",
    ),
    pytest.param(
        rate(counter("tags.usages.*").select("$tag"), per="1h"),
        "aliasByNode(scale(stats.bot.tags.usages.$tag, 3600), 4)",
        'sum by (tag) (rate(bot_tag_usages{tag=~"$tag"}[$__rate_interval])) * 3600',
        "{{tag}}",
        None,
        id="selected-by-variable",
    ),
    pytest.param(
        total(counter("errors.*"), split=False),
        "alias(sumSeries(summarize(stats_counts.bot.errors.*, '100y', 'sum', true)), 'errors.*')",
        'sum(increase(bot_errors{event="none"}[$__range]))',
        "errors.*",
        True,
        id="fixed-label-matcher",
    ),
]


@pytest.mark.parametrize(("operation", "graphite", "promql", "legend", "instant"), RENDERINGS)
def test_each_operation_renders_for_both_stores(
    operation: BotQuery, graphite: str, promql: str, legend: str, instant: bool | None
) -> None:
    assert GRAPHITE_STORE.translate(operation).text == graphite
    translated = PROMETHEUS_STORE.translate(operation)
    assert (translated.text, translated.legend, translated.instant) == (promql, legend, instant)


@pytest.mark.parametrize(
    ("name", "series", "matchers", "labels"),
    [
        ("commands.*", "bot_command_calls", {}, ("command",)),
        ("commands.ban", "bot_command_calls", {"command": "ban"}, ()),
        ("errors.unexpected", "bot_errors", {"event": "none", "error_type": "unexpected"}, ()),
        ("errors.event.*", "bot_errors", {"error_type": "none"}, ("event",)),
        ("errors.*", "bot_errors", {"event": "none"}, ("error_type",)),
        ("errors.bad_argument", "bot_errors", {"error_type": "bad_argument", "event": "none"}, ()),
        ("help.dormant_calls.auto.*", "bot_help_dormant_calls", {"invoker": "auto"}, ("reason",)),
        ("help.sessions.answered", "bot_help_sessions_answered", {}, ()),
        ("tags.usages.python.venv", "bot_tags_usages_python_venv", {}, ()),  # grouped tags are unmapped
    ],
)
def test_statsd_exporter_names(name: str, series: str, matchers: dict[str, str], labels: tuple[str, ...]) -> None:
    found = PROMETHEUS_STORE.series(counter(name))
    assert (found.name, dict(found.matchers), found.labels) == (series, matchers, labels)


def test_a_wildcard_statsd_exporter_does_not_map_is_an_error() -> None:
    with pytest.raises(DefinitionError, match=r"'tags\.usages\.\*\.\*': statsd_exporter has no mapping"):
        PROMETHEUS_STORE.translate(total(counter("tags.usages.*.*")))


def test_select_narrows_the_wildcard_in_both_stores() -> None:
    closed_auto = CLOSED.select("auto", None)
    assert GRAPHITE_STORE.translate(total(closed_auto)).text == (
        "aliasByNode(summarize(stats_counts.bot.help.dormant_calls.auto.*, '100y', 'sum', true), 4, 5)"
    )
    assert PROMETHEUS_STORE.translate(total(closed_auto)).text == (
        'sum by (invoker, reason) (increase(bot_help_dormant_calls{invoker="auto"}[$__range]))'
    )
    with pytest.raises(DefinitionError, match="has 2 '\\*' component"):
        CLOSED.select("auto")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: rate(MEMBERS), r"rate\(\) needs a counter or timer, 'guild.total_members' is a gauge"),
        (lambda: value(CLAIMED), r"value\(\) needs a gauge"),
        (lambda: quantile(IN_USE_TIME, 0.99), "quantile 0.99 is not kept by both stores"),
        (lambda: top(CLAIMED, 5), r"top\(\) needs a metric with one '\*'"),
        (lambda: top(COMMANDS, 0), r"top\(\) needs a metric with one '\*' and a limit >= 1"),
    ],
)
def test_operations_a_store_cannot_answer_are_refused(build: object, message: str) -> None:
    with pytest.raises(DefinitionError, match=message) as caught:
        build()  # type: ignore[operator]
    assert caught.value.location is not None
    assert Path(caught.value.location.path).name == "test_bot_metrics.py"


def test_variables_over_the_metric_tree_and_label_values() -> None:
    tags = counter("tags.usages.*")
    graphite = GRAPHITE_STORE.variable("tag", tags.select("$tag"), sample="pep8", multi=True).to_json_data()
    prometheus = PROMETHEUS_STORE.variable("tag", tags, sample="pep8", multi=True).to_json_data()
    assert (graphite["query"], graphite["datasource"]) == ("stats_counts.bot.tags.usages.*", "graphite")
    assert (prometheus["query"], prometheus["datasource"]) == ("label_values(bot_tag_usages, tag)", "prometheus")
    assert graphite["current"]["value"] == prometheus["current"]["value"] == "pep8"
    reasons = GRAPHITE_STORE.variable("invoker", CLOSED, sample="auto").to_json_data()
    assert reasons["query"] == "stats_counts.bot.help.dormant_calls.*"
    errors = PROMETHEUS_STORE.variable("kind", counter("errors.*"), sample="bad_argument").to_json_data()
    assert errors["query"] == 'label_values(bot_errors{event="none"}, error_type)'


def test_store_specific_panel_options_are_refused() -> None:
    with pytest.raises(DefinitionError, match="unknown option\\(s\\) for a bot panel: legend"):
        PROMETHEUS_STORE.timeseries("Commands", rate(COMMANDS), legend="{{command}}")  # type: ignore[call-arg]


def _help(store: BotStore) -> Dashboard:
    return Dashboard(
        uid="bot-help",
        title="Help posts",
        folder="Bot",
        tags=["bot"],
        variables=[store.variable("command", COMMANDS, sample="help")],
        rows=[
            Row(
                "Posts",
                [
                    store.stat("Opened", total(CLAIMED)),
                    store.timeseries("Commands", rate(COMMANDS.select("$command"), per="1h")),
                    store.timeseries("Time in use", quantile(IN_USE_TIME, 0.5), mean(IN_USE_TIME), unit="s"),
                ],
            )
        ],
    )


def test_one_definition_yields_a_valid_dashboard_per_store(tmp_path: Path) -> None:
    definition = tmp_path / "dashboards" / "bot" / "help.py"
    definition.parent.mkdir(parents=True)
    shutil.copytree(PYDIS_BOT.__file__.rsplit("/", 1)[0], tmp_path / "dashboards" / "_pydis")
    shutil.copytree(GRAPHITE_METRICS.parents[1], tmp_path / "datasources")
    definition.write_text(
        textwrap.dedent(
            """
            from _pydis.bot import BotDashboard

            from pydis_dash.grafana import Dashboard, Row
            from pydis_dash.grafana.bot import BotStore, counter, total

            @BotDashboard
            def help_posts(store: BotStore) -> Dashboard:
                return Dashboard(uid="bot-help", title="Help posts", folder="Bot", tags=["bot"],
                                 rows=[Row("Posts", [store.stat("Opened", total(counter("help.claimed")))])])
            """
        )
    )
    resources = load_resources(tmp_path)
    dashboards = {r.ref.uid: r for r in resources if r.kind is Kind.GRAFANA_DASHBOARD}
    assert sorted(dashboards) == ["bot-help", "bot-help-prom"]
    assert [r.ref.uid for r in resources if r.kind is Kind.GRAFANA_FOLDER] == ["pydis-dash-bot"]
    for resource in dashboards.values():
        assert check_resource(resource) == [], resource.ref.uid
        assert str(resource.source).startswith("dashboards/bot/help.py:")
    graphite, prometheus = dashboards["bot-help"].body, dashboards["bot-help-prom"].body
    assert (graphite["title"], graphite["tags"]) == ("Help posts", ["bot", "graphite"])
    assert (prometheus["title"], prometheus["tags"]) == ("Help posts (Prometheus)", ["bot", "prometheus"])
    assert graphite["panels"][1]["datasource"]["uid"] == "graphite"
    assert graphite["panels"][1]["targets"][0]["target"].startswith("alias(summarize(stats_counts.bot.help.claimed")
    assert prometheus["panels"][1]["datasource"]["uid"] == "prometheus"
    assert prometheus["panels"][1]["targets"][0]["expr"] == "sum(increase(bot_help_claimed[$__range]))"


def test_both_variants_share_layout_and_reduce_to_the_latest_value() -> None:
    graphite, prometheus = BotDashboard(_help).dashboards
    assert (graphite.uid, prometheus.uid) == ("bot-help", "bot-help-prom")
    # Same outline, the author's line kept for errors; only the queries differ.
    assert graphite.defined_at == prometheus.defined_at
    assert Path(graphite.defined_at.path).name == "test_bot_metrics.py"
    for variant in (graphite, prometheus):
        stat = variant.rows[0].panels[0].panel.to_json_data()
        assert stat["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    graphite_series = [t.to_json_data() for t in graphite.rows[0].panels[2].panel.targets]
    prometheus_series_ = [t.to_json_data() for t in prometheus.rows[0].panels[2].panel.targets]
    assert [t["refId"] for t in graphite_series] == [t["refId"] for t in prometheus_series_] == ["A", "B"]
    assert [t.get("legendFormat") for t in prometheus_series_] == ["time in use p50", "time in use mean"]


def _catalogue() -> list[tuple[str, BotMetric]]:
    return [(name, item) for name, item in vars(PYDIS_BOT).items() if isinstance(item, BotMetric)]


def test_every_catalogued_bot_metric_is_in_both_seed_lists() -> None:
    graphite_paths = [
        line.strip() for line in GRAPHITE_METRICS.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    prometheus_names = set(re.findall(r"^\w+ (\w+)\{", PROMETHEUS_SERIES.read_text(), flags=re.MULTILINE))
    fields = {MetricKind.COUNTER: ("rate", "count"), MetricKind.GAUGE: ("value",), MetricKind.TIMER: ("count", "mean")}
    missing = [
        f"{name}: {path}"
        for name, metric in _catalogue()
        for path in (GRAPHITE_STORE.path(metric, series) for series in fields[metric.kind])
        if not any(fnmatch.fnmatchcase(seeded, path) for seeded in graphite_paths)
    ]
    missing += [
        f"{name}: {PROMETHEUS_STORE.series(metric).name}"
        for name, metric in _catalogue()
        if PROMETHEUS_STORE.series(metric).name not in prometheus_names
    ]
    assert len(_catalogue()) > 20
    assert missing == []
