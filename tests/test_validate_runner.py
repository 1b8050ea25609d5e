"""Orchestration of ``validate``: schema + lint + engines, one engine per language per run (fake engines)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from validate_builders import (
    TIME_SQL,
    dashboard,
    datasources,
    graphite_target,
    panel,
    prom_target,
    query_variable,
    sql_target,
)

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.lint.config import LintConfig
from pydis_dash.validate.queries import Language, Query
from pydis_dash.validate.report import format_github, format_human, format_json
from pydis_dash.validate.runner import EngineOpener, ValidateOptions, validate


@dataclass
class FakeEngine:
    """Reports every query containing ``BAD``; records what it was given."""

    language: Language
    calls: list[list[Query]] = field(default_factory=list)

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        self.calls.append(list(queries))
        return [
            Finding(
                self.language.name,
                Severity.ERROR,
                "bad query",
                q.resource.ref,
                q.resource.location_of(q.json_path),
                q.json_path,
                q.panel,
                q.ref_id,
            )
            for q in queries
            if "BAD" in q.text
        ]


@dataclass
class Engines:
    """Fake openers per language, counting how often each engine was started."""

    started: dict[Language, int] = field(default_factory=dict)
    engines: dict[Language, FakeEngine] = field(default_factory=dict)

    def opener(self, language: Language) -> EngineOpener:
        @contextmanager
        def open_engine(options: ValidateOptions) -> Iterator[FakeEngine]:
            self.started[language] = self.started.get(language, 0) + 1
            engine = self.engines.setdefault(language, FakeEngine(language))
            yield engine

        return open_engine

    def options(self, **kwargs: object) -> ValidateOptions:
        openers = {language: self.opener(language) for language in Language}
        return ValidateOptions(engine_openers=openers, **kwargs)  # type: ignore[arg-type]


def _board() -> list:
    return [
        dashboard(
            [
                panel("SQL", targets=[sql_target(TIME_SQL, "A"), sql_target("SELECT BAD AS time", "B")]),
                panel("Prom", datasource=None, targets=[prom_target("up", "A")], grid=(12, 0, 12, 8)),
            ],
            variables=[query_variable("channel", "SELECT id FROM channels")],
            uid="one",
        ),
        dashboard([panel("More SQL", targets=[sql_target(TIME_SQL)])], uid="two", title="Two"),
        *datasources(),
    ]


def test_one_engine_per_language_with_all_its_queries_in_one_call() -> None:
    engines = Engines()
    report = validate(_board(), engines.options())

    assert engines.started == {Language.SQL: 1, Language.PROMQL: 1}  # no Graphite query: not started
    [sql_call] = engines.engines[Language.SQL].calls
    assert [(q.resource.ref.uid, q.json_path) for q in sql_call] == [
        ("one", "/panels/0/targets/0/rawSql"),
        ("one", "/panels/0/targets/1/rawSql"),
        ("one", "/templating/list/0/query"),
        ("two", "/panels/0/targets/0/rawSql"),
    ]
    assert report.queries == {Language.SQL: 4, Language.PROMQL: 1}
    assert report.engines_started == (Language.SQL, Language.PROMQL)


def test_findings_of_all_stages_are_merged_and_sorted() -> None:
    engines = Engines()
    resources = _board()
    resources[1] = dashboard([panel("More SQL", unit="secs")], uid="two", title="Two", refresh=5)
    report = validate(resources, engines.options())

    assert [(f.rule, f.json_path) for f in report.findings] == [
        ("PD104", "/templating/list/0"),
        ("SCHEMA", "/refresh"),
        ("SQL", "/panels/0/targets/1/rawSql"),
        ("PD108", "/panels/0/fieldConfig/defaults/unit"),
    ]
    assert report.exit_code is ExitCode.INVALID


def test_no_engines_runs_schema_and_lint_only() -> None:
    engines = Engines()
    report = validate(_board(), engines.options(engines=False))
    assert engines.started == {}
    assert [f.rule for f in report.findings] == ["PD104"]
    assert report.exit_code is ExitCode.OK  # a warning alone passes...


def test_strict_fails_on_warnings() -> None:
    report = validate(_board(), Engines().options(engines=False, strict=True))
    assert report.exit_code is ExitCode.INVALID  # ...but not with --strict


def test_project_lint_config_is_applied() -> None:
    report = validate(_board(), Engines().options(engines=False, strict=True, lint=LintConfig(frozenset({"PD104"}))))
    assert report.findings == ()
    assert report.exit_code is ExitCode.OK


def test_context_resources_resolve_references_but_are_not_validated() -> None:
    board = dashboard([panel("SQL", targets=[sql_target(TIME_SQL)])])
    assert [f.rule for f in validate([board], ValidateOptions(engines=False)).findings] == ["PD102", "PD102"]
    assert validate([board], ValidateOptions(engines=False), context=datasources()).findings == ()


def test_engine_that_cannot_start_propagates_environment_problem() -> None:
    @contextmanager
    def broken(options: ValidateOptions) -> Iterator[FakeEngine]:
        raise EnvironmentProblem("PostgreSQL binaries not found (looked in PATH and pg_config --bindir)")
        yield FakeEngine(Language.SQL)  # pragma: no cover

    options = ValidateOptions(engine_openers={Language.SQL: broken})
    with pytest.raises(EnvironmentProblem, match="PostgreSQL binaries not found"):
        validate(_board(), options)


def test_engine_failing_to_start_with_an_os_error_is_an_environment_problem() -> None:
    @contextmanager
    def unrunnable(options: ValidateOptions) -> Iterator[FakeEngine]:
        raise PermissionError(13, "Permission denied", "/usr/bin/prometheus")
        yield FakeEngine(Language.PROMQL)  # pragma: no cover

    options = ValidateOptions(
        engine_openers={Language.SQL: Engines().opener(Language.SQL), Language.PROMQL: unrunnable}
    )
    with pytest.raises(EnvironmentProblem) as caught:
        validate(_board(), options)
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value) == (
        "could not start the promql engine: [Errno 13] Permission denied: '/usr/bin/prometheus'"
    )


def test_options_repr_leaves_out_dsns_and_urls() -> None:
    options = ValidateOptions(
        engine_urls={"metricity": "postgresql://reader:hunter2@db/metricity"},
        environ={"PROMETHEUS_URL": "http://bot:hunter2@prometheus"},
    )
    assert "hunter2" not in repr(options)


def test_graphite_and_metabase_questions_reach_their_engines() -> None:
    from pathlib import Path

    from pydis_dash.model import Kind, Ref, Resource, SourceLocation

    question = Resource(
        ref=Ref(Kind.METABASE_QUESTION, "nominee-channels"),
        title="Channels a nominee frequents",
        body={
            "name": "x",
            "dataset_query": {
                "type": "native",
                "database": "Metricity",
                "native": {"query": "SELECT BAD", "template-tags": {}},
            },
            "pydis-dash": {"key": "nominee-channels", "database": "Metricity", "datasource_uid": "metricity"},
        },
        source=SourceLocation(Path("dashboards/metabase/q.py"), 3),
    )
    board = dashboard([panel("Cmds", "stat", datasource=None, targets=[graphite_target("sumSeries(a.*)")])])
    engines = Engines()
    report = validate([board, question, *datasources()], engines.options())
    assert engines.started == {Language.SQL: 1, Language.GRAPHITE: 1}
    assert [(f.rule, str(f.location), f.panel) for f in report.findings] == [
        ("SQL", "dashboards/metabase/q.py:3", "Channels a nominee frequents")
    ]


# --- output formats ---------------------------------------------------------------------------------


def _failing_report():  # type: ignore[no-untyped-def]
    resources = _board()
    resources[1] = dashboard([panel("More, SQL", unit="secs")], uid="two", title="Two")
    return validate(resources, Engines().options())


def test_human_output_groups_by_file() -> None:
    text = format_human(_failing_report())
    assert text.splitlines() == [
        "dashboards/test.py",
        "  dashboards/test.py:1: warning PD104 grafana-dashboard/one at /templating/list/0: "
        "variable $channel is defined but never used",
        "  dashboards/test.py:10: error SQL grafana-dashboard/one, panel 'SQL' (B): bad query",
        "  dashboards/test.py:10: error PD108 grafana-dashboard/two, panel 'More, SQL': "
        "unknown unit 'secs'; write suffix:secs for a free-text unit",
        "",
        "FAILED: 2 error(s), 1 warning(s) in 5 resource(s); queries: sql 4, promql 1",
    ]


def test_json_output() -> None:
    document = json.loads(format_json(_failing_report()))
    assert document["ok"] is False
    assert document["summary"] == {
        "errors": 2,
        "warnings": 1,
        "strict": False,
        "resources": 5,
        "queries": {"sql": 4, "promql": 1},
        "engines": ["sql", "promql"],
    }
    assert document["findings"][1] == {
        "rule": "SQL",
        "severity": "error",
        "message": "bad query",
        "resource": "grafana-dashboard/one",
        "file": "dashboards/test.py",
        "line": 10,
        "column": None,
        "json_path": "/panels/0/targets/1/rawSql",
        "panel": "SQL",
        "ref_id": "B",
    }


def test_github_annotations_escape_properties() -> None:
    lines = format_github(_failing_report()).splitlines()
    assert lines[0] == (
        "::warning file=dashboards/test.py,line=1,title=PD104 grafana-dashboard/one at /templating/list/0"
        "::variable $channel is defined but never used"
    )
    assert lines[2] == (
        "::error file=dashboards/test.py,line=10,title=PD108 grafana-dashboard/two%2C panel 'More%2C SQL'"
        "::unknown unit 'secs'; write suffix:secs for a free-text unit"  # ':' is escaped in properties only
    )
