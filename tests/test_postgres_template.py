"""The throwaway PostgreSQL's data directory template: reused for the same schemas, never when they change."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pydis_dash.validate.engines.postgres import READER_ROLE, PostgresCluster
from pydis_dash.validate.engines.postgres_template import KEEP_TEMPLATES, keep_template

FIRST_SCHEMA = "CREATE TABLE messages (id bigint PRIMARY KEY, content text);\n"


def _tables(cluster: PostgresCluster, database: str) -> set[str]:
    with psycopg.connect(cluster.dsn(database)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (READER_ROLE,)
        return {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(FIRST_SCHEMA)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _start(schema: Path, cache: Path, **options: object) -> tuple[bool, set[str]]:
    with PostgresCluster({"chat": schema}, template_cache=cache, **options) as cluster:  # type: ignore[arg-type]
        return cluster.from_template, _tables(cluster, "chat")


def test_the_same_schema_starts_from_the_template(schema: Path, cache: Path) -> None:
    assert _start(schema, cache) == (False, {"messages"})  # made with initdb, then kept
    assert _start(schema, cache) == (True, {"messages"})
    assert len(list(cache.iterdir())) == 1


def test_a_schema_change_is_never_served_the_old_template(schema: Path, cache: Path) -> None:
    _start(schema, cache)
    schema.write_text(FIRST_SCHEMA + "CREATE TABLE reactions (message_id bigint, emoji text);\n")
    assert _start(schema, cache) == (False, {"messages", "reactions"})
    assert _start(schema, cache) == (True, {"messages", "reactions"})
    schema.write_text(FIRST_SCHEMA)  # back to the first: its template is still there
    assert _start(schema, cache) == (True, {"messages"})


def test_a_template_cluster_is_as_locked_down_as_a_fresh_one(schema: Path, cache: Path) -> None:
    _start(schema, cache)
    with PostgresCluster({"chat": schema}, template_cache=cache) as cluster:
        assert cluster.from_template
        with psycopg.connect(cluster.dsn("chat"), autocommit=True) as conn:
            assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
            conn.execute("SET default_transaction_read_only = off")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("INSERT INTO messages VALUES (1, 'x')")
        for user in (READER_ROLE, "postgres"):  # the template's superuser password was random and is gone
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(host="127.0.0.1", port=cluster.port, dbname="chat", user=user)


def test_an_unwritable_cache_only_means_no_template(schema: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the cache folder would go")
    assert _start(schema, not_a_folder) == (False, {"messages"})
    assert _start(schema, not_a_folder) == (False, {"messages"})


def test_sample_data_and_opting_out_make_the_cluster_afresh(schema: Path, cache: Path, tmp_path: Path) -> None:
    _start(schema, cache)
    assert _start(schema, cache, use_template=False) == (False, {"messages"})
    generator = tmp_path / "_sample.py"
    generator.write_text("def generate(ctx):\n    return {'messages': [{'id': 1, 'content': 'hi'}]}\n")
    with PostgresCluster({"chat": schema}, template_cache=cache, samples={"chat": generator}) as cluster:
        assert not cluster.from_template


def test_only_the_most_recently_used_templates_are_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "PG_VERSION").write_text("15\n")
    cache = tmp_path / "cache"
    for number in range(KEEP_TEMPLATES + 2):
        keep_template(f"key{number}", data, cache)
    assert sorted(entry.name for entry in cache.iterdir()) == [
        f"key{number}" for number in range(2, KEEP_TEMPLATES + 2)
    ]
