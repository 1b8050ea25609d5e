"""Prometheus fixtures: ONE throwaway Prometheus per test session, shared by every PromQL test.

Registered from ``tests/conftest.py`` via ``pytest_plugins``. The server holds the shipped series
list (``datasources/prometheus/series.txt``); engines evaluate inside its seeded window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from bundled_sources import prometheus_series_text

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.engines.prometheus import PromqlEngine, open_promql_engine
from pydis_dash.validate.engines.prometheus_server import PrometheusServer
from pydis_dash.validate.queries import Language, Query, TemplateSyntax, Variable

PROM_DASHBOARD_FILE = Path("dashboards/site.py")
PROM_DASHBOARD_LINE = 5
PROM_PANEL_LINE = 21
PROM_JSON_PATH = "/panels/2/targets/0/expr"


@pytest.fixture(scope="session")
def prometheus_server() -> Iterator[PrometheusServer]:
    """The session's throwaway Prometheus with the seeded series."""
    with PrometheusServer(series_text=prometheus_series_text()) as server:
        yield server


@pytest.fixture(scope="session")
def promql_engine(prometheus_server: PrometheusServer) -> Iterator[PromqlEngine]:
    """An engine on the session server (unknown metrics are warnings)."""
    with open_promql_engine(prometheus_server.url, at=prometheus_server.evaluation_time) as engine:
        yield engine


@pytest.fixture(scope="session")
def strict_promql_engine(prometheus_server: PrometheusServer) -> Iterator[PromqlEngine]:
    """An engine on the session server as ``validate --strict`` runs it (unknown metrics are errors)."""
    with open_promql_engine(prometheus_server.url, strict=True, at=prometheus_server.evaluation_time) as engine:
        yield engine


def prom_dashboard() -> Resource:
    """A dashboard defined at ``dashboards/site.py:5`` whose third panel is defined at line 21."""
    return Resource(
        ref=Ref(Kind.GRAFANA_DASHBOARD, "site"),
        title="Site",
        body={"uid": "site", "panels": [{}, {}, {"targets": [{"refId": "A", "expr": ""}]}]},
        source=SourceLocation(PROM_DASHBOARD_FILE, PROM_DASHBOARD_LINE),
        anchors={"/panels/2": SourceLocation(PROM_DASHBOARD_FILE, PROM_PANEL_LINE)},
    )


@pytest.fixture
def promql_query() -> Callable[..., Query]:
    """Build a PromQL query of panel 'Requests' (refId A) in :func:`prom_dashboard`."""

    def make(text: str, variables: Sequence[Variable] = (), ref_id: str = "A") -> Query:
        return Query(
            resource=prom_dashboard(),
            json_path=PROM_JSON_PATH,
            language=Language.PROMQL,
            text=text,
            syntax=TemplateSyntax.GRAFANA,
            variables=tuple(variables),
            datasource_uid="prometheus",
            panel="Requests",
            ref_id=ref_id,
        )

    return make
