"""Checking many SQL queries in one pipeline gives exactly the findings of checking them one by one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from pydis_dash.validate.engines import sql as sql_module
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql import SqlEngine
from pydis_dash.validate.engines.sql_pipeline import BATCH, Description, describe_all
from pydis_dash.validate.queries import Query, ResultShape, TemplateSyntax, Variable

MakeQuery = Callable[..., Query]

# Good ones, and one of each problem the server or the client side finds, in between.
TEXTS: list[tuple[str, dict[str, Any]]] = [
    ("SELECT count(*) FROM users", {}),
    ("SELECT count(*)\nFROM userz", {}),
    ("SELECT u.nme FROM users u", {}),
    ("SELECT name FROM users WHERE joined_at > 5", {}),
    ("SELECT joined_at AS time, 1 AS joins FROM users", {"shape": ResultShape.TIME_SERIES}),
    ("SELECT name FROM users", {"shape": ResultShape.TIME_SERIES}),
    ("SELECT name FROM users", {"shape": ResultShape.SINGLE_VALUE}),
    ("SELECT 1; DROP TABLE users", {}),
    ("SELECT FROM WHERE", {}),
    ("SELECT count(*) FROM users", {}),  # a repeat
    ("", {}),
    (
        "SELECT count(*) FROM users WHERE NOT bot\n[[AND joined_at > {{since}} AND nam = {{name}}]]",
        {
            "syntax": TemplateSyntax.METABASE,
            "variables": (Variable("since", "date"), Variable("name", "text")),
        },
    ),
    ("SELECT count(*) FROM messages WHERE $__timeFilter(created_at)", {}),
    ("SELECT 1", {"datasource_uid": "nowhere"}),
]


def _one_by_one(engine: SqlEngine, queries: Sequence[Query]) -> list[Any]:
    return [finding for query in queries for finding in engine.check_query(query)]


def test_pipelined_findings_equal_one_by_one(postgres_cluster: PostgresCluster, make_sql_query: MakeQuery) -> None:
    queries = [make_sql_query(text, **options) for text, options in TEXTS]
    engine = SqlEngine(postgres_cluster.reader_dsns())
    try:
        expected = _one_by_one(engine, queries)
        assert len(expected) >= 8  # the problems above are found (sanity: this compares something)
        assert engine.check(queries) == expected
    finally:
        engine.close()


def test_more_queries_than_one_batch_keep_their_order(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery
) -> None:
    # Every third query is broken, each in its own way: an answer read for the wrong query would show.
    texts = [
        f"SELECT nme{n} FROM users" if n % 3 == 0 else f"SELECT name, {n} AS n FROM users" for n in range(BATCH * 2 + 5)
    ]
    queries = [make_sql_query(text) for text in texts]
    engine = SqlEngine(postgres_cluster.reader_dsns())
    try:
        findings = engine.check(queries)
        assert findings == _one_by_one(engine, queries)
        assert [f.message.split(" (")[0] for f in findings] == [
            f'column "nme{n}" does not exist' for n in range(0, BATCH * 2 + 5, 3)
        ]
    finally:
        engine.close()


def test_identical_texts_are_asked_once_and_the_sandbox_keeps_the_rest_back(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def recording(pgconn: Any, texts: Sequence[str]) -> dict[str, Description]:
        asked.extend(texts)
        return describe_all(pgconn, texts)

    monkeypatch.setattr(sql_module, "describe_all", recording)
    queries = [
        make_sql_query(text) for text in ["SELECT 1", "SELECT 2", "SELECT 1", "SELECT 1; SELECT 2", "DELETE FROM users"]
    ]
    engine = SqlEngine(postgres_cluster.reader_dsns())
    try:
        findings = engine.check(queries)
    finally:
        engine.close()
    assert asked == ["SELECT 1", "SELECT 2"]
    assert len(findings) == 2  # the two statements the sandbox refused, never sent


def test_a_broken_connection_during_the_pipeline_is_an_environment_problem(
    postgres_cluster: PostgresCluster, make_sql_query: MakeQuery, postgres_admin: Any
) -> None:
    engine = SqlEngine(postgres_cluster.reader_dsns())
    try:
        engine.check([make_sql_query("SELECT 1")])  # connected
        postgres_admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pydis-dash validate'"
        )
        with pytest.raises(sql_module.EnvironmentProblem, match="connection"):
            engine.check([make_sql_query("SELECT 2"), make_sql_query("SELECT 3")])
    finally:
        engine.close()
