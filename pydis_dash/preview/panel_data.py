"""The data each panel is drawn from: its queries run on the sample data, in the validate sandbox.

:func:`collect_panel_data` runs every SQL query of the selected resources once, read-only, on the
throwaway PostgreSQL filled by the data sources' sample generators, over the dashboard's time range
with the variables at their saved values. The results are keyed by resource and by *owner*: the JSON
pointer of the panel a target belongs to (``/panels/3``), or ``""`` for a Metabase question.

Queries of the other languages get a frame saying why they have no data yet, so the panel shows
that instead of a blank box.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from pydis_dash.model import Ref, Resource
from pydis_dash.sample import SampleContext
from pydis_dash.validate.engines.sql_results import QueryResult
from pydis_dash.validate.extract import extract_queries
from pydis_dash.validate.queries import Language, Query
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
    """The panel pointer a query belongs to (``""`` for a question); None for variable and rule queries."""
    if "/targets/" in query.json_path:
        return query.json_path.split("/targets/")[0]
    if query.json_path.startswith("/dataset_query/"):
        return ""
    return None


def collect_panel_data(
    resources: Sequence[Resource], context: SampleContext, everything: Sequence[Resource] = ()
) -> dict[Ref, PanelFrames]:
    """Run the panel queries of ``resources`` on sample data; frames by resource and owner.

    ``everything`` adds resources (data sources) the queries refer to. Only throwaway engines are
    used, seeded from each data source's ``check:`` schema and ``sample_data``: a preview never
    reads a live database. Raises :class:`~pydis_dash.errors.EnvironmentProblem` when PostgreSQL
    cannot start and :class:`~pydis_dash.errors.DefinitionError` for a broken sample generator.
    """
    from pydis_dash.validate.datasources import DatasourceCatalog
    from pydis_dash.validate.engine_sources import checked_sources, default_source, sources_for
    from pydis_dash.validate.engines.sql import open_sql_engine

    selected = {r.ref for r in resources}
    every = list(resources) + [r for r in everything if r.ref not in selected]
    owned = [(q, owner) for q in extract_queries(resources, DatasourceCatalog(every)) if (owner := owner_of(q))
             is not None]  # fmt: skip
    sources = sources_for(Language.SQL, checked_sources(every, {}, {}))
    default = default_source(sources)
    frames: dict[Ref, dict[str, list[Frame]]] = {}
    with ExitStack() as stack:
        sql = None
        if any(q.language is Language.SQL for q, _ in owned):
            sql = stack.enter_context(
                open_sql_engine(
                    {source.uid: source.schema for source in sources if source.schema is not None},
                    default_database=default.uid if default is not None else None,
                    samples={source.uid: source.sample_data for source in sources if source.sample_data},
                    sample_context=context,
                    execute=True,
                    time_for=lambda query: query_time(query, context.now),
                )
            )
        for query, owner in owned:
            ref_id = query.ref_id or "A"
            if sql is not None and query.language is Language.SQL:
                outcome = sql.run(query)
                frame = Frame(ref_id, outcome) if isinstance(outcome, QueryResult) else Frame(ref_id, error=outcome)
            else:
                frame = Frame(ref_id, error=f"no sample data for {query.language.value} queries yet")
            frames.setdefault(query.resource.ref, {}).setdefault(owner, []).append(frame)
    return {ref: {owner: tuple(fs) for owner, fs in by_owner.items()} for ref, by_owner in frames.items()}
