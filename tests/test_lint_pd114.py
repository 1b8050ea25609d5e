"""PD114: SQL calling PostgreSQL's file, large-object, settings, sleep or administration functions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from validate_builders import dashboard, lint_findings, panel, panel_line, sql_target

from pydis_dash.cli import main
from pydis_dash.validate.engines.postgres import PostgresCluster


def findings_for(sql: str) -> list[str]:
    board = dashboard([panel("P", "table", targets=[sql_target(sql, fmt="table")])])
    return [finding.message for finding in lint_findings("PD114", board)]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT pg_read_file('/etc/passwd')", "calls pg_read_file() (line 1 of the query), a server file function"),
        ("SELECT lo_export(1, '/tmp/x')", "calls lo_export() (line 1 of the query), a large-object function"),
        ("SELECT set_config('statement_timeout', '0', false)", "calls set_config() (line 1 of the query), a settings"),
        ("SELECT 1\nFROM pg_sleep(100)", "calls pg_sleep() (line 2 of the query), a sleep function"),
        (
            "SELECT PG_CATALOG.PG_TERMINATE_BACKEND(42)",
            "calls PG_TERMINATE_BACKEND() (line 1 of the query), an administration",
        ),
        ('SELECT "pg_sleep"(1)', 'calls "pg_sleep"() (line 1 of the query), a sleep function'),
        (
            "SELECT query_to_xml('select 1', true, true, '')",
            "calls query_to_xml() (line 1 of the query), a function that runs SQL",
        ),
    ],
)
def test_denied_calls_are_errors(sql: str, message: str) -> None:
    [found] = findings_for(sql)
    assert found.startswith(message)
    assert found.endswith("not allowed in dashboard SQL")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'pg_read_file(x)' AS text",  # in a string
        "SELECT 1 -- pg_sleep(5)\n",  # in a comment
        "SELECT pg_sleep_seconds FROM stats",  # a column, not a call
        "SELECT count(*) AS lo_export FROM messages",  # an alias
        "SELECT $$ set_config( $$",  # in a dollar-quoted string
    ],
)
def test_names_that_are_no_calls_pass(sql: str) -> None:
    assert findings_for(sql) == []


def test_finding_points_at_the_panel() -> None:
    board = dashboard([panel("Leaky", "table", targets=[sql_target("SELECT pg_ls_dir('.')", fmt="table")])])
    [finding] = lint_findings("PD114", board)
    assert (finding.panel, finding.rule, str(finding.location)) == (
        "Leaky",
        "PD114",
        f"dashboards/test.py:{panel_line(0)}",
    )


def test_validate_refuses_the_reported_queries(make_project: Callable[[dict[str, str]], Path]) -> None:
    """The issue's reproduction: these passed `validate` because PREPARE checks no privilege."""
    source = """
    from pydis_dash.grafana import Dashboard, Row, metricity

    dashboard = Dashboard(uid="leaky", title="Leaky", rows=[Row("r", [
        metricity.table("File", sql="SELECT pg_read_file('/etc/passwd') AS f"),
        metricity.table("Large object", sql="SELECT lo_export(1, '/tmp/x') AS x"),
        metricity.table("Setting", sql="SELECT set_config('work_mem', '1GB', false) AS s"),
        metricity.table("Sleep", sql="SELECT 1 AS one FROM pg_sleep(100)"),
    ])])
    """
    project = make_project({"dashboards/leaky.py": source})
    result = CliRunner().invoke(main, ["--project", str(project), "validate", "--format", "github", "--no-engines"])
    assert result.exit_code == 1, result.output
    for name in ("pg_read_file", "lo_export", "set_config", "pg_sleep"):
        assert "PD114" in result.output and f"calls {name}()" in result.output


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_sleep(0)",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_export(1, '/tmp/pydis-dash-lo')",
        "SELECT pg_terminate_backend(1)",
        "SELECT pg_advisory_lock(1)",
    ],
)
def test_the_checking_role_cannot_run_them_either(postgres_cluster: PostgresCluster, sql: str) -> None:
    """The second wall, for when queries execute (a preview with data): the reader lacks the privilege."""
    with (
        psycopg.connect(postgres_cluster.reader_dsns()["metricity"], autocommit=True) as reader,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        reader.execute(sql)
