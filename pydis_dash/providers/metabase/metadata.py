"""Names to ids on the live instance: databases by name, field filter columns by ``table.column``.

A question names its database (``Metricity``) and its field filters' columns (``channels.name``);
Metabase wants ids. Lookups are read once per run and cached. A name that does not resolve is a
mistake in the definition, reported as a :class:`~pydis_dash.errors.DefinitionError` that names the
question and its file, with the closest known names as a hint.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Mapping
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.model import Resource
from pydis_dash.providers.cache import ReadOnce
from pydis_dash.providers.metabase.client import MetabaseClient


class MetadataCatalog:
    """Databases and their fields on one Metabase instance."""

    def __init__(self, client: MetabaseClient) -> None:
        self.client = client
        self._databases = ReadOnce(client.databases)
        self._lock = threading.Lock()  # guards the two field maps
        self._fields: dict[int, dict[str, int]] = {}
        self._field_names: dict[int, dict[int, str]] = {}

    def forget(self) -> None:
        """Drop what was read, so the next plan reads databases and fields again."""
        self._databases.forget()
        with self._lock:
            self._fields = {}
            self._field_names = {}

    def databases(self) -> list[dict[str, Any]]:
        """The connected databases (read once)."""
        return self._databases.get()

    def database(self, name: str, resource: Resource) -> dict[str, Any]:
        """The database called ``name`` (case-insensitively, as Metabase names are typed by hand)."""
        wanted = name.strip().casefold()
        matches = [db for db in self.databases() if str(db.get("name", "")).casefold() == wanted]
        if not matches:
            known = sorted(str(db.get("name")) for db in self.databases())
            raise _definition_error(resource, f"database {name!r} not found on Metabase", name, known)
        return min(matches, key=lambda db: int(db["id"]))

    def database_name(self, database_id: Any) -> str:
        """The name of a live database id (``database#<id>`` when it is not visible)."""
        for db in self.databases():
            if db.get("id") == database_id:
                return str(db["name"])
        return f"database#{database_id}"

    def _load_fields(self, database_id: int) -> None:
        with self._lock:
            if database_id in self._fields:
                return
            metadata = self.client.database_metadata(database_id)
            by_name: dict[str, int] = {}
            names: dict[int, str] = {}
            # A table name may exist in several schemas; ``public`` (PostgreSQL's default) wins, so
            # ``messages.author_id`` means what it means in psql.
            tables = sorted(metadata.get("tables") or [], key=lambda t: t.get("schema") != "public")
            for table in tables:
                for field in table.get("fields") or []:
                    column = f"{table.get('name')}.{field.get('name')}"
                    if isinstance(field.get("id"), int):
                        by_name.setdefault(column, field["id"])
                        names.setdefault(field["id"], column)
            self._fields[database_id] = by_name
            self._field_names[database_id] = names

    def field_id(self, database_id: int, column: str, resource: Resource, variable: str) -> int:
        """The id of ``table.column`` in the database, for the field filter ``variable``."""
        self._load_fields(database_id)
        fields = self._fields[database_id]
        if column not in fields:
            raise _definition_error(
                resource,
                f"field filter {variable!r}: column {column!r} not found in database "
                f"{self.database_name(database_id)!r}",
                column,
                list(fields),
            )
        return fields[column]

    def field_names(self, database_id: Any) -> Mapping[int, str]:
        """Field id -> ``table.column`` for a live database (empty when it is not visible)."""
        if not isinstance(database_id, int):
            return {}
        if not any(db.get("id") == database_id for db in self.databases()):
            return {}
        self._load_fields(database_id)
        return self._field_names[database_id]


def _definition_error(resource: Resource, message: str, wanted: str, known: list[str]) -> DefinitionError:
    close = difflib.get_close_matches(wanted, known, n=3)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    if not close and len(known) <= 10:
        hint = f" (known: {', '.join(known) or 'none'})"
    return DefinitionError(message + hint, resource.source, f"question {resource.ref.uid!r}")
