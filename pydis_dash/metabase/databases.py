"""Which Grafana data source reads the same PostgreSQL database as a Metabase database.

``validate`` checks a question's SQL against the schema of the store it reads; the checks are keyed by
Grafana data source uid, so each Metabase database name (compared case-insensitively, as Metabase names
are matched at deploy) maps to the uid of the data source over the same database.
"""

from __future__ import annotations

GRAFANA_DATASOURCE_FOR_DATABASE: dict[str, str] = {
    "metricity": "metricity",
    "site": "site-db",
    "site database": "site-db",
}


def grafana_datasource_for(database: str) -> str | None:
    """The Grafana data source uid validating SQL for the Metabase database ``database``, if known."""
    return GRAFANA_DATASOURCE_FOR_DATABASE.get(database.strip().casefold())
