"""One graphite-web for the whole test session (registered through ``pytest_plugins`` in conftest).

The fixture goes through ``open_graphite_engine(None, ...)``, the path ``validate`` takes without
a live URL: it starts graphite-web from the venv made by ``ci/setup-graphite`` over the
bundled metric names, and stops it when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bundled_sources import GRAPHITE_METRICS

from pydis_dash.validate.engines.graphite import GraphiteEngine, open_graphite_engine


@pytest.fixture(scope="session")
def graphite_engine() -> Iterator[GraphiteEngine]:
    """A non-strict engine on the session's graphite-web; its ``url`` serves other engines too."""
    with open_graphite_engine(None, metrics_file=GRAPHITE_METRICS) as engine:
        yield engine


@pytest.fixture
def strict_graphite_engine(graphite_engine: GraphiteEngine) -> Iterator[GraphiteEngine]:
    """A ``--strict`` engine on the same server (no second graphite-web)."""
    engine = GraphiteEngine(graphite_engine.url, strict=True)
    yield engine
    engine.close()
