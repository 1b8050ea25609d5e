"""The contract between ``validate`` and the query engines (PostgreSQL, Prometheus, Graphite).

Each engine module exposes a context manager that starts (or connects to) its engine once per run and
yields an :class:`Engine`; ``validate`` hands it every query of its language in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.queries import Language, Query


class Engine(Protocol):
    """A started engine that checks queries of one language."""

    language: Language

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """Check every query; return findings (empty when all are fine). Never raises for bad queries."""
        ...


class QueryByQuery:
    """An engine that checks queries one at a time: :meth:`check` is :meth:`check_query` for each query
    of the engine's language, in order (queries of other languages are ignored)."""

    language: Language

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """The findings of every query of this engine's language, in query order."""
        return [finding for query in queries if query.language is self.language for finding in self.check_query(query)]

    def check_query(self, query: Query) -> list[Finding]:
        """The findings for one query."""
        raise NotImplementedError
