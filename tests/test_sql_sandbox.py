"""The statement guard in front of the SQL engine: one read-only query statement, nothing else."""

from __future__ import annotations

import re

import pytest

from pydis_dash.validate.engines import sql_sandbox
from pydis_dash.validate.engines.sql_sandbox import Violation, check_single_select, tokenize


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select 1;",
        "SELECT 1 ;  -- trailing comment; with a semicolon\n",
        "SELECT ';' AS semi",
        "SELECT 'it''s; DROP TABLE users' AS s",
        "SELECT E'\\'; DROP TABLE users' AS s",
        'SELECT 1 AS "weird;name"',
        "SELECT $$; DROP TABLE users$$",
        "SELECT $fn$ a; b $fn$",
        "SELECT 1 /* ; DROP TABLE users; /* nested */ still comment; */",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "WITH x AS MATERIALIZED (SELECT 1) SELECT * FROM x",
        "VALUES (1), (2)",
        "TABLE users",
        "(SELECT 1) UNION (SELECT 2)",
        "SELECT count(*) AS update FROM users",
        "SELECT * FROM users WHERE name = $1",
    ],
)
def test_single_read_only_statements_pass(sql: str) -> None:
    assert check_single_select(sql) is None


@pytest.mark.parametrize(
    ("sql", "message", "at"),
    [
        ("", "the query is empty", ""),
        ("  -- only a comment", "the query is empty", ""),
        ("SELECT 1; DROP TABLE users", "only a single statement is allowed; a second statement follows ';'", "DROP"),
        ("SELECT 'a;b'; SELECT 2", "only a single statement is allowed; a second statement follows ';'", "SELECT 2"),
        ("DROP TABLE users", "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'DROP'", "DROP"),
        (
            "COPY users TO PROGRAM 'rm -rf /'",
            "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'COPY'",
            "COPY",
        ),
        ("  (DELETE FROM users)", "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'DELETE'", "DELETE"),
        ("SET ROLE postgres", "only SELECT, WITH, VALUES or TABLE queries are allowed, not 'SET'", "SET"),
        (
            "WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x",
            "data-modifying statement (DELETE) inside WITH is not allowed",
            "DELETE",
        ),
        (
            "with a as (select 1), b as not materialized (update users set name = 'x' returning 1) select 1",
            "data-modifying statement (UPDATE) inside WITH is not allowed",
            "update",
        ),
        ("SELECT * INTO stolen FROM users", "SELECT ... INTO creates a table and is not allowed", "INTO"),
    ],
)
def test_everything_else_is_rejected_with_a_position(sql: str, message: str, at: str) -> None:
    assert check_single_select(sql) == Violation(message, sql.index(at) if at else 0)


def test_tokenizer_keeps_literals_whole() -> None:
    tokens = tokenize("SELECT 'a''b', E'c\\'d', \"x\"\"y\", $t$z$t$, $2 -- gone\n/* gone */ FROM t")
    assert [(t.kind, t.text) for t in tokens] == [
        ("word", "SELECT"),
        ("string", "'a''b'"),
        ("punct", ","),
        ("string", "E'c\\'d'"),
        ("punct", ","),
        ("quoted", '"x""y"'),
        ("punct", ","),
        ("string", "$t$z$t$"),
        ("punct", ","),
        ("param", "$2"),
        ("word", "FROM"),
        ("word", "t"),
    ]


def test_identifiers_and_dollar_tags_take_postgres_characters_over_every_code_point() -> None:
    # The sandbox's patterns are written as small negated ASCII sets; they must mean exactly these.
    pairs = "".join(f"{char}a{char} " for char in map(chr, range(0x110000)))  # each char first and after one
    word = re.compile(r"[A-Za-z_\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*")
    assert sql_sandbox._WORD.findall(pairs) == word.findall(pairs)
    tag = re.compile(r"\$(?:[A-Za-z_\u0080-\U0010ffff][\w\u0080-\U0010ffff]*)?\$")
    tags = "".join(f"${char}a$ $a{char}$ " for char in map(chr, range(0x110000)))
    assert sql_sandbox._DOLLAR_TAG.findall(tags) == tag.findall(tags)
