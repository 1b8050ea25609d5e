"""The PromQL engine: every expression is evaluated by a real Prometheus.

By default :func:`open_promql_engine` starts a throwaway Prometheus holding the seeded series
(:mod:`~pydis_dash.validate.engines.prometheus_server`) seeded with the data source's series list; a
data source's live URL (``check: live_url_env`` or ``--engine-url``) points it at a live one instead.
For each query, Grafana variables and interval macros are expanded as Grafana would
(:mod:`~pydis_dash.validate.engines.promql_expand`), the expression is evaluated with
``/api/v1/query``, and:

* a syntax or type error (Prometheus' ``bad_data``) is an error carrying Prometheus' own message,
  plus the expanded expression when expansion changed it (the column numbers refer to that text);
* an evaluation failure (``execution``, ``timeout``) is an error too;
* a literal metric name the server has no series for is a warning (an error with ``strict``),
  with the closest known names as suggestions.

Most expressions are fine, and a request costs Prometheus and us more than evaluating a typical
expression, so the distinct expressions go :data:`BATCH_SIZE` to a request first, as one union
``(e1) or (e2) or ...``: Prometheus parses, type-checks and evaluates every operand of ``or`` (there is
no short cut), so when the union succeeds each expression alone would have. When it fails (an error in
one of them, or one that is not an instant vector, which ``or`` refuses) each of its expressions is
evaluated alone, and only those answers make findings: messages and positions are Prometheus' own for
that expression. Only :func:`~.promql_lexer.self_contained` expressions join a union.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from pydis_dash.model import resolve_pointer
from pydis_dash.sample.series import SeriesSample
from pydis_dash.validate.engines.base import QueryByQuery
from pydis_dash.validate.engines.prometheus_api import EvaluationError, PrometheusApi
from pydis_dash.validate.engines.prometheus_server import PrometheusServer
from pydis_dash.validate.engines.promql_expand import IntervalSettings, expand, undefined_references
from pydis_dash.validate.engines.promql_lexer import metric_names, self_contained
from pydis_dash.validate.engines.sql_results import QueryResult, series_result
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query

RULE = "PROMQL"
#: PromQL checks in flight at once (one Prometheus, its own process: it answers them in parallel).
CONCURRENCY = 8
#: Expressions evaluated together in one union query (measured: 25 a request takes a fifth of the time of
#: one a request on 1,000 expressions, for Prometheus and for us; larger unions gain nothing more).
BATCH_SIZE = 25
RUN_RANGE_S = 7200
RUN_STEP_S = 60
_LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromqlEngine(QueryByQuery):
    """Checks PromQL queries on one Prometheus; implements :class:`~pydis_dash.validate.engines.base.Engine`.

    ``at`` is the Unix time expressions are evaluated at (None: the server's current time);
    ``batch_size`` how many expressions share a request at most (1: each its own).
    The known metric names are read once, when the engine is created.
    """

    language = Language.PROMQL

    def __init__(
        self, api: PrometheusApi, *, strict: bool = False, at: float | None = None, batch_size: int = BATCH_SIZE
    ):
        self.api = api
        self.strict = strict
        self.at = at
        self.batch_size = batch_size
        self.known_metrics = frozenset(api.metric_names())
        self._sorted_metrics = sorted(self.known_metrics)
        self._outcomes: dict[str, EvaluationError | None] = {}

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """The findings of every PromQL query, in query order; the distinct expressions are sent to
        Prometheus first, in unions, :data:`CONCURRENCY` requests at a time (each answer waits on the
        network, not on us), then those of failed unions alone."""
        at = self.at if self.at is not None else time.time()
        # Expanded once per query: expansion tokenizes the expression, a cost per query worth not paying twice.
        ours = [
            (query, self._expanded(query, at) if query.text.strip() else "")
            for query in queries
            if query.language is self.language
        ]
        expressions = [
            expression
            for expression in dict.fromkeys(expanded for query, expanded in ours if query.text.strip())
            if expression not in self._outcomes
        ]
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            alone = self._ask_in_unions(expressions, pool)
            for expression, outcome in zip(alone, pool.map(self._ask, alone), strict=True):
                self._outcomes[expression] = outcome
        return [finding for query, expanded in ours for finding in self._check(query, expanded)]

    def _ask_in_unions(self, expressions: list[str], pool: ThreadPoolExecutor) -> list[str]:
        """Evaluate the self-contained ``expressions`` in unions of :attr:`batch_size`, recording those
        found fine; returns the expressions still to be evaluated alone (the rest, and every one of a
        failed union)."""
        if self.batch_size < 2:
            return expressions
        joinable: list[str] = []
        alone: list[str] = []
        for expression in expressions:
            (joinable if self_contained(expression) else alone).append(expression)
        unions = [joinable[i : i + self.batch_size] for i in range(0, len(joinable), self.batch_size)]
        for members, outcome in zip(unions, pool.map(self._ask_union, unions), strict=True):
            if outcome is None or len(members) == 1:
                self._outcomes.update(dict.fromkeys(members, outcome))
            else:
                alone += members
        return alone

    def _ask_union(self, members: list[str]) -> EvaluationError | None:
        if len(members) == 1:
            return self.api.evaluate(members[0], self.at)
        # Newlines end a trailing "# comment" inside an operand before the closing parenthesis.
        return self.api.evaluate("\nor\n".join(f"(\n{member}\n)" for member in members), self.at)

    def check_query(self, query: Query) -> list[Finding]:
        """Findings for one query (empty when Prometheus accepts it and every metric is known)."""
        return self._check(query, self._expanded(query, self.at if self.at is not None else time.time()))

    def _check(self, query: Query, expanded: str) -> list[Finding]:
        if not query.text.strip():
            return []  # Grafana does not send empty targets either
        error = self._evaluate(expanded)
        if error is not None:
            message = _error_message(error, query.text, expanded)
            undefined = undefined_references(query.text, query.variables)
            if undefined:
                message += f"; not defined as dashboard variables: {', '.join(undefined)}"
            return [_finding(query, Severity.ERROR, message)]
        severity = Severity.ERROR if self.strict else Severity.WARNING
        return [
            _finding(query, severity, self._unknown_metric_message(name))
            for name in metric_names(query.text)
            if name not in self.known_metrics
        ]

    def run(self, query: Query) -> QueryResult | str:
        """The query's series over the two hours before the evaluation time (the seeded window), one
        point a minute, named by the target's legend format; or why it failed (for the preview)."""
        end = self.at if self.at is not None else time.time()
        settings = IntervalSettings(interval_s=RUN_STEP_S, range_s=RUN_RANGE_S, at=end)
        expanded = expand(query.text, query.variables, settings)
        outcome = self.api.query_range(expanded, end - RUN_RANGE_S, end, RUN_STEP_S)
        if isinstance(outcome, EvaluationError):
            return _error_message(outcome, query.text, expanded)
        legend = legend_format(query)
        return series_result([(series_name(labels, legend), points) for labels, points in outcome])

    @staticmethod
    def _expanded(query: Query, at: float) -> str:
        return expand(query.text, query.variables, IntervalSettings(at=at))

    def _ask(self, expression: str) -> EvaluationError | None:
        return self.api.evaluate(expression, self.at)

    def _evaluate(self, expression: str) -> EvaluationError | None:
        # Dashboards repeat expressions (one per panel and per variable sample): evaluate each once.
        if expression not in self._outcomes:
            self._outcomes[expression] = self.api.evaluate(expression, self.at)
        return self._outcomes[expression]

    def _unknown_metric_message(self, name: str) -> str:
        message = f"unknown metric '{name}': Prometheus has no series with this name"
        close = difflib.get_close_matches(name, self._sorted_metrics, n=3, cutoff=0.6)
        if close:
            message += "; did you mean " + ", ".join(f"'{c}'" for c in close) + "?"
        return message


def legend_format(query: Query) -> str:
    """The ``legendFormat`` of the target a query came from ("" when none)."""
    target = resolve_pointer(query.resource.body, query.json_path.rsplit("/", 1)[0])
    value = target.get("legendFormat") if isinstance(target, Mapping) else None
    return value if isinstance(value, str) else ""


def series_name(labels: Mapping[str, str], legend: str) -> str:
    """A series' display name as Grafana makes it: the legend format with ``{{label}}`` filled, else
    the label set (``__name__`` first, as ``name{a="b"}``), else ``value`` for a bare number."""
    if legend and legend != "__auto":
        return _LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend)
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}" if rest else name or "value"


def _error_message(error: EvaluationError, original: str, expanded: str) -> str:
    message = error.message if error.kind == "bad_data" else f"evaluation failed ({error.kind}): {error.message}"
    if expanded != original:
        message += f" (in the expression after variable expansion: {expanded})"
    return message


def _finding(query: Query, severity: Severity, message: str) -> Finding:
    return query.finding(RULE, severity, message)


@contextmanager
def open_promql_engine(
    url: str | None,
    *,
    series_text: str = "",
    strict: bool = False,
    at: float | None = None,
    sample: SeriesSample | None = None,
) -> Iterator[PromqlEngine]:
    """Yield a :class:`PromqlEngine` for one validation run.

    ``url=None`` starts a throwaway Prometheus seeded with ``series_text`` (a data source's series
    list, see :mod:`.prometheus_seed`, its values shaped by ``sample``; stopped on exit, also on
    Ctrl-C) and evaluates at the end of the seeded window; a URL uses that live Prometheus and evaluates
    at ``at`` (default: its current time). Raises
    :class:`~pydis_dash.errors.EnvironmentProblem` when Prometheus is missing, cannot start, or
    cannot be reached.
    """
    if url is not None:
        with PrometheusApi(url) as api:
            yield PromqlEngine(api, strict=strict, at=at)
        return
    with PrometheusServer(series_text=series_text, sample=sample) as server, PrometheusApi(server.url) as api:
        yield PromqlEngine(api, strict=strict, at=server.evaluation_time if at is None else at)
