"""``validate`` as one call: schemas, lint rules, then every query on its real engine.

Each engine is started at most once per run, and only when a query of its language occurs; all of
its queries go to it in one :meth:`Engine.check` call. Engines are imported lazily so a project
without Graphite targets never imports (or starts) Graphite.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.model import Resource
from pydis_dash.sample import SampleContext
from pydis_dash.validate.alerting_schema import check_alerting_schemas
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.engine_sources import (
    CheckedSource,
    PerSourceEngine,
    checked_sources,
    default_source,
    sources_for,
)
from pydis_dash.validate.engines.base import Engine
from pydis_dash.validate.extract import extract_queries
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.lint.base import run_lint
from pydis_dash.validate.lint.config import LintConfig
from pydis_dash.validate.queries import Language, Query
from pydis_dash.validate.schema import check_schemas

EngineOpener = Callable[["ValidateOptions"], AbstractContextManager[Engine]]


@dataclass(frozen=True)
class ValidateOptions:
    """How to validate: strictness, which engines to use and where, and the project's lint config.

    ``engine_urls`` maps data source uids to live engines (``--engine-url UID=URL``), over the
    environment variable each data source's ``check: live_url_env`` names (read from ``environ``,
    default ``os.environ``). ``sources`` is filled in by :func:`validate` from the data sources' check
    settings. ``engine_openers`` replaces the real engines per language (tests use fakes); languages
    missing from it use the real engine.
    With ``execute``, SQL queries also run on the sample data each data source's ``check:
    sample_data`` generator puts into the throwaway PostgreSQL (with ``sample``), over their
    dashboard's time range ending at ``sample.now``.
    """

    strict: bool = False
    engines: bool = True
    # Kept out of repr(): a DSN or URL may carry a password.
    engine_urls: Mapping[str, str] = field(default_factory=dict, repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False)
    lint: LintConfig = field(default_factory=LintConfig)
    engine_openers: Mapping[Language, EngineOpener] = field(default_factory=dict)
    sources: tuple[CheckedSource, ...] = ()
    execute: bool = False
    sample: SampleContext = field(default_factory=SampleContext)


@dataclass(frozen=True)
class ValidationReport:
    """Everything ``validate`` found, plus what it looked at."""

    findings: tuple[Finding, ...]
    strict: bool
    resources: int
    queries: Mapping[Language, int]
    engines_started: tuple[Language, ...]

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning."""
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def failed(self) -> bool:
        """True on any error, or on any warning with ``--strict``."""
        return bool(self.errors) or (self.strict and bool(self.warnings))

    @property
    def exit_code(self) -> ExitCode:
        """``1`` when failed, else ``0``."""
        return ExitCode.INVALID if self.failed else ExitCode.OK


def validate(
    resources: Sequence[Resource],
    options: ValidateOptions | None = None,
    context: Sequence[Resource] = (),
) -> ValidationReport:
    """Run schema checks, lint rules and (unless ``options.engines`` is off) the query engines.

    ``context`` holds resources that are not validated but that ``resources`` may refer to (the data
    sources, when only some dashboards were selected). Raises
    :class:`~pydis_dash.errors.EnvironmentProblem` when an engine cannot start.
    """
    options = options or ValidateOptions()
    resources = list(resources)
    selected = {resource.ref for resource in resources}
    everything = resources + [r for r in context if r.ref not in selected]
    catalog = DatasourceCatalog(everything)
    queries = extract_queries(resources, catalog)
    findings = check_schemas(resources) + check_alerting_schemas(resources)
    findings += run_lint(resources, options.lint.disable, queries, context=everything, catalog=catalog)
    started: list[Language] = []
    if options.engines:
        environ = os.environ if options.environ is None else options.environ
        options = replace(options, sources=checked_sources(everything, options.engine_urls, environ))
        findings += _check_on_engines(queries, options, started)
    return ValidationReport(
        findings=tuple(sorted(findings, key=_sort_key)),
        strict=options.strict,
        resources=len(resources),
        queries=dict(Counter(query.language for query in queries)),
        engines_started=tuple(started),
    )


def _check_on_engines(queries: Sequence[Query], options: ValidateOptions, started: list[Language]) -> list[Finding]:
    """Each language's queries on its engine, started once; ``started`` receives the languages run."""
    by_language: dict[Language, list[Query]] = {}
    for query in queries:
        by_language.setdefault(query.language, []).append(query)
    findings: list[Finding] = []
    with ExitStack() as stack:
        for language in Language:  # a fixed order: SQL, PromQL, Graphite
            if not by_language.get(language):
                continue
            try:
                engine = stack.enter_context(_opener(language, options)(options))
            except OSError as exc:
                # Engines turn the start-up failures they expect into EnvironmentProblem; what is left
                # (a binary that cannot run, a full disk) is the environment too: exit 3 with one line,
                # not a traceback with exit 1.
                raise EnvironmentProblem(f"could not start the {language.value} engine: {exc}") from None
            started.append(language)
            findings += engine.check(by_language[language])
    return findings


def _sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    """By file and line (the order authors read them), then resource, JSON path and rule."""
    location = finding.location
    return (
        str(location.path) if location else "",
        (location.line or 0) if location else 0,
        str(finding.ref) if finding.ref else "",
        finding.json_path,
        finding.rule,
    )


def _opener(language: Language, options: ValidateOptions) -> EngineOpener:
    return options.engine_openers.get(language) or _REAL_ENGINES[language]


def _open_sql(options: ValidateOptions) -> AbstractContextManager[Engine]:
    from pydis_dash.validate.engines.sql import open_sql_engine
    from pydis_dash.validate.time_range import query_time

    sources = sources_for(Language.SQL, options.sources)
    default = default_source(sources)
    schemas = {source.uid: source.schema for source in sources if source.schema is not None}
    live = {source.uid: source.live_url for source in sources if source.live_url}
    default_database = default.uid if default is not None else None
    if not options.execute:
        return open_sql_engine(schemas, live, default_database=default_database)
    now = options.sample.now
    return open_sql_engine(
        schemas,
        live,
        default_database=default_database,
        samples={source.uid: source.sample_data for source in sources if source.sample_data is not None},
        sample_context=options.sample,
        execute=True,
        time_for=lambda query: query_time(query, now),
    )


def _open_promql(options: ValidateOptions) -> AbstractContextManager[Engine]:
    from pydis_dash.sample.series import SeriesSample
    from pydis_dash.validate.engines.prometheus import open_promql_engine

    def open_one(source: CheckedSource) -> AbstractContextManager[Engine]:
        series = source.schema.read_text(encoding="utf-8") if source.schema is not None else ""
        sample = SeriesSample(source.sample_data, options.sample)
        return open_promql_engine(source.live_url, series_text=series, strict=options.strict, sample=sample)

    return _per_source(Language.PROMQL, options, open_one)


def _open_graphite(options: ValidateOptions) -> AbstractContextManager[Engine]:
    from pydis_dash.sample.series import SeriesSample
    from pydis_dash.validate.engines.graphite import open_graphite_engine

    def open_one(source: CheckedSource) -> AbstractContextManager[Engine]:
        sample = SeriesSample(source.sample_data, options.sample)
        return open_graphite_engine(source.live_url, metrics_file=source.schema, strict=options.strict, sample=sample)

    return _per_source(Language.GRAPHITE, options, open_one)


@contextlib.contextmanager
def _per_source(
    language: Language, options: ValidateOptions, open_one: Callable[[CheckedSource], AbstractContextManager[Engine]]
) -> Iterator[Engine]:
    """One engine per data source of ``language``, each started when its first query comes."""
    with ExitStack() as stack:
        yield PerSourceEngine(language, sources_for(language, options.sources), open_one, stack)


_REAL_ENGINES: Mapping[Language, EngineOpener] = {
    Language.SQL: _open_sql,
    Language.PROMQL: _open_promql,
    Language.GRAPHITE: _open_graphite,
}
