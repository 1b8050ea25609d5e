"""The SQL engine on a real PostgreSQL: checks by prepare/describe, result shapes, and the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from bundled_sources import SQL_SCHEMAS
from fixtures_postgres import DASHBOARD_FILE, PANEL_LINE, SQL_PATH

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.model import Ref, SourceLocation
from pydis_dash.validate.engines.net import free_port
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql import SqlEngine, open_sql_engine
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, Variable

MakeQuery = Callable[..., Query]
PANEL = SourceLocation(DASHBOARD_FILE, PANEL_LINE)


def messages(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings]


# -- what PostgreSQL catches -------------------------------------------------------------------------


def test_unknown_table_is_an_error_at_the_panel_with_the_query_line(
    sql_engine: SqlEngine, make_sql_query: MakeQuery
) -> None:
    findings = sql_engine.check([make_sql_query("SELECT count(*)\nFROM userz")])
    assert findings == [
        Finding(
            rule="SQL",
            severity=Severity.ERROR,
            message='relation "userz" does not exist (line 2, column 6 of the query: FROM userz)',
            ref=Ref.parse("grafana-dashboard/community"),
            location=PANEL,
            json_path=SQL_PATH,
            panel="Messages",
            ref_id="A",
        )
    ]
    assert findings[0].headline() == (
        "dashboards/community.py:30: error SQL: panel 'Messages' (A): "
        'relation "userz" does not exist (line 2, column 6 of the query: FROM userz)'
    )


def test_unknown_column_carries_postgres_hint(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    findings = sql_engine.check([make_sql_query("SELECT u.nme FROM users u")])
    assert messages(findings) == [
        "column u.nme does not exist (line 1, column 8 of the query: SELECT u.nme FROM users u); "
        'hint: Perhaps you meant to reference the column "u.name".'
    ]


def test_syntax_error_position_maps_back_through_macro_expansion(
    sql_engine: SqlEngine, make_sql_query: MakeQuery
) -> None:
    text = "SELECT $__timeGroupAlias(created_at, '1h'), count(*)\nFROM messages\nWHERE $__timeFilter(created_at)\nGROUP BY 1,, 2"
    assert messages(sql_engine.check([make_sql_query(text)])) == [
        'syntax error at or near "," (line 4, column 12 of the query: GROUP BY 1,, 2)'
    ]


def test_type_errors_are_caught_at_parse_analysis(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    # users.id is VARCHAR in Metricity; comparing it to a number is a real production bug.
    text = "SELECT name FROM users WHERE id = $user"
    query = make_sql_query(text, variables=(Variable("user", "query", sample="267624335836053506"),))
    assert messages(sql_engine.check([query])) == [
        "operator does not exist: character varying = bigint (line 1, column 33 of the query: "
        "SELECT name FROM users WHERE id = $user); hint: No operator matches the given name and argument "
        "types. You might need to add explicit type casts."
    ]


def test_valid_queries_give_no_findings(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    queries = [
        make_sql_query(
            "SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS messages FROM messages\n"
            "WHERE $__timeFilter(created_at) AND channel_id IN ($channels) GROUP BY 1 ORDER BY 1",
            shape=ResultShape.TIME_SERIES,
            variables=(Variable("channels", "query", multi=True, sample="20"),),
        ),
        make_sql_query("SELECT joined_at AS time, 1 AS joins FROM users", shape=ResultShape.TIME_SERIES),
        make_sql_query("SELECT count(*) FROM users WHERE NOT bot", shape=ResultShape.SINGLE_VALUE),
        make_sql_query("SELECT count(*) FROM api_infraction WHERE active", datasource_uid="site-db"),
        make_sql_query("SELECT 1", datasource_uid=None),
    ]
    assert sql_engine.check(queries) == []


def test_multi_value_variable_used_with_equals_is_caught(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    query = make_sql_query(
        "SELECT count(*) FROM messages WHERE channel_id = $channels",
        variables=(Variable("channels", "query", multi=True, sample="20"),),
    )
    assert messages(sql_engine.check([query])) == [
        'syntax error at or near "," (line 1, column 50 of the query: '
        "SELECT count(*) FROM messages WHERE channel_id = $channels)"
    ]


def test_grafana_group_by_time_group_quirk_is_reported(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    text = "SELECT $__timeGroup(created_at, '1h'), count(*) FROM messages GROUP BY $__timeGroup(created_at, '1h')"
    (finding,) = sql_engine.check([make_sql_query(text)])
    assert finding.message.startswith('syntax error at or near "AS" (line 1, column 72 of the query')


def test_datasource_uid_selects_the_database(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    findings = sql_engine.check([make_sql_query("SELECT count(*) FROM api_user", datasource_uid="metricity")])
    assert messages(findings) == [
        'relation "api_user" does not exist (line 1, column 22 of the query: SELECT count(*) FROM api_user)'
    ]
    unknown = sql_engine.check([make_sql_query("SELECT 1", datasource_uid="mysql-thing")])
    assert [(f.severity, f.message) for f in unknown] == [
        (
            Severity.WARNING,
            "not checked: data source 'mysql-thing' is not a known SQL database (known: metricity, site-db)",
        )
    ]


def test_template_problems_are_reported_and_the_query_not_sent(
    sql_engine: SqlEngine, make_sql_query: MakeQuery
) -> None:
    text = "SELECT count(*) FROM userz WHERE name = '$who'"
    # Only the template problem: the broken table name is not reported from a query we did not send.
    assert messages(sql_engine.check([make_sql_query(text)])) == [
        "unknown template variable '$who' (line 1, column 42 of the query: SELECT count(*) FROM userz WHERE name = '$who')"
    ]


def test_only_sql_queries_are_checked(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    query = make_sql_query("this is not sql")
    promql = Query(query.resource, query.json_path, Language.PROMQL, "up", TemplateSyntax.GRAFANA)
    assert sql_engine.check([promql]) == []


# -- result shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shape", "message"),
    [
        (
            "SELECT created_at, count(*) AS n FROM messages GROUP BY 1",
            ResultShape.TIME_SERIES,
            'a time series needs a column named "time"; the query returns created_at (timestamp), n (bigint)',
        ),
        (
            "SELECT name AS time, 1 AS n FROM users",
            ResultShape.TIME_SERIES,
            'column "time" is character varying; a time series needs a timestamp or a numeric epoch',
        ),
        (
            "SELECT name, joined_at FROM users",
            ResultShape.SINGLE_VALUE,
            "a single-value panel needs a numeric column; the query returns "
            "name (character varying), joined_at (timestamp)",
        ),
    ],
)
def test_result_shape_must_suit_the_panel(
    sql_engine: SqlEngine, make_sql_query: MakeQuery, text: str, shape: ResultShape, message: str
) -> None:
    assert messages(sql_engine.check([make_sql_query(text, shape=shape)])) == [message]


# -- Metabase ----------------------------------------------------------------------------------------


def test_optional_clause_is_checked_with_and_without(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    text = "SELECT count(*) FROM users WHERE NOT bot\n[[AND joined_at > {{since}} AND nam = {{name}}]]"
    query = make_sql_query(
        text,
        syntax=TemplateSyntax.METABASE,
        variables=(Variable("since", "date"), Variable("name", "text")),
    )
    assert messages(sql_engine.check([query])) == [
        'with every optional clause: column "nam" does not exist (line 2, column 33 of the query: '
        "[[AND joined_at > {{since}} AND nam = {{name}}]]); hint: Perhaps you meant to reference the column "
        '"users.name".'
    ]


def test_field_filter_is_checked_against_the_real_column(sql_engine: SqlEngine, make_sql_query: MakeQuery) -> None:
    good = make_sql_query(
        "SELECT count(*) FROM users WHERE {{joined}}",
        syntax=TemplateSyntax.METABASE,
        variables=(Variable("joined", "dimension", field="users.joined_at"),),
    )
    bad = make_sql_query(
        "SELECT count(*) FROM users WHERE {{joined}}",
        syntax=TemplateSyntax.METABASE,
        variables=(Variable("joined", "dimension", field="users.joined"),),
    )
    assert sql_engine.check([good]) == []
    assert messages(sql_engine.check([bad])) == [
        "field filter {{joined}} is bound to users.joined, which does not exist "
        "(line 1, column 34 of the query: SELECT count(*) FROM users WHERE {{joined}})"
    ]


# -- sandbox -----------------------------------------------------------------------------------------


def database_state(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """Every table of the public schema with its row count."""
    tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return [(t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()) for t in tables]


SANDBOX_REJECTED = [
    ("DROP TABLE users", "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'DROP'"),
    (
        "COPY users TO PROGRAM 'touch {marker}'",
        "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'COPY'",
    ),
    ("SELECT 1; DROP TABLE users", "only a single statement is allowed; a second statement follows ';'"),
    ("SELECT 1; DELETE FROM users", "only a single statement is allowed; a second statement follows ';'"),
    (
        "WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x",
        "data-modifying statement (DELETE) inside WITH is not allowed",
    ),
    ("SELECT * INTO stolen FROM users", "SELECT ... INTO creates a table and is not allowed"),
    ("TRUNCATE users CASCADE", "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'TRUNCATE'"),
]

SANDBOX_HARMLESS = [
    # Valid SELECTs whose functions would write or wait if executed; the engine never executes.
    "WITH slow AS (SELECT pg_sleep(600)) SELECT * FROM slow",
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    "SELECT lo_export(lo_from_bytea(0, 'x'), '{marker}')",
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
    "SELECT pg_read_file('/etc/passwd')",
]


def test_sandbox_rejects_writes_and_never_executes(
    sql_engine: SqlEngine, make_sql_query: MakeQuery, postgres_admin: psycopg.Connection[Any], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    before = database_state(postgres_admin)
    rejected = [make_sql_query(sql.format(marker=marker)) for sql, _ in SANDBOX_REJECTED]
    harmless = [make_sql_query(sql.format(marker=marker)) for sql in SANDBOX_HARMLESS]

    findings = sql_engine.check(rejected)
    assert [f.message.split(" (line")[0] for f in findings] == [message for _, message in SANDBOX_REJECTED]
    # The harmless ones are valid SQL (no finding; privileges are only checked at run time) and, not executed, neither slept 600 s (that would be a timeout finding) nor wrote.
    assert sql_engine.check(harmless) == []

    assert database_state(postgres_admin) == before
    assert ("users", (2,)) in before
    assert not marker.exists()
    assert postgres_admin.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone() == (0,)


def test_a_hanging_check_times_out_is_reported_and_the_run_goes_on(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery, postgres_admin: psycopg.Connection[Any]
) -> None:
    engine = SqlEngine(postgres_cluster.reader_dsns(), statement_timeout=0.2)
    try:
        # Parse analysis needs a lock on the table; an exclusive lock held elsewhere makes it wait.
        with postgres_admin.transaction():
            postgres_admin.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            findings = engine.check([make_sql_query("SELECT * FROM messages"), make_sql_query("SELECT * FROM userz")])
        assert messages(findings) == [
            "not checked: PostgreSQL did not finish checking the query within 0.2 s (statement_timeout)",
            'relation "userz" does not exist (line 1, column 15 of the query: SELECT * FROM userz)',
        ]
        # The connection is still usable once the lock is gone.
        assert engine.check([make_sql_query("SELECT * FROM messages")]) == []
    finally:
        engine.close()


def test_one_connection_per_database_for_many_queries(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery, postgres_admin: psycopg.Connection[Any]
) -> None:
    def backends() -> set[tuple[int, str]]:
        rows = postgres_admin.execute(
            "SELECT pid, datname FROM pg_stat_activity WHERE application_name = 'pydis-dash validate'"
        )
        return {(int(pid), str(datname)) for pid, datname in rows}

    before = backends()
    engine = SqlEngine(postgres_cluster.reader_dsns())
    try:
        queries = [make_sql_query(f"SELECT {i} AS n FROM users") for i in range(50)]
        queries += [make_sql_query("SELECT 1", datasource_uid="site-db") for _ in range(10)]
        assert engine.check(queries) == []
        new = backends() - before
        assert sorted(datname for _, datname in new) == ["metricity", "site-db"], (before, new)
    finally:
        engine.close()


# -- opening the engine -----------------------------------------------------------------------------


def test_open_sql_engine_starts_its_own_cluster(make_sql_query: MakeQuery) -> None:
    with open_sql_engine(SQL_SCHEMAS, default_database="metricity") as engine:
        assert messages(engine.check([make_sql_query("SELECT bogus_column FROM users")])) == [
            'column "bogus_column" does not exist (line 1, column 8 of the query: SELECT bogus_column FROM users)'
        ]


def test_dsn_is_used_and_a_missing_database_comes_from_a_throwaway_cluster(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery
) -> None:
    live = {"metricity": postgres_cluster.dsn("metricity")}
    with open_sql_engine(SQL_SCHEMAS, live, default_database="metricity") as engine:
        findings = engine.check(
            [
                make_sql_query("SELECT count(*) FROM users"),
                make_sql_query("SELECT count(*) FROM api_usr", datasource_uid="site-db"),
            ]
        )
    assert messages(findings) == [
        'relation "api_usr" does not exist (line 1, column 22 of the query: SELECT count(*) FROM api_usr)'
    ]


def test_options_in_a_given_dsn_are_kept(postgres_cluster: PostgresCluster, make_sql_query: MakeQuery) -> None:
    dsn = postgres_cluster.dsn("metricity") + " options='-c search_path=pg_catalog'"
    with open_sql_engine(SQL_SCHEMAS, {"metricity": dsn}, default_database="metricity") as engine:
        assert messages(engine.check([make_sql_query("SELECT count(*) FROM users")])) == [
            'relation "users" does not exist (line 1, column 22 of the query: SELECT count(*) FROM users)'
        ]


def test_unreachable_database_is_an_environment_problem_without_the_password(
    make_sql_query: MakeQuery,
) -> None:
    dsn = f"host=127.0.0.1 port={free_port()} dbname=metricity user=reader password=hunter2 connect_timeout=2"
    with (
        open_sql_engine(SQL_SCHEMAS, {"metricity": dsn}, default_database="metricity") as engine,
        pytest.raises(EnvironmentProblem) as caught,
    ):
        engine.check([make_sql_query("SELECT 1")])
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value).startswith("cannot connect to database 'metricity' (")
    assert "hunter2" not in str(caught.value)


def test_unparseable_dsn_is_an_environment_problem_without_the_password(make_sql_query: MakeQuery) -> None:
    # libpq's own parse error quotes the token it choked on: here, the password.
    dsn = "postgresql://reader:hunter2%zz@127.0.0.1/metricity"
    with (
        open_sql_engine(SQL_SCHEMAS, {"metricity": dsn}, default_database="metricity") as engine,
        pytest.raises(EnvironmentProblem) as caught,
    ):
        engine.check([make_sql_query("SELECT 1")])
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value).startswith("cannot connect to database 'metricity': ")
    assert "hunter2" not in str(caught.value)
