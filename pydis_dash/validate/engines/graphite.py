"""The Graphite engine: every Graphite target is run through graphite-web's own parser and functions.

Each target is prepared as Grafana would send it (variables, intervals, ``#A`` references), parsed
(graphite-web silently ignores whatever follows the longest valid prefix, so syntax errors are ours to
catch), rendered with ``/render?format=json`` (graphite-web answers 400 for unknown functions and wrong
arguments when ``ENFORCE_INPUT_VALIDATION`` is on), and each metric path pattern in it is looked up with
``/metrics/find``: a pattern that matches nothing is a warning (an error with ``--strict``) that says
where the path stops matching and which names are close.

By default a throwaway graphite-web is started (:class:`GraphiteServer`) over a whisper tree seeded
with the data source's metric list; its live URL (``check: live_url_env`` or ``--engine-url``)
points the engine at a live Graphite instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import resolve_pointer
from pydis_dash.sample.series import SeriesSample
from pydis_dash.validate.engines.base import QueryByQuery
from pydis_dash.validate.engines.graphite_server import GraphiteServer
from pydis_dash.validate.engines.graphite_target import TargetSyntaxError, parse_target, path_patterns
from pydis_dash.validate.engines.graphite_variables import prepare_target, resolve_references
from pydis_dash.validate.engines.net import display_url
from pydis_dash.validate.engines.sql_results import QueryResult, series_result
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query

RULE = "GRAPHITE"
RENDER_FROM = "-1h"
RUN_FROM = "-2h"
RUN_SECONDS = 7200
TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0
MAX_SUGGESTIONS = 3
MAX_ERROR_CHARS = 300
#: Renders and lookups in flight at once (graphite-web runs its requests in parallel threads).
CONCURRENCY = 8
INPUT_ERROR_RE = re.compile(r"^Invalid parameters \((.*?)\)(?:; targets: |; source: |; func: |$)", re.DOTALL)
GLOB_CHARS_RE = re.compile(r"[*?\[\]{}]")
TEXT_FIELDS = ("target", "targetFull")
# Graphite variable queries that Grafana sends to the tag database rather than /metrics/find.
TAG_QUERY_RE = re.compile(r"^\s*(tags|tag_values)\s*\(")
# Grafana's Graphite variable query types that render a target; the default one is a find pattern.
RENDERED_VARIABLE_QUERY_TYPES = frozenset({"Value", "Metric Name"})


@dataclass(frozen=True)
class RenderOutcome:
    """What ``/render`` said about one target: ``error`` is ``None`` when it rendered."""

    error: str | None


class GraphiteEngine(QueryByQuery):
    """A Graphite (live or started by pydis-dash) that checks Graphite targets; see the module doc."""

    language: Language = Language.GRAPHITE

    def __init__(
        self, url: str, *, strict: bool = False, timeout: float = TIMEOUT_SECONDS, until: float | None = None
    ) -> None:
        self.url = url.rstrip("/")
        # Where run() ends its two hours (Unix time): the seeded data's end; None: Graphite's "now".
        self.until = until
        self.strict = strict
        self.timeout = timeout
        self._session = requests.Session()
        self._found: dict[str, list[str]] = {}
        self._rendered: dict[str, RenderOutcome] = {}  # during one check() call

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """The findings of every Graphite query, in query order, as :meth:`check_query` gives them one
        by one; the distinct renders, then the path lookups of the targets that rendered, are sent
        :data:`CONCURRENCY` at a time first (each waits on graphite-web, not on us)."""
        ours = [query for query in queries if query.language is self.language]
        targets = dict(parsed for parsed in map(_parsed_target, ours) if parsed is not None)
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            self._rendered = dict(zip(targets, pool.map(self.render, targets), strict=True))
            patterns = {
                pattern
                for target, node in targets.items()
                if self._rendered[target].error is None
                for pattern in path_patterns(node)
                if "$" not in pattern
            }
            patterns |= {pattern for query in ours if is_find_query(query) and (pattern := _find_pattern(query))}
            for _ in pool.map(self.find, sorted(patterns)):
                pass  # each answer lands in the lookup cache
        try:
            return [finding for query in ours for finding in self.check_query(query)]
        finally:
            self._rendered = {}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._session.close()

    def ensure_reachable(self) -> None:
        """:class:`EnvironmentProblem` unless Graphite answers a metric lookup (as every check needs)."""
        self.find("*")

    def check_query(self, query: Query) -> list[Finding]:
        """Findings for one query: syntax, Graphite's verdict, then each metric path pattern."""
        if is_find_query(query):
            return self.check_find_query(query)
        target = grafana_target(query)
        if not target.strip():
            return []  # Grafana sends no empty target either
        try:
            node = parse_target(target)
        except TargetSyntaxError as error:
            return [finding(query, Severity.ERROR, f"syntax error at column {error.column}: {error.message}")]
        outcome = self._rendered.get(target) or self.render(target)
        if outcome.error is not None:
            return [finding(query, Severity.ERROR, outcome.error)]
        severity = Severity.ERROR if self.strict else Severity.WARNING
        return [
            finding(query, severity, self.explain_missing(pattern))
            for pattern in path_patterns(node)
            # An unresolved $variable is reported by the lint rule on template variables.
            if "$" not in pattern and not self.find(pattern)
        ]

    def check_find_query(self, query: Query) -> list[Finding]:
        """A template variable's default query: a path pattern Grafana sends to ``/metrics/find``."""
        pattern = _find_pattern(query)
        if pattern is None or self.find(pattern):
            return []
        severity = Severity.ERROR if self.strict else Severity.WARNING
        return [finding(query, severity, self.explain_missing(pattern))]

    def render(self, target: str) -> RenderOutcome:
        """POST ``/render`` as Grafana does; Graphite's own message when it rejects the target."""
        response = self._render_request(target, RENDER_FROM)
        return RenderOutcome(response if isinstance(response, str) else None)

    def run(self, query: Query) -> QueryResult | str:
        """The target's series over the two hours before ``until`` (the seeded window; default: now),
        named as Graphite names them (aliases applied); or why it failed (for the preview)."""
        if self.until is None:
            response = self._render_request(grafana_target(query), RUN_FROM)
        else:
            start = int(self.until) - RUN_SECONDS
            response = self._render_request(grafana_target(query), str(start), str(int(self.until)))
        if isinstance(response, str):
            return response
        try:
            rendered = response.json()
        except ValueError:
            return "Graphite answered with something that is not JSON"
        items = [item for item in rendered if isinstance(item, Mapping)] if isinstance(rendered, list) else []
        return series_result(
            [(str(item.get("target", "")), [(float(t), v) for v, t in item.get("datapoints") or ()]) for item in items]
        )

    def _render_request(self, target: str, since: str, until: str = "now") -> requests.Response | str:
        """``/render?format=json`` from ``since`` to ``until``: the response, or why Graphite refused."""
        form = {"target": target, "format": "json", "from": since, "until": until}
        try:
            response = self._session.post(
                f"{self.url}/render", data=form, timeout=(CONNECT_TIMEOUT_SECONDS, self.timeout)
            )
        except requests.ConnectionError as error:  # connect timeouts included: the server is gone
            raise EnvironmentProblem(f"Graphite at {display_url(self.url)} is unreachable: {error}") from None
        except requests.Timeout:
            return f"Graphite did not answer within {self.timeout:g} s"
        if response.status_code == 400:
            return f"Graphite rejected the target: {input_error(response.text)}"
        if response.status_code != 200:
            return f"Graphite failed on the target (HTTP {response.status_code}): {short_text(response.text)}"
        return response

    def find(self, pattern: str) -> list[str]:
        """Names of the nodes ``/metrics/find`` matches for a pattern (cached for the run)."""
        if pattern not in self._found:
            try:
                response = self._session.get(
                    f"{self.url}/metrics/find",
                    params={"query": pattern},
                    timeout=(CONNECT_TIMEOUT_SECONDS, self.timeout),
                )
            except requests.RequestException as error:
                raise EnvironmentProblem(f"Graphite at {display_url(self.url)} is unreachable: {error}") from None
            try:
                response.raise_for_status()
                nodes: Any = response.json()
            except (requests.RequestException, ValueError):
                nodes = None
            # Anything but a list of nodes means the URL is not Graphite's (a proxy's login page, ...).
            if not isinstance(nodes, list) or not all(isinstance(n, Mapping) and "text" in n for n in nodes):
                raise EnvironmentProblem(
                    f"Graphite at {display_url(self.url)} answered HTTP {response.status_code} to"
                    f" /metrics/find: {short_text(response.text)}"
                )
            self._found[pattern] = sorted({str(node["text"]) for node in nodes})
        return self._found[pattern]

    def explain_missing(self, pattern: str) -> str:
        """Say at which component a pattern stops matching, with close names found there."""
        parts = split_path(pattern)
        message = f"metric path '{pattern}' matches nothing in Graphite"
        for depth in range(1, len(parts) + 1):
            if not self.find(".".join(parts[:depth])):
                break
        else:
            return message
        parent = ".".join(parts[: depth - 1])
        failing = parts[depth - 1]
        names = self.find(f"{parent}.*" if parent else "*")
        where = f"under '{parent}'" if parent else "at the top level"
        message += f": nothing {where} matches '{failing}'"
        close = difflib.get_close_matches(GLOB_CHARS_RE.sub("", failing), names, n=MAX_SUGGESTIONS)
        if close:
            message += " (did you mean " + " or ".join(f"'{name}'" for name in close) + "?)"
        return message


@contextmanager
def open_graphite_engine(
    url: str | None,
    *,
    metrics_file: Path | None = None,
    strict: bool = False,
    sample: SeriesSample | None = None,
    until: float | None = None,
) -> Iterator[GraphiteEngine]:
    """Yield an engine on ``url`` (a live Graphite), or on a graphite-web started for this run and seeded
    with the metric paths in ``metrics_file`` (a Graphite data source's ``check: schema``), their values
    shaped by ``sample`` (its ``check: sample_data`` generator, seed and ``now``). With ``until`` (a
    throwaway only), the seeded points end there and queries run over the two hours before it."""
    with ExitStack() as stack:
        live = bool(url)
        if not url:
            if metrics_file is None:
                raise EnvironmentProblem("a throwaway Graphite needs a metric list (the data source's check schema)")
            url = stack.enter_context(GraphiteServer(metrics_file, sample=sample, end=until)).url
        engine = GraphiteEngine(url, strict=strict, until=None if live else until)
        stack.callback(engine.close)  # before the server stops
        if live:
            engine.ensure_reachable()
        yield engine


def grafana_target(query: Query) -> str:
    """The target Grafana would send for a query: variables and intervals expanded, ``#X`` resolved."""
    own = prepare_target(query.text, query.variables)
    siblings = sibling_targets(query)
    resolved: dict[str, str] = {ref: prepare_target(text, query.variables) for ref, text in siblings.items()}
    if query.ref_id is not None:
        resolved[query.ref_id] = own
    # Grafana resolves references target by target, in panel order, reusing targets already resolved.
    for ref in siblings:
        resolved[ref] = resolve_references(resolved[ref], resolved)
        if ref == query.ref_id:
            return resolved[ref]
    return resolve_references(own, resolved)


def _parsed_target(query: Query) -> tuple[str, Any] | None:
    """The target a rendered query sends and its parse tree; None for find queries, empty targets and
    syntax errors (those are reported without asking Graphite)."""
    if is_find_query(query):
        return None
    target = grafana_target(query)
    if not target.strip():
        return None
    try:
        return target, parse_target(target)
    except TargetSyntaxError:
        return None


def _find_pattern(query: Query) -> str | None:
    """The pattern a find query looks up; None when there is nothing to look up (an empty one, an
    unresolved ``$variable``, or a tag query Grafana sends to the tag database)."""
    pattern = prepare_target(query.text, query.variables).strip()
    if not pattern or "$" in pattern or TAG_QUERY_RE.match(pattern):
        return None
    return pattern


def is_find_query(query: Query) -> bool:
    """True for a template variable's query of Grafana's default type (a ``/metrics/find`` pattern)."""
    if "/templating/list/" not in query.json_path:
        return False
    variable_pointer = query.json_path.split("/query", 1)[0]
    variable = resolve_pointer(query.resource.body, variable_pointer)
    definition = variable.get("query") if isinstance(variable, Mapping) else None
    query_type = definition.get("queryType") if isinstance(definition, Mapping) else None
    return query_type not in RENDERED_VARIABLE_QUERY_TYPES


def sibling_targets(query: Query) -> dict[str, str]:
    """refId -> ``target`` of every Graphite target in the same list as the query (the panel's)."""
    head, _, last = query.json_path.rpartition("/")
    # The query's pointer names the text field (``.../targets/1/target``) or the target object itself.
    target_pointer = head if last in TEXT_FIELDS else query.json_path
    container = resolve_pointer(query.resource.body, target_pointer.rpartition("/")[0])
    siblings: dict[str, str] = {}
    if isinstance(container, list):
        for item in container:
            if isinstance(item, Mapping) and isinstance(item.get("refId"), str):
                siblings[item["refId"]] = str(item.get("target") or "")
    return siblings


def split_path(pattern: str) -> list[str]:
    """A path pattern's components (Graphite splits on every dot, even one written escaped)."""
    return pattern.split(".")


def input_error(body: str) -> str:
    """The reason inside graphite-web's ``Invalid parameters (...); targets: ...`` answer."""
    match = INPUT_ERROR_RE.match(body.strip())
    return match.group(1) if match else short_text(body)


def short_text(body: str) -> str:
    """An error body as one short line: tags dropped, whitespace collapsed, cut at 300 characters."""
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def finding(query: Query, severity: Severity, message: str) -> Finding:
    """A Graphite finding located at the query's target in its definition."""
    return query.finding(RULE, severity, message)
