"""The throwaway PostgreSQL cluster: schemas, the read-only role, bad environments, cleanup."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from bundled_sources import SQL_SCHEMAS

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.validate.engines.postgres import READER_ROLE, PostgresCluster, find_postgres_bindir

REPO_ROOT = Path(__file__).resolve().parent.parent


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_both_schemas_are_loaded_and_readable_by_the_reader(postgres_cluster: PostgresCluster) -> None:
    expected = {"metricity": {"categories", "channels", "threads", "users", "messages", "alembic_version"}}
    with psycopg.connect(postgres_cluster.dsn("metricity")) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert tables == expected["metricity"]
        assert conn.execute("SELECT current_user").fetchone() == (READER_ROLE,)
    with psycopg.connect(postgres_cluster.dsn("site-db")) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"api_user", "api_infraction", "api_nomination", "api_role"} <= tables
        assert conn.execute("SELECT count(*) FROM api_user").fetchone() == (0,)


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE users",
        "INSERT INTO categories (id, name) VALUES ('x', 'y')",
        "UPDATE users SET name = 'x'",
        "CREATE TABLE stolen (a int)",
        "CREATE TEMP TABLE stolen (a int)",
        "COPY users TO PROGRAM 'true'",
        "SELECT lo_export(0, '/tmp/pydis-dash-lo')",
        "SET ROLE postgres",
    ],
)
def test_the_reader_role_cannot_write_even_outside_a_read_only_transaction(
    postgres_cluster: PostgresCluster, statement: str
) -> None:
    # The engine's lexer and read-only transactions come first; this proves the role alone is enough.
    with psycopg.connect(postgres_cluster.dsn("metricity"), autocommit=True) as conn:
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_tcp_port_listens_but_lets_nobody_in_without_the_random_password(postgres_cluster: PostgresCluster) -> None:
    # Trust is only for the private unix socket; over TCP, no role gets in without a password.
    for user in (READER_ROLE, "postgres"):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host="127.0.0.1", port=postgres_cluster.port, dbname="metricity", user=user)


def test_port_in_use_is_an_environment_problem_with_the_server_log() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cluster = PostgresCluster(SQL_SCHEMAS, port=port)
        with pytest.raises(EnvironmentProblem) as caught:
            cluster.start()
    message = str(caught.value)
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert message.startswith(f"PostgreSQL failed to start on 127.0.0.1:{port} (exit ")
    assert "Address already in use" in message
    assert cluster.base_dir is None  # cleaned up after the failure


def test_missing_binaries_are_an_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pydis_dash.validate.engines.postgres.shutil.which", lambda name: None)
    monkeypatch.setattr("pydis_dash.validate.engines.postgres.glob.glob", lambda pattern: [])
    with pytest.raises(EnvironmentProblem) as caught:
        find_postgres_bindir()
    assert caught.value.exit_code is ExitCode.ENVIRONMENT
    assert str(caught.value).startswith("PostgreSQL server binaries (initdb, postgres) not found; install")


def test_binaries_are_found() -> None:
    bindir = find_postgres_bindir()
    assert (bindir / "initdb").is_file() and (bindir / "postgres").is_file()


def test_a_broken_schema_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE TABLE ok (a int);\nCREATE TABLE nope (a intt);\n")
    with pytest.raises(EnvironmentProblem) as caught, PostgresCluster({"broken": broken}):
        pass
    assert str(caught.value).startswith(f"schema {broken} failed to load into database broken: ")
    assert 'type "intt" does not exist' in str(caught.value)


def test_leaving_the_block_stops_the_server_and_removes_the_directory() -> None:
    with PostgresCluster({"metricity": SQL_SCHEMAS["metricity"]}) as cluster:
        base_dir, pid = cluster.base_dir, cluster.server_pid
        assert base_dir is not None and base_dir.is_dir()
        assert pid is not None and alive(pid)
    assert not base_dir.exists()
    assert not alive(pid)


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pydis_dash.validate.engines.postgres import PostgresCluster
    with PostgresCluster({"metricity": Path(sys.argv[1])}) as cluster:
        print(cluster.base_dir, cluster.server_pid, flush=True)
        time.sleep(120)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_still_stops_the_server_and_removes_the_directory(signum: int) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(SQL_SCHEMAS["metricity"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        assert len(line) == 2, child.stderr.read() if child.stderr else ""
        base_dir, pid = Path(line[0]), int(line[1])
        assert base_dir.is_dir() and alive(pid)
        child.send_signal(signum)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert not base_dir.exists()
    assert not alive(pid)
