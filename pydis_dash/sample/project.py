"""Which sample-data generator each throwaway database gets, from the project's data sources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydis_dash.validate.engines.sql import DEFAULT_DATASOURCE_DATABASES

GENERATOR_NAME = "_sample.py"
"""A data source's generator, in the folder named after it: ``datasources/<uid>/_sample.py``."""


def sample_generators(
    root: Path, datasource_databases: Mapping[str, str] = DEFAULT_DATASOURCE_DATABASES
) -> dict[str, Path]:
    """``{database name: generator path}`` for each SQL data source that ships a generator."""
    found: dict[str, Path] = {}
    for uid, database in datasource_databases.items():
        path = root / "datasources" / uid / GENERATOR_NAME
        if path.is_file():
            found[database] = path
    return found
