"""Which data sources ``validate`` checks queries against, and where: from their ``check:`` settings.

Every data source with a ``check:`` block is a :class:`CheckedSource`: its engine, the schema or series
file seeding a throwaway engine, and a live engine URL when one is given (``--engine-url UID=URL``
wins over the environment variable its ``live_url_env`` names). Nothing here knows any one project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Resource
from pydis_dash.redact import remember_connection_secrets
from pydis_dash.source_check import CheckEngine
from pydis_dash.validate.engines.base import Engine
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query

#: The engine that checks each query language.
ENGINE_OF: Mapping[Language, CheckEngine] = {
    Language.SQL: CheckEngine.POSTGRES,
    Language.PROMQL: CheckEngine.PROMETHEUS,
    Language.GRAPHITE: CheckEngine.GRAPHITE,
}


@dataclass(frozen=True)
class CheckedSource:
    """One data source ``validate`` can check queries on."""

    uid: str
    engine: CheckEngine
    schema: Path | None = None
    sample_data: Path | None = None
    # Kept out of repr(): a DSN or URL may carry a password.
    live_url: str | None = field(default=None, repr=False)
    is_default: bool = False

    @property
    def checkable(self) -> bool:
        """True when there is something to check on: a live engine or a schema to seed one."""
        return bool(self.live_url) or self.schema is not None


def checked_sources(
    resources: Iterable[Resource], engine_urls: Mapping[str, str], environ: Mapping[str, str]
) -> tuple[CheckedSource, ...]:
    """The data sources among ``resources`` that have check settings, with their live URLs resolved.

    Raises :class:`EnvironmentProblem` when ``engine_urls`` names a data source that has no check
    settings (a typo would otherwise silently check against the throwaway engine).
    """
    sources: list[CheckedSource] = []
    for resource in resources:
        if resource.kind is not Kind.GRAFANA_DATASOURCE or resource.check is None:
            continue
        check, uid = resource.check, resource.ref.uid
        env_url = environ.get(check.live_url_env) if check.live_url_env else None
        live_url = engine_urls.get(uid) or env_url or None
        remember_connection_secrets(live_url)  # a DSN's password is masked in every message from now on
        sources.append(
            CheckedSource(
                uid=uid,
                engine=check.engine,
                schema=check.schema,
                sample_data=check.sample_data,
                live_url=live_url,
                is_default=bool(resource.body.get("isDefault")),
            )
        )
    unknown = sorted(set(engine_urls) - {source.uid for source in sources})
    if unknown:
        known = ", ".join(sorted(source.uid for source in sources)) or "none"
        raise EnvironmentProblem(
            f"--engine-url names {', '.join(repr(u) for u in unknown)}: not a data source with check settings "
            f"(known: {known})"
        )
    return tuple(sorted(sources, key=lambda source: source.uid))


def sources_for(language: Language, sources: Sequence[CheckedSource]) -> list[CheckedSource]:
    """The data sources whose engine checks ``language``."""
    return [source for source in sources if source.engine is ENGINE_OF[language]]


def default_source(candidates: Sequence[CheckedSource]) -> CheckedSource | None:
    """The source serving queries without a data source uid: the default one, else the only one."""
    defaults = [source for source in candidates if source.is_default]
    if defaults:
        return defaults[0]
    return candidates[0] if len(candidates) == 1 else None


class PerSourceEngine:
    """One engine per data source of a language, each started on the first query for its source.

    ``open_engine`` starts (or connects to) the engine of one source; every engine stops when ``stack``
    closes. Queries whose data source has no check settings get one warning each, not a silent pass.
    """

    def __init__(
        self,
        language: Language,
        sources: Sequence[CheckedSource],
        open_engine: Callable[[CheckedSource], AbstractContextManager[Engine]],
        stack: ExitStack,
    ) -> None:
        self.language = language
        self._sources = {source.uid: source for source in sources}
        self._default = default_source(sources)
        self._open = open_engine
        self._stack = stack

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """Each query on the engine of its data source (the default one when it names none)."""
        groups: dict[str, list[Query]] = {}
        findings: list[Finding] = []
        for query in queries:
            source = self._source_of(query)
            if source is None or not source.checkable:
                findings.append(query.finding(self.language.value.upper(), Severity.WARNING, self._why_not(query)))
            else:
                groups.setdefault(source.uid, []).append(query)
        for uid, group in groups.items():
            try:
                engine = self._stack.enter_context(self._open(self._sources[uid]))
            except OSError as exc:  # as the runner does: a binary that cannot run is the environment
                raise EnvironmentProblem(
                    f"could not start the {self.language.value} engine for data source '{uid}': {exc}"
                ) from None
            findings += engine.check(group)
        return findings

    def _source_of(self, query: Query) -> CheckedSource | None:
        if query.datasource_uid is None:
            return self._default
        return self._sources.get(query.datasource_uid)

    def _why_not(self, query: Query) -> str:
        engine = ENGINE_OF[self.language].value
        if query.datasource_uid is None:
            return f"not checked: no default data source with check engine {engine}"
        source = self._sources.get(query.datasource_uid)
        if source is None:
            return f"not checked: data source '{query.datasource_uid}' has no check settings (check: engine: {engine})"
        return f"not checked: data source '{source.uid}' has neither a check schema nor a live URL"
