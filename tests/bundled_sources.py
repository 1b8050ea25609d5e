"""Where the repository's own data sources keep their check files (schemas, series and metric lists).

The tool ships none of these: each lives beside its data source in ``datasources/<uid>/``. Engine tests
use them as realistic inputs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

DATASOURCES = Path(__file__).resolve().parents[1] / "datasources"

#: PostgreSQL schemas by data source uid (the throwaway cluster names each database after its uid).
SQL_SCHEMAS: dict[str, Path] = {
    "metricity": DATASOURCES / "metricity" / "schema.sql",
    "site-db": DATASOURCES / "site-db" / "schema.sql",
}
PROMETHEUS_SERIES = DATASOURCES / "prometheus" / "series.txt"
GRAPHITE_METRICS = DATASOURCES / "graphite" / "metrics.txt"


def prometheus_series_text() -> str:
    """The bundled Prometheus data source's series list."""
    return PROMETHEUS_SERIES.read_text(encoding="utf-8")


def pydis_bot() -> ModuleType:
    """The project's helper module ``dashboards/_pydis/bot.py`` (the bot's statsd catalogue and stores),
    imported as the loader does for definition files."""
    dashboards = str(DATASOURCES.parent / "dashboards")
    sys.path.insert(0, dashboards)
    try:
        return importlib.import_module("_pydis.bot")
    finally:
        sys.path.remove(dashboards)

PROMETHEUS_SAMPLE = DATASOURCES / "prometheus" / "_sample.py"
GRAPHITE_SAMPLE = DATASOURCES / "graphite" / "_sample.py"
