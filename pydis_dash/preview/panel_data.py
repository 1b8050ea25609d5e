"""The data each panel is drawn from: its queries run on the sample data, in the validate sandbox.

:func:`collect_panel_data` runs every SQL query of the selected resources once, read-only, on the
throwaway PostgreSQL filled by the data sources' sample generators, over the dashboard's time range
with the variables at their saved values ("All" expanded, see :mod:`.variable_values`). The results
are keyed by resource and by *owner*: the JSON
pointer of the panel a target belongs to (``/panels/3``), or ``""`` for a Metabase question.

PromQL and Graphite queries run on the throwaway Prometheus and graphite-web that ``validate`` seeds
from the data sources' series lists, over their seeded two hours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any, Protocol

from pydis_dash.model import Ref, Resource
from pydis_dash.sample import SampleContext
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.engine_sources import CheckedSource, default_source, sources_for
from pydis_dash.validate.engines.sql_results import QueryResult
from pydis_dash.validate.extract import extract_queries, variable_option_queries
from pydis_dash.validate.queries import Language, Query, Variable
from pydis_dash.validate.time_range import query_time


@dataclass(frozen=True)
class Frame:
    """One query's result as a panel draws it: rows, or why there are none."""

    ref_id: str
    result: QueryResult | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"refId", "columns", "rows"}``, or ``{"refId", "error"}``."""
        if self.result is None:
            return {"refId": self.ref_id, "error": self.error or "no data"}
        return {"refId": self.ref_id, **self.result.to_json()}


PanelFrames = Mapping[str, tuple[Frame, ...]]
"""owner pointer -> frames, in target order."""


def owner_of(query: Query) -> str | None:
    """What a query is drawn in: its panel's pointer, its alert rule's (``/rules/0``), ``""`` for a
    question; None for variable queries."""
    if "/targets/" in query.json_path:
        return query.json_path.split("/targets/")[0]
    if query.json_path.startswith("/dataset_query/"):
        return ""
    if query.json_path.startswith("/rules/"):
        return "/".join(query.json_path.split("/")[:3])
    return None


class _Runner(Protocol):
    def run(self, query: Query) -> QueryResult | str: ...


def collect_panel_data(
    resources: Sequence[Resource], context: SampleContext, everything: Sequence[Resource] = ()
) -> dict[Ref, PanelFrames]:
    """Run the panel queries of ``resources`` on sample data once; frames by resource and owner.

    The engines start for this call and stop before it returns; a live preview keeps a
    :class:`PanelDataSession` instead. See :meth:`PanelDataSession.collect`.
    """
    with PanelDataSession(context) as session:
        return session.collect(resources, everything)


class PanelDataSession:
    """Throwaway engines kept running between builds (the live preview), closed on ``__exit__``.

    Only throwaway engines are used, seeded from each data source's ``check:`` settings (schema,
    series list, ``sample_data``) when first needed: a preview never reads a live database. Seeded
    data is kept for the session: restart the preview after changing a sample generator.
    """

    def __init__(self, context: SampleContext) -> None:
        self.context = context
        self._stack = ExitStack()
        self._engines: _Engines | None = None

    def __enter__(self) -> PanelDataSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every engine the session started."""
        self._stack.close()
        self._engines = None

    def collect(self, resources: Sequence[Resource], everything: Sequence[Resource] = ()) -> dict[Ref, PanelFrames]:
        """Run the panel queries of ``resources``; frames by resource and owner.

        ``everything`` adds resources (data sources) the queries refer to. Raises
        :class:`~pydis_dash.errors.EnvironmentProblem` when an engine cannot start and
        :class:`~pydis_dash.errors.DefinitionError` for a broken sample generator.
        """
        from pydis_dash.validate.engine_sources import checked_sources

        selected = {r.ref for r in resources}
        every = list(resources) + [r for r in everything if r.ref not in selected]
        queries = extract_queries(resources, DatasourceCatalog(every))
        if self._engines is None:
            self._engines = _Engines(checked_sources(every, {}, {}), self.context)
        queries = self._with_current_values(queries, DatasourceCatalog(every))
        owned = [(query, owner) for query in queries if (owner := owner_of(query)) is not None]
        frames: dict[Ref, dict[str, list[Frame]]] = {}
        for query, owner in owned:
            ref_id = query.ref_id or "A"
            runner = self._engines.for_query(query, self._stack)
            outcome = runner.run(query) if runner is not None else "no sample data for this data source"
            frame = Frame(ref_id, outcome) if isinstance(outcome, QueryResult) else Frame(ref_id, error=outcome)
            frames.setdefault(query.resource.ref, {}).setdefault(owner, []).append(frame)
        return {ref: {owner: tuple(fs) for owner, fs in by_owner.items()} for ref, by_owner in frames.items()}

    def _with_current_values(self, queries: Sequence[Query], catalog: DatasourceCatalog) -> list[Query]:
        """The queries with their dashboard variables at their current values, "All" expanded."""
        from pydis_dash.preview.variable_values import resolve_variables

        resolved: dict[Ref, tuple[Variable, ...]] = {}
        out = []
        for query in queries:
            ref = query.resource.ref
            if ref not in resolved:
                own = variable_option_queries(query.resource, catalog) if query.variables else {}
                resolved[ref] = resolve_variables(query.resource.body, query.variables, own, self._values_of)
            out.append(replace(query, variables=resolved[ref]) if query.variables else query)
        return out

    def _values_of(self, query: Query) -> list[str] | str:
        """The values a variable's query offers (Grafana's options for it), run on its engine."""
        from pydis_dash.preview.prometheus_variables import prometheus_variable_values
        from pydis_dash.validate.engines.graphite import GraphiteEngine
        from pydis_dash.validate.engines.graphite_variables import prepare_target
        from pydis_dash.validate.engines.prometheus import RUN_RANGE_S, PromqlEngine

        assert self._engines is not None
        runner = self._engines.for_query(query, self._stack)
        if isinstance(runner, GraphiteEngine):
            return runner.find(prepare_target(query.text, query.variables))
        if isinstance(runner, PromqlEngine):
            return prometheus_variable_values(runner.api, query, runner.at, RUN_RANGE_S)
        outcome = runner.run(query) if runner is not None else "no sample data for this data source"
        if isinstance(outcome, str):
            return outcome
        column = outcome.columns.index("__value") if "__value" in outcome.columns else 0
        return [str(row[column]) for row in outcome.rows if row[column] is not None]


class _Engines:
    """Throwaway engines for the preview: one PostgreSQL for every SQL source, one Prometheus or
    Graphite per source, each opened when a query first needs it."""

    def __init__(self, sources: Sequence[CheckedSource], context: SampleContext) -> None:
        self._sources = sources
        self._context = context
        self._open: dict[tuple[Language, str], _Runner | None] = {}

    def for_query(self, query: Query, stack: ExitStack) -> _Runner | None:
        candidates = sources_for(query.language, self._sources)
        if query.language is Language.SQL:
            key = ""  # one cluster holds every SQL source's database
        else:
            source = next((s for s in candidates if s.uid == query.datasource_uid), default_source(candidates))
            if source is None:
                return None
            key = source.uid
        if (query.language, key) not in self._open:
            self._open[(query.language, key)] = self._start(query.language, key, candidates, stack)
        return self._open[(query.language, key)]

    def _start(self, language: Language, uid: str, candidates: Sequence[CheckedSource], stack: ExitStack) -> _Runner:
        from pydis_dash.sample.series import SeriesSample
        from pydis_dash.validate.engines.graphite import open_graphite_engine
        from pydis_dash.validate.engines.prometheus import open_promql_engine
        from pydis_dash.validate.engines.sql import open_sql_engine

        if language is Language.SQL:
            default = default_source(candidates)
            return stack.enter_context(
                open_sql_engine(
                    {source.uid: source.schema for source in candidates if source.schema is not None},
                    default_database=default.uid if default is not None else None,
                    samples={source.uid: source.sample_data for source in candidates if source.sample_data},
                    sample_context=self._context,
                    execute=True,
                    time_for=lambda query: query_time(query, self._context.now),
                )
            )
        source = next(s for s in candidates if s.uid == uid)
        sample = SeriesSample(source.sample_data, self._context)
        if language is Language.PROMQL:
            series = source.schema.read_text(encoding="utf-8") if source.schema is not None else ""
            return stack.enter_context(open_promql_engine(None, series_text=series, sample=sample))
        until = self._context.now.timestamp()  # the SQL sample data's "now", and Prometheus' window end
        return stack.enter_context(open_graphite_engine(None, metrics_file=source.schema, sample=sample, until=until))
