"""PostgreSQL fixtures: ONE throwaway cluster per test session, shared by every SQL test.

Registered from ``tests/conftest.py`` via ``pytest_plugins``. The cluster holds the shipped
``metricity`` and ``site-db`` schemas (``datasources/*/schema.sql``) plus a few seed rows, so sandbox tests can prove nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from bundled_sources import SQL_SCHEMAS

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql import SqlEngine
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, Variable

SEED_SQL = """
INSERT INTO categories (id, name) VALUES ('10', 'Python Help');
INSERT INTO channels (id, name, category_id, is_staff) VALUES ('20', 'python-general', '10', false);
INSERT INTO users (id, name, joined_at, created_at, is_staff, bot, in_guild, pending)
    VALUES ('1', 'ves', '2024-01-01', '2020-01-01', true, false, true, false),
           ('2', 'lemon', '2024-01-02', '2020-01-02', false, false, true, false);
INSERT INTO messages (id, channel_id, author_id, created_at, is_deleted)
    VALUES ('100', '20', '1', '2024-01-01 10:00', false);
"""

DASHBOARD_FILE = Path("dashboards/community.py")
DASHBOARD_LINE = 12
PANEL_LINE = 30


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's throwaway cluster (schemas loaded, seed rows in ``metricity``)."""
    with PostgresCluster(SQL_SCHEMAS) as cluster:
        with psycopg.connect(cluster.dsn("metricity", admin=True), autocommit=True) as admin:
            admin.execute(SEED_SQL.encode())
        yield cluster


@pytest.fixture(scope="session")
def sql_engine(postgres_cluster: PostgresCluster) -> Iterator[SqlEngine]:
    """An engine connected (as the read-only role) to the session cluster."""
    engine = SqlEngine(postgres_cluster.reader_dsns(), default_database="metricity")
    yield engine
    engine.close()


@pytest.fixture
def postgres_admin(postgres_cluster: PostgresCluster) -> Iterator[psycopg.Connection[Any]]:
    """A superuser connection to ``metricity`` (to inspect or lock things; never for the checks)."""
    with psycopg.connect(postgres_cluster.dsn("metricity", admin=True), autocommit=True) as conn:
        yield conn


def dashboard_resource() -> Resource:
    """A minimal dashboard whose first panel was defined on line PANEL_LINE."""
    return Resource(
        ref=Ref(Kind.GRAFANA_DASHBOARD, "community"),
        title="Community",
        body={"uid": "community", "title": "Community", "panels": [{"id": 1, "title": "Messages", "targets": []}]},
        source=SourceLocation(DASHBOARD_FILE, DASHBOARD_LINE),
        anchors={"/panels/0": SourceLocation(DASHBOARD_FILE, PANEL_LINE)},
    )


SQL_PATH = "/panels/0/targets/0/rawSql"


@pytest.fixture
def make_sql_query() -> Callable[..., Query]:
    """Build a Query on the first panel of :func:`dashboard_resource`; keyword overrides any field."""

    def make(
        text: str,
        *,
        shape: ResultShape = ResultShape.TABLE,
        syntax: TemplateSyntax = TemplateSyntax.GRAFANA,
        variables: tuple[Variable, ...] = (),
        datasource_uid: str | None = "metricity",
    ) -> Query:
        return Query(
            resource=dashboard_resource(),
            json_path=SQL_PATH,
            language=Language.SQL,
            text=text,
            syntax=syntax,
            variables=variables,
            datasource_uid=datasource_uid,
            shape=shape,
            panel="Messages",
            ref_id="A",
        )

    return make
