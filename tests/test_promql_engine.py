"""The PromQL engine on a real Prometheus: Prometheus' own errors, unknown metrics, expansion."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
from bundled_sources import prometheus_series_text
from emulators.http import Emulator, Request, Response
from fixtures_prometheus import PROM_JSON_PATH

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.model import Kind, Ref, SourceLocation
from pydis_dash.validate.engines.base import Engine
from pydis_dash.validate.engines.prometheus import PromqlEngine, open_promql_engine
from pydis_dash.validate.engines.prometheus_api import EvaluationError, PrometheusApi
from pydis_dash.validate.engines.prometheus_server import PrometheusServer
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query, Variable

MakeQuery = Callable[..., Query]
PANEL_LOCATION = SourceLocation(Path("dashboards/site.py"), 21)


def finding(message: str, severity: Severity = Severity.ERROR, ref_id: str = "A") -> Finding:
    """The finding the engine reports for the test panel (panel 'Requests', line 21)."""
    return Finding(
        rule="PROMQL",
        severity=severity,
        message=message,
        ref=Ref(Kind.GRAFANA_DASHBOARD, "site"),
        location=PANEL_LOCATION,
        json_path=PROM_JSON_PATH,
        panel="Requests",
        ref_id=ref_id,
    )


def test_engine_implements_the_protocol(promql_engine: PromqlEngine) -> None:
    engine: Engine = promql_engine
    assert engine.language is Language.PROMQL


def test_syntax_error_carries_prometheus_message(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query("sum(rate(django_http_requests_total_by_method_total[5m])")
    assert promql_engine.check([query]) == [finding("1:57: parse error: unclosed left parenthesis")]


def test_type_error(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    assert promql_engine.check([promql_query("rate(up)")]) == [
        finding('1:6: parse error: expected type range vector in call to function "rate", got instant vector')
    ]


def test_unknown_function(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    assert promql_engine.check([promql_query("rate_of(up[5m])")]) == [
        finding('1:1: parse error: unknown function with name "rate_of"')
    ]


def test_unknown_metric_is_a_warning_with_suggestions(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query('sum(rate(bot_comand_calls{command="ban"}[$__rate_interval]))')
    assert promql_engine.check([query]) == [
        finding(
            "unknown metric 'bot_comand_calls': Prometheus has no series with this name; "
            "did you mean 'bot_command_calls', 'bot_help_dormant_calls', 'bot_defcon_leaves'?",
            Severity.WARNING,
        )
    ]


def test_unknown_metric_is_an_error_when_strict(strict_promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query("increase(pg_stat_database_deadlock[1m]) > 3")
    assert strict_promql_engine.check([query]) == [
        finding(
            "unknown metric 'pg_stat_database_deadlock': Prometheus has no series with this name; "
            "did you mean 'pg_stat_database_deadlocks', 'pg_stat_database_blks_read', "
            "'pg_stat_database_xact_rollback'?"
        )
    ]


def test_unknown_metric_without_close_names_has_no_suggestion(
    promql_engine: PromqlEngine, promql_query: MakeQuery
) -> None:
    assert promql_engine.check([promql_query("zzz_qqq")]) == [
        finding("unknown metric 'zzz_qqq': Prometheus has no series with this name", Severity.WARNING)
    ]


def test_good_query_with_variables_and_rate_interval(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    text = (
        'sum by (command) (rate(bot_command_calls{command=~"$command", job="$job"}[$__rate_interval]))'
        " / on() group_left sum(rate(bot_messages[${__rate_interval}]))"
    )
    variables = [Variable("command", "query", multi=True, include_all=True), Variable("job", "constant", sample="x")]
    assert promql_engine.check([promql_query(text, variables)]) == []
    # Sent as written, Prometheus would reject it: the check passes because of the expansion.
    assert promql_engine.api.evaluate(text, promql_engine.at) is not None


def test_quantile_of_the_site_latency_histogram_is_clean(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    text = (
        "histogram_quantile(0.95, sum by (le) (rate("
        'django_http_requests_latency_seconds_by_view_method_bucket{view!="api:github-artifacts"}[5m]))) > 1.0'
    )
    assert promql_engine.check([promql_query(text)]) == []


def test_error_after_expansion_shows_the_expanded_expression(
    promql_engine: PromqlEngine, promql_query: MakeQuery
) -> None:
    query = promql_query('rate(up{job="$job"}[$__rate_interval]) +', [Variable("job", "custom", sample="site")])
    assert promql_engine.check([query]) == [
        finding(
            "1:27: parse error: unexpected end of input "
            '(in the expression after variable expansion: rate(up{job="site"}[2m]) +)'
        )
    ]


def test_undefined_variable_is_named_in_the_error(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query("rate(up[$window])")
    assert promql_engine.check([query]) == [
        finding("1:9: parse error: missing unit character in duration; not defined as dashboard variables: $window")
    ]


def test_evaluation_error_is_reported(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query('label_replace(up{job="site"}, "instance", "x", "", "")')
    assert promql_engine.check([query]) == [
        finding("evaluation failed (execution): vector cannot contain metrics with the same labelset")
    ]


def test_templated_metric_names_are_not_reported(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    query = promql_query("rate(bot_${counter}[5m])", [Variable("counter", "custom", sample="command_calls")])
    assert promql_engine.check([query]) == []


def test_empty_expression_is_skipped(promql_engine: PromqlEngine, promql_query: MakeQuery) -> None:
    assert promql_engine.check([promql_query("  ")]) == []


def test_findings_follow_query_order_and_other_languages_are_ignored(
    promql_engine: PromqlEngine, promql_query: MakeQuery
) -> None:
    sql = replace(promql_query("SELECT 1"), language=Language.SQL)
    queries = [
        promql_query("rate(up)", ref_id="A"),
        sql,
        promql_query("up", ref_id="B"),
        promql_query("nope", ref_id="C"),
    ]
    assert [(f.ref_id, f.severity) for f in promql_engine.check(queries)] == [
        ("A", Severity.ERROR),
        ("C", Severity.WARNING),
    ]


def test_open_without_url_starts_and_stops_its_own_prometheus(promql_query: MakeQuery) -> None:
    with open_promql_engine(None, series_text=prometheus_series_text()) as engine:
        url = engine.api.url
        assert "bot_command_calls" in engine.known_metrics
        assert engine.check([promql_query("rate(up)")])[0].message.startswith("1:6: parse error")
        # Evaluated inside the seeded window: the 4 seeded `up` series have samples there.
        response = requests.post(f"{url}/api/v1/query", data={"query": "up", "time": str(engine.at)}, timeout=5)
        assert len(response.json()["data"]["result"]) == 4
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/-/ready", timeout=1)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_url_is_an_environment_problem_without_credentials() -> None:
    port = closed_port()
    with pytest.raises(EnvironmentProblem) as caught, open_promql_engine(f"http://bot:hunter2@127.0.0.1:{port}/prom"):
        pass
    assert str(caught.value) == f"Prometheus at http://127.0.0.1:{port}/prom is unreachable: ConnectionError"
    assert caught.value.exit_code is ExitCode.ENVIRONMENT


class FakePrometheus(Emulator):
    """Answers the two API calls the engine makes: one metric name, empty query results."""

    def __init__(self) -> None:
        super().__init__()
        self.route(
            "GET", "/api/v1/label/__name__/values", lambda r: Response(200, {"status": "success", "data": ["up"]})
        )
        self.route("POST", "/api/v1/query", self._query)

    @staticmethod
    def _query(request: Request) -> Response:
        return Response(200, {"status": "success", "data": {"resultType": "vector", "result": []}})


class SlowOnePrometheus(FakePrometheus):
    """Takes a second to answer any query whose text holds ``slow_text`` (the hang follows the expression)."""

    def __init__(self, slow_text: str) -> None:
        super().__init__()
        self.slow_text = slow_text
        self.asked: list[str] = []  # every query's text, as sent

    def _dispatch(self, request: Request) -> Response:
        if request.path == "/api/v1/query":
            with self.lock:
                self.asked.append(query_of(request))
            if self.slow_text in query_of(request):
                time.sleep(1.0)
        return super()._dispatch(request)


def query_of(request: Request) -> str:
    """The ``query`` form field of a POST to /api/v1/query."""
    return parse_qs(request.raw_body.decode())["query"][0]


def test_a_query_that_hangs_is_reported_and_the_run_goes_on(promql_query: MakeQuery) -> None:
    with SlowOnePrometheus("up + 1") as fake, PrometheusApi(fake.url, http_timeout_s=0.3) as api:
        findings = PromqlEngine(api).check([promql_query("up", ref_id="A"), promql_query("up + 1", ref_id="B")])
        sent = list(fake.asked)
    # Their union hung; then each went alone: "up" was answered (no answer would be a finding too).
    timeout = "evaluation failed (timeout): Prometheus did not answer within 0.3 s"
    assert findings == [finding(timeout, ref_id="B")]
    assert sorted(sent) == sorted(["(\nup\n)\nor\n(\nup + 1\n)", "up", "up + 1"])


class CountingPrometheus(FakePrometheus):
    """Holds each query until ``expected`` are in flight together (or a second passes)."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.together = threading.Barrier(expected)

    def _dispatch(self, request: Request) -> Response:
        if request.path == "/api/v1/query":
            with contextlib.suppress(threading.BrokenBarrierError):
                self.together.wait(timeout=1.0)
        return super()._dispatch(request)


def test_distinct_expressions_are_sent_together_and_each_once(promql_query: MakeQuery) -> None:
    texts = ["up", "up + 1", "up * 2", "up", "up - 1"]  # four distinct, one repeated
    with CountingPrometheus(expected=4) as fake, PrometheusApi(fake.url) as api:
        findings = PromqlEngine(api, batch_size=1).check([promql_query(text) for text in texts])
        assert findings == []
        assert fake.count("POST", "/api/v1/query") == 4
        assert not fake.together.broken  # all four were in flight at once


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (Response(404, {"message": "Not found"}), "could not list metric names: HTTP 404"),
        (
            Response(200, b"<html>Grafana</html>", {"Content-Type": "text/html"}),
            "answered HTTP 200 to /api/v1/label/__name__/values with something that is not Prometheus JSON "
            "(is the URL right?)",
        ),
    ],
)
def test_a_server_that_is_not_prometheus_is_an_environment_problem(answer: Response, problem: str) -> None:
    with Emulator() as other:
        other.route("GET", "/api/v1/label/__name__/values", lambda request: answer)
        url = other.url
        with pytest.raises(EnvironmentProblem) as caught, open_promql_engine(url):
            pass
    assert str(caught.value) == f"Prometheus at {url} {problem}"


class CountingApi(PrometheusApi):
    """A PrometheusApi that keeps every expression it was asked to evaluate."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def evaluate(self, expression: str, at: float | None) -> EvaluationError | None:
        with self._lock:
            self.asked.append(expression)
        return super().evaluate(expression, at)


# Fine, broken in every way Prometheus reports, and fine alone but refused by `or` (not instant vectors).
MIXED_EXPRESSIONS = [
    'sum by (method) (rate(django_http_requests_total_by_method_total{job="site"}[5m]))',
    "up == 1",
    "sum(rate(up[5m])",  # syntax
    "rate(up)",  # type
    'label_replace(up{job="site"}, "instance", "x", "", "")',  # execution
    "up) or (up",  # parses only between someone else's parentheses
    "up # a comment that would swallow the rest of a union",
    "1",  # scalar
    "time() - 60",
    "up[5m]",  # range vector
    '"text"',  # string
    "nope_total > 0",  # unknown metric
    "up / on() group_left up",  # execution: many-to-one matching
]


def test_unions_find_exactly_what_each_expression_alone_finds(
    prometheus_server: PrometheusServer, promql_query: MakeQuery
) -> None:
    queries = [promql_query(text, ref_id=f"Q{n}") for n, text in enumerate(MIXED_EXPRESSIONS)]
    by_batch = {}
    for batch_size in (1, 4, 25):
        with CountingApi(prometheus_server.url) as api:
            by_batch[batch_size] = PromqlEngine(api, at=prometheus_server.evaluation_time, batch_size=batch_size).check(
                queries
            )
    assert by_batch[4] == by_batch[1] and by_batch[25] == by_batch[1]
    flagged = {f.ref_id for f in by_batch[1]}
    assert flagged == {"Q2", "Q3", "Q4", "Q5", "Q11", "Q12"}  # every broken one, nothing else


@pytest.mark.parametrize("broken", ["up) or (up", 'up{job="site"} + on() "x', "sum(rate(up[5m])", "rate(up)"])
def test_one_broken_expression_among_fine_ones_is_found_as_alone(
    promql_engine: PromqlEngine, broken: str, promql_query: MakeQuery
) -> None:
    fine = [promql_query(f"up > {n}", ref_id=f"F{n}") for n in range(3)]
    alone = promql_engine.check([promql_query(broken, ref_id="B")])
    assert alone and {f.ref_id for f in alone} == {"B"}
    with PrometheusApi(promql_engine.api.url) as api:
        among = PromqlEngine(api, at=promql_engine.at).check([*fine, promql_query(broken, ref_id="B")])
    assert among == alone


def test_fine_expressions_share_requests_and_a_failed_union_is_asked_again_alone(
    prometheus_server: PrometheusServer, promql_query: MakeQuery
) -> None:
    fine = [f"up > {n}" for n in range(60)]
    with CountingApi(prometheus_server.url) as api:
        engine = PromqlEngine(api, at=prometheus_server.evaluation_time, batch_size=25)
        assert engine.check([promql_query(text) for text in fine]) == []
        assert len(api.asked) == 3  # 25 + 25 + 10
        api.asked.clear()
        broken = [f"up > {n}" for n in range(100, 149)] + ["rate(up)"]
        findings = engine.check([promql_query(text) for text in broken])
        assert [f.message for f in findings] == [
            '1:6: parse error: expected type range vector in call to function "rate", got instant vector'
        ]
        assert len(api.asked) == 2 + 25  # two unions, then the failed one's 25 alone
        assert "rate(up)" in api.asked
