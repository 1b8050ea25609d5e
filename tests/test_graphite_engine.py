"""The Graphite engine against a real graphite-web (one per session, see ``fixtures_graphite.py``)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from emulators.http import Emulator, Request, Response

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.engines.base import Engine
from pydis_dash.validate.engines.graphite import GraphiteEngine, open_graphite_engine
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query, TemplateSyntax, Variable

DEFINITION = Path("dashboards/bot/commands.py")
DASHBOARD = Ref(Kind.GRAFANA_DASHBOARD, "bot-commands")
PANEL_LINE = 21
VARIABLE_LINE = 9
VARIABLES = (
    Variable("command", "query", multi=True, include_all=True),  # no sample: all commands
    Variable("tag", "query", multi=True, include_all=True, sample="ask"),
    Variable("limit", "custom", sample="20"),
)


def dashboard(*targets: str, variable_query: Any = "stats_counts.bot.tags.usages.*") -> Resource:
    """A rendered dashboard with one Graphite panel holding ``targets`` (refIds A, B, ...)."""
    body = {
        "title": "Bot commands",
        "panels": [
            {
                "type": "timeseries",
                "title": "Command usage",
                "datasource": {"type": "graphite", "uid": "graphite"},
                "targets": [{"refId": chr(ord("A") + index), "target": target} for index, target in enumerate(targets)],
            }
        ],
        "templating": {"list": [{"name": "tag", "type": "query", "query": variable_query}]},
    }
    return Resource(
        ref=DASHBOARD,
        title="Bot commands",
        body=body,
        source=SourceLocation(DEFINITION, 1),
        anchors={
            "/panels/0": SourceLocation(DEFINITION, PANEL_LINE),
            "/templating/list/0": SourceLocation(DEFINITION, VARIABLE_LINE),
        },
    )


def panel_queries(resource: Resource) -> list[Query]:
    """The panel's targets as the extractor hands them over."""
    targets: Sequence[Mapping[str, str]] = resource.body["panels"][0]["targets"]
    return [
        Query(
            resource=resource,
            json_path=f"/panels/0/targets/{index}/target",
            language=Language.GRAPHITE,
            text=target["target"],
            syntax=TemplateSyntax.GRAFANA,
            variables=VARIABLES,
            datasource_uid="graphite",
            panel="Command usage",
            ref_id=target["refId"],
        )
        for index, target in enumerate(targets)
    ]


def check(engine: GraphiteEngine, *targets: str) -> list[Finding]:
    return engine.check(panel_queries(dashboard(*targets)))


def expected(message: str, severity: Severity = Severity.ERROR, ref_id: str = "A", index: int = 0) -> Finding:
    return Finding(
        rule="GRAPHITE",
        severity=severity,
        message=message,
        ref=DASHBOARD,
        location=SourceLocation(DEFINITION, PANEL_LINE),
        json_path=f"/panels/0/targets/{index}/target",
        panel="Command usage",
        ref_id=ref_id,
    )


def test_is_an_engine(graphite_engine: GraphiteEngine) -> None:
    engine: Engine = graphite_engine
    assert engine.language is Language.GRAPHITE


@pytest.mark.parametrize(
    "target",
    [
        "sumSeries(stats_counts.bot.commands.*)",
        "integral(stats_counts.bot.channels.off_topic_*)",
        "aliasByNode(stats_counts.bot.commands.*, 3)",
        "highestMax(stats_counts.bot.commands.$command, $limit)",
        "aliasByNode(integral(stats_counts.bot.tags.usages.${tag}), 4)",
        "summarize(stats_counts.bot.help.claimed, '$__interval', 'sum')",
        "stats.gauges.bot.guild.total_members",
        "stats.timers.bot.help.in_use_time.{median,upper_90}",
        "stats_counts.bot.rule_uses.[1-5] | sumSeries() | alias('rules')",
        # Renders nothing, yet every path exists: the filter, not a typo, emptied it.
        "removeBelowValue(stats_counts.bot.messages, 1e9)",
    ],
)
def test_good_targets_have_no_findings(graphite_engine: GraphiteEngine, target: str) -> None:
    assert check(graphite_engine, target) == []


def test_unknown_function(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "sumSeriess(stats_counts.bot.commands.*)") == [
        expected("Graphite rejected the target: Received request for unknown function: sumSeriess")
    ]


def test_missing_argument(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "aliasByNode(stats_counts.bot.commands.*)") == [
        expected('Graphite rejected the target: Missing required parameter "nodes" for function "aliasByNode"')
    ]


def test_string_where_a_number_belongs(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "highestMax(stats_counts.bot.commands.*, 'twenty')") == [
        expected(
            'Graphite rejected the target: Invalid "integer" value specified for function "highestMax"'
            " parameter \"n\": 'twenty'"
        )
    ]


def test_double_quoted_interval_is_not_rewritten(graphite_engine: GraphiteEngine) -> None:
    # Grafana only turns '1m' into '1min' inside single quotes; Graphite reads "1m" as no unit.
    assert check(graphite_engine, 'summarize(stats_counts.bot.messages, "$__interval")') == [
        expected(
            'Graphite rejected the target: Invalid "interval" value specified for function "summarize"'
            " parameter \"intervalString\": '1m'"
        )
    ]


def test_error_raised_inside_graphite(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "movingAverage(stats_counts.bot.messages, 'a while')") == [
        expected("Graphite failed on the target (HTTP 500): KeyError: 'Invalid offset: a while'")
    ]


def test_syntax_error_is_not_sent(graphite_engine: GraphiteEngine) -> None:
    # graphite-web would answer 200 for this, rendering the path "sumSeries".
    assert check(graphite_engine, "sumSeries(stats_counts.bot.commands.*") == [
        expected("syntax error at column 38: expected ')', found end of target")
    ]


def test_unknown_metric_path_is_a_warning(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "sumSeries(stats_counts.bot.comands.*)") == [
        expected(
            "metric path 'stats_counts.bot.comands.*' matches nothing in Graphite: nothing under"
            " 'stats_counts.bot' matches 'comands' (did you mean 'commands'?)",
            Severity.WARNING,
        )
    ]


def test_unknown_metric_path_is_an_error_when_strict(strict_graphite_engine: GraphiteEngine) -> None:
    assert check(strict_graphite_engine, "stats.gauges.bot.guild.total_member") == [
        expected(
            "metric path 'stats.gauges.bot.guild.total_member' matches nothing in Graphite: nothing under"
            " 'stats.gauges.bot.guild' matches 'total_member' (did you mean 'total_members'?)"
        )
    ]


def test_unknown_top_level_node(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "integral(stats_count.bot.messages)") == [
        expected(
            "metric path 'stats_count.bot.messages' matches nothing in Graphite: nothing at the top level"
            " matches 'stats_count' (did you mean 'stats_counts' or 'stats'?)",
            Severity.WARNING,
        )
    ]


def test_each_missing_pattern_is_named_even_when_others_render(graphite_engine: GraphiteEngine) -> None:
    assert check(graphite_engine, "sumSeries(stats_counts.bot.messages, stats_counts.bot.voice_gate.pased)") == [
        expected(
            "metric path 'stats_counts.bot.voice_gate.pased' matches nothing in Graphite: nothing under"
            " 'stats_counts.bot.voice_gate' matches 'pased' (did you mean 'passed'?)",
            Severity.WARNING,
        )
    ]


def test_references_to_other_targets_are_resolved(graphite_engine: GraphiteEngine) -> None:
    fine = check(graphite_engine, "sumSeries(stats_counts.bot.commands.*)", "integral(#A)")
    assert fine == []
    # The path is written in A; B reports it too, because B is A's series after Grafana's substitution.
    message = (
        "metric path 'stats_counts.bot.nothing' matches nothing in Graphite: nothing under"
        " 'stats_counts.bot' matches 'nothing'"
    )
    assert check(graphite_engine, "stats_counts.bot.nothing", "integral(#A)") == [
        expected(message, Severity.WARNING, "A", 0),
        expected(message, Severity.WARNING, "B", 1),
    ]


def variable_query(resource: Resource, text: str, path: str = "/templating/list/0/query") -> Query:
    return Query(resource, path, Language.GRAPHITE, text, TemplateSyntax.GRAFANA, VARIABLES, "graphite")


def test_variable_find_query(graphite_engine: GraphiteEngine) -> None:
    resource = dashboard("stats_counts.bot.messages")
    assert graphite_engine.check([variable_query(resource, "stats_counts.bot.tags.usages.*")]) == []
    assert graphite_engine.check([variable_query(resource, "stats_counts.bot.tag.usages.*")]) == [
        Finding(
            rule="GRAPHITE",
            severity=Severity.WARNING,
            message="metric path 'stats_counts.bot.tag.usages.*' matches nothing in Graphite: nothing under"
            " 'stats_counts.bot' matches 'tag' (did you mean 'tags'?)",
            ref=DASHBOARD,
            location=SourceLocation(DEFINITION, VARIABLE_LINE),
            json_path="/templating/list/0/query",
        )
    ]


def test_variable_value_query_is_rendered(graphite_engine: GraphiteEngine) -> None:
    # Grafana's "Value" variable queries go through /render, so functions are checked too.
    definition = {"queryType": "Value", "target": "nosuch(stats_counts.bot.messages)"}
    resource = dashboard("stats_counts.bot.messages", variable_query=definition)
    query = variable_query(resource, definition["target"], "/templating/list/0/query/target")
    [finding] = graphite_engine.check([query])
    assert finding.message == "Graphite rejected the target: Received request for unknown function: nosuch"


def test_other_languages_are_ignored(graphite_engine: GraphiteEngine) -> None:
    [query] = panel_queries(dashboard("nosuch(x)"))
    promql = Query(query.resource, query.json_path, Language.PROMQL, "up", TemplateSyntax.GRAFANA)
    assert graphite_engine.check([promql]) == []


def test_live_url_is_checked_for_reachability(graphite_engine: GraphiteEngine) -> None:
    with open_graphite_engine(graphite_engine.url, strict=True) as live:
        assert live.strict
        assert check(live, "sumSeries(stats_counts.bot.commands.*)") == []


def test_unreachable_live_url_is_an_environment_problem() -> None:
    with pytest.raises(EnvironmentProblem) as caught, open_graphite_engine("http://graphite:hunter2@127.0.0.1:9"):
        pass
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value).startswith("Graphite at http://127.0.0.1:9 is unreachable: ")
    assert "hunter2" not in str(caught.value)


class SlowGraphite(Emulator):
    """Answers like an empty Graphite, but hangs for a second on any render of ``hanging_target`` (if any).

    The hang is tied to the target, not to the first request: the engine renders several targets at
    once, so which request arrives first is not fixed."""

    def __init__(self, hanging_target: str | None = None) -> None:
        super().__init__()
        self.hanging_target = hanging_target.encode() if hanging_target else None
        self.route("GET", "/metrics/find", lambda request: Response(200, []))
        self.route("POST", "/render", lambda request: Response(200, []))

    def _dispatch(self, request: Request) -> Response:
        # Hang before the routes take the emulator's lock, so the other requests are answered meanwhile.
        if request.path == "/render" and self.hanging_target and self.hanging_target in request.raw_body:
            time.sleep(1.0)
        return super()._dispatch(request)


def test_a_hanging_render_is_reported_and_the_run_goes_on() -> None:
    with SlowGraphite("stats_counts.bot.messages") as slow:
        engine = GraphiteEngine(slow.url, timeout=0.3)
        findings = check(engine, "stats_counts.bot.messages", "stats_counts.bot.nothing")
        engine.close()
    assert findings == [
        expected("Graphite did not answer within 0.3 s"),
        expected(
            "metric path 'stats_counts.bot.nothing' matches nothing in Graphite: nothing at the top level"
            " matches 'stats_counts'",
            Severity.WARNING,
            "B",
            1,
        ),
    ]


class NotGraphite(Emulator):
    """Answers /metrics/find with JSON that is not a list of nodes (another service behind the URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.route("GET", "/metrics/find", lambda request: Response(200, {"status": "ok"}))


def test_a_url_that_is_not_graphite_is_an_environment_problem() -> None:
    with NotGraphite() as other:
        url = other.url
        with pytest.raises(EnvironmentProblem) as caught, open_graphite_engine(url):
            pass
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value).startswith(f"Graphite at {url} answered HTTP 200 to /metrics/find: ")


def test_checking_together_gives_the_findings_of_checking_one_by_one(graphite_engine: GraphiteEngine) -> None:
    resource = dashboard(
        "sumSeries(stats_counts.bot.commands.*)",
        "sumSeriess(stats_counts.bot.commands.*)",
        "sumSeries(stats_counts.bot.comands.*)",
        "sumSeries(stats_counts.bot.commands.*",
        "",
        "sumSeries(stats_counts.bot.commands.*)",
        "asPercent(#A, #F)",
        "movingAverage(stats_counts.bot.messages, 'a while')",
    )
    queries = [*panel_queries(resource), variable_query(resource, "stats_counts.bot.tagz.*")]
    one_by_one = [finding for query in queries for finding in graphite_engine.check_query(query)]
    assert len(one_by_one) == 5  # the unknown function, path, syntax error, bad argument, variable path
    assert graphite_engine.check(queries) == one_by_one


class CountingGraphite(SlowGraphite):
    """Holds each render until ``expected`` are in flight together (or a second passes); counts them."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.together = threading.Barrier(expected)

    def _dispatch(self, request: Request) -> Response:
        if request.path == "/render":
            with contextlib.suppress(threading.BrokenBarrierError):
                self.together.wait(timeout=1.0)
        return super()._dispatch(request)


def test_distinct_targets_are_rendered_together_and_each_once() -> None:
    targets = ["a.b", "sumSeries(a.*)", "a.b", "scale(a.b, 2)", "offset(a.b, 1)"]  # four distinct, one repeated
    with CountingGraphite(expected=4) as fake:
        engine = GraphiteEngine(fake.url)
        try:
            findings = check(engine, *targets)
        finally:
            engine.close()
        assert fake.count("POST", "/render") == 4
        assert not fake.together.broken  # all four were in flight at once
    # The fake knows no metric: each distinct pattern is looked up once, and each target gets its warning.
    assert [finding.ref_id for finding in findings] == ["A", "B", "C", "D", "E"]
