"""Loading generated sample rows into a PostgreSQL database (the throwaway cluster's superuser session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.sample import Rows, SampleContext, generate_tables


def seed_database(conn: psycopg.Connection[Any], generator: Path, context: SampleContext) -> dict[str, int]:
    """Generate the rows of ``generator`` and COPY them in, in one transaction; rows per table.

    A generator whose rows do not fit the schema (unknown table or column, wrong type, broken foreign
    key) is a :class:`DefinitionError` naming the generator file and the table.
    """
    tables = generate_tables(generator, context)
    counts: dict[str, int] = {}
    with conn.transaction():
        for table, rows in tables.items():
            counts[table] = _copy_rows(conn, table, rows, generator)
    return counts


def _copy_rows(conn: psycopg.Connection[Any], table: str, rows: Rows, generator: Path) -> int:
    if not rows:
        return 0
    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    try:
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except (psycopg.Error, KeyError) as exc:
        detail = f"a row lacks column {exc}" if isinstance(exc, KeyError) else str(exc).strip().splitlines()[0]
        message = f"sample rows for table {table!r} do not fit: {detail}"
        raise DefinitionError(message, SourceLocation(generator)) from None
    return len(rows)
