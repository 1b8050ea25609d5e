"""Where the repository's own data sources keep their check files (schemas, series and metric lists).

The tool ships none of these: each lives beside its data source in ``datasources/<uid>/``. Engine tests
use them as realistic inputs.
"""

from __future__ import annotations

from pathlib import Path

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
