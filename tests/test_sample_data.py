"""Sample data: the generators beside the data sources, and loading them into the throwaway PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from pydis_dash.errors import DefinitionError
from pydis_dash.pipeline import load_resources
from pydis_dash.sample import SampleContext, generate_tables, sample_now
from pydis_dash.validate.engine_sources import checked_sources
from pydis_dash.validate.engines.postgres import PostgresCluster

REPO_ROOT = Path(__file__).resolve().parent.parent
METRICITY = REPO_ROOT / "datasources" / "metricity" / "_sample.py"
SITE = REPO_ROOT / "datasources" / "site-db" / "_sample.py"
SCHEMAS = {uid: REPO_ROOT / "datasources" / uid / "schema.sql" for uid in ("metricity", "site-db")}
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    first = generate_tables(METRICITY, SampleContext(seed=7, now=NOW))
    again = generate_tables(METRICITY, SampleContext(seed=7, now=NOW))
    other = generate_tables(METRICITY, SampleContext(seed=8, now=NOW))
    assert first == again
    assert first["messages"] != other["messages"]


def test_metricity_messages_follow_the_day_and_the_week() -> None:
    tables = generate_tables(METRICITY, SampleContext(seed=1, now=NOW))
    messages = tables["messages"]
    by_hour = Counter(m["created_at"].hour for m in messages)
    assert by_hour[19] > 3 * by_hour[7]  # evening peak, morning trough
    per_weekday = Counter(m["created_at"].weekday() for m in messages)
    assert min(per_weekday[5], per_weekday[6]) > max(per_weekday[d] for d in range(5))  # busier weekends
    naive_now = NOW.replace(tzinfo=None)
    assert all(m["created_at"] < naive_now for m in messages)
    assert len({m["id"] for m in messages}) == len(messages)


def test_metricity_members_join_over_the_90_days_and_help_threads_open_and_close() -> None:
    tables = generate_tables(METRICITY, SampleContext(seed=1, now=NOW))
    start = NOW.replace(tzinfo=None) - (NOW - SampleContext(now=NOW).start)
    joined_days = {u["joined_at"].date() for u in tables["users"] if u["joined_at"] >= start}
    assert len(joined_days) >= 85
    threads = tables["threads"]
    assert {t["archived"] for t in threads} == {True, False}
    thread_ids = {t["id"] for t in threads}
    in_threads = [m for m in tables["messages"] if m["thread_id"] is not None]
    assert {m["thread_id"] for m in in_threads} == thread_ids  # every post has at least its question


def test_site_rows_keep_the_api_rules() -> None:
    tables = generate_tables(SITE, SampleContext(seed=1, now=NOW))
    infractions = tables["api_infraction"]
    assert {"note", "warning", "timeout", "ban"} <= {i["type"] for i in infractions}
    for infraction in infractions:
        if infraction["type"] in ("note", "warning", "kick"):
            assert not infraction["active"] and infraction["expires_at"] is None
        if infraction["type"] == "note":
            assert infraction["hidden"]
    active = [(i["user_id"], i["type"]) for i in infractions if i["active"]]
    assert len(active) == len(set(active))
    nominations = {n["id"] for n in tables["api_nomination"]}
    assert nominations and {e["nomination_id"] for e in tables["api_nominationentry"]} == nominations


def test_sample_now_is_the_current_hour() -> None:
    assert sample_now(datetime(2026, 3, 2, 12, 34, 56, tzinfo=UTC)) == datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_the_project_declares_a_generator_per_data_source() -> None:
    sources = checked_sources(load_resources(REPO_ROOT, [str(REPO_ROOT / "datasources")]), {}, {})
    generators = {source.uid: source.sample_data for source in sources if source.sample_data is not None}
    series = {uid: REPO_ROOT / "datasources" / uid / "_sample.py" for uid in ("prometheus", "graphite")}
    assert generators == {"metricity": METRICITY, "site-db": SITE, **series}


def test_cluster_loads_the_generated_rows_readable_by_the_reader() -> None:
    context = SampleContext(seed=3, now=NOW)
    expected = {name: len(rows) for name, rows in generate_tables(METRICITY, context).items()}
    with PostgresCluster(SCHEMAS, samples={"metricity": METRICITY, "site-db": SITE}, sample_context=context) as cluster:
        assert cluster.sample_rows["metricity"] == expected
        with psycopg.connect(cluster.dsn("metricity")) as reader:
            row = reader.execute("SELECT count(*) FROM messages").fetchone()
        assert row is not None and row[0] == expected["messages"]
        with psycopg.connect(cluster.dsn("site-db")) as reader:
            row = reader.execute("SELECT count(*) FROM api_infraction").fetchone()
        assert row is not None and row[0] > 0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def generate(ctx):\n    return {'no_such_table': [{'id': 1}]}\n", "table 'no_such_table' do not fit"),
        ("def generate(ctx):\n    raise RuntimeError('boom')\n", "generator failed: RuntimeError: boom"),
        ("x = 1\n", "has no `generate(ctx)` function"),
    ],
)
def test_a_bad_generator_is_a_definition_error_naming_its_file(
    tmp_path: Path, source: str, message: str, make_generator: Callable[[str], Path]
) -> None:
    generator = make_generator(source)
    with pytest.raises(DefinitionError) as caught, PostgresCluster(SCHEMAS, samples={"metricity": generator}):
        pass
    assert message in str(caught.value)
    assert caught.value.location is not None and caught.value.location.path == generator


@pytest.fixture
def make_generator(tmp_path: Path) -> Callable[[str], Path]:
    def make(source: str) -> Path:
        path = tmp_path / "_sample.py"
        path.write_text(source)
        return path

    return make
