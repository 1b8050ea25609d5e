"""Import one Metabase card (a native SQL question) as a ``Question``, verified by building it again.

The card may come in the legacy shape (``native.query``, tags keyed by name), MBQL 5 (``stages``) or
with tags as a list (v0.63+): :func:`native_parts` reads all three. Database and field ids mean nothing
outside their instance, so they are named through the project (a data source whose
``metabase_database`` it is, or ``--datasource ID=UID``) and ``--field ID=table.column`` (read from the
instance's metadata by a live import); an id left unnamed is reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.importing.datasources import ProjectSource
from pydis_dash.importing.jsondiff import changes
from pydis_dash.importing.pysource import Module, call, format_source
from pydis_dash.importing.result import ImportedResource
from pydis_dash.importing.verify import build_generated
from pydis_dash.metabase.marker import KEY_PATTERN, key_of, without_marker
from pydis_dash.metabase.variables import tag_id
from pydis_dash.model import Kind, Resource
from pydis_dash.providers.metabase.normalize import comparable_card, field_id_of, native_parts

AUTHORING_MODULE = "pydis_dash.metabase"
_SQL_INLINE_LIMIT = 80
# Template tag type -> the variable class writing it.
_VARIABLES = {
    "text": "TextVariable",
    "number": "NumberVariable",
    "date": "DateVariable",
    "boolean": "BooleanVariable",
    "dimension": "FieldFilter",
}


@dataclass
class CardNames:
    """How ids of one Metabase instance are named in code: databases and fields.

    ``databases`` maps a database id (as text) or name to a project data source uid or a Metabase
    database name; ``fields`` maps a field id (as text) to ``table.column``.
    """

    sources: list[ProjectSource]
    databases: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)

    def database(self, value: Any) -> tuple[str, str] | None:
        """(what ``Question(database=...)`` says, the Metabase database name) for a card's database."""
        wanted = self.databases.get(str(value), str(value))
        for source in self.sources:
            if source.metabase_database and wanted in (source.uid, source.name, source.metabase_database):
                return source.uid, source.metabase_database
        if isinstance(value, int) and wanted == str(value):
            self.unknown[f"database {value}"] = f"names no project data source: pass --datasource {value}=UID"
            return None
        return wanted, wanted

    def field(self, field_id: Any) -> str | None:
        """``table.column`` for a field id, or None (noted)."""
        if isinstance(field_id, str) and "." in field_id:
            return field_id
        name = self.fields.get(str(field_id))
        if name is None:
            self.unknown[f"field {field_id}"] = f"unknown field id: pass --field {field_id}=table.column"
        return name


def import_card(
    card: Mapping[str, Any],
    origin: str,
    project_root: Path,
    names: CardNames,
    *,
    collection: str | None = None,
) -> ImportedResource:
    """The ``Question`` definition for ``card``; raises DefinitionError for cards it cannot express."""
    query = card.get("dataset_query") or {}
    if card.get("type") not in (None, "question"):
        raise DefinitionError(f"{origin}: a Metabase {card.get('type')} cannot be imported, only questions")
    if query.get("type") == "query" or (query.get("stages") and "native" not in query["stages"][0]):
        raise DefinitionError(f"{origin}: a GUI (MBQL) question has no SQL; only native SQL questions import")
    database_value, sql, tags = native_parts(query)
    database = names.database(database_value)
    if database is None:
        raise DefinitionError(f"{origin}: {names.unknown[f'database {database_value}']}")
    name = str(card.get("name") or "").strip()
    key = key_of(card.get("description")) or _key(name)
    if collection is None:
        collection = _collection_of(card)
    upgrades: list[str] = []
    if sql != sql.strip():
        upgrades.append("SQL: surrounding blank lines and spaces trimmed (a question's SQL is stored trimmed)")
    if key_of(card.get("description")) is None:
        upgrades.append(f"description: the ownership marker line 'pydis-dash:key={key}' is added on deploy")
    path = _module_path(collection, key)
    module = Module(header=[f"Imported by `pydis-dash import` from {origin}."])
    if upgrades:
        module.header.append("Differences from the input, on purpose:")
        module.header.extend(f"- {line}" for line in upgrades)
    files: dict[Path, str] = {}
    sql_text = sql.strip()
    if len(sql_text) > _SQL_INLINE_LIMIT or "\n" in sql_text:
        sql_name = f"{path.stem}.sql"
        files[path.parent / sql_name] = sql_text + "\n"
        sql_text = sql_name
    kwargs: dict[str, Any] = {
        "key": key,
        "name": name,
        "collection": collection,
        "database": database[0],
        "sql": sql_text,
    }
    description = without_marker(card.get("description"))
    if description:
        kwargs["description"] = description
    variables = _variables(card, tags, key, names, module, origin)
    if variables:
        kwargs["variables"] = variables
    if card.get("display", "table") != "table":
        kwargs["display"] = card["display"]
    if card.get("visualization_settings"):
        kwargs["visualization_settings"] = dict(card["visualization_settings"])
    question = call(module.use(AUTHORING_MODULE, "Question"), [], kwargs)
    module.statements.append(f"question = {question.text}")
    files = {path: format_source(module.source(), path, project_root), **files}
    resource = _built_question(build_generated(project_root, files), key)
    remaining = changes(
        _comparable(card, collection, lambda _: database[1], lambda fid: names.field(fid) or f"field#{fid}"),
        _comparable(resource.body, resource.container, lambda _: database[1], str),
    )
    return ImportedResource(f"metabase-question/{key}", files, upgrades, remaining, f"{len(variables)} variables")


def _comparable(
    card: Mapping[str, Any], collection: str | None, database: Callable[[Any], str], field_name: Callable[[Any], str]
) -> dict[str, Any]:
    """The plan's comparable card, without what the listed upgrades change (marker, SQL whitespace)."""
    state = comparable_card(card, collection=collection, database_name=database, name_field=field_name)
    state["description"] = without_marker(state["description"]) or None
    state["query"] = state["query"].strip()
    return state


def _variables(
    card: Mapping[str, Any],
    tags: list[Mapping[str, Any]],
    key: str,
    names: CardNames,
    module: Module,
    origin: str,
) -> list[Any]:
    by_name = {str(tag.get("name")): tag for tag in tags}
    targets = [_tag_target(parameter) for parameter in card.get("parameters") or []]
    order = [target for target in targets if target is not None and target in by_name]
    order += [name for name in by_name if name not in order]
    variables = []
    for name in order:
        tag = by_name[name]
        kind = _VARIABLES.get(str(tag.get("type")))
        if kind is None:
            raise DefinitionError(f"{origin}: template tag {name!r} of type {tag.get('type')!r} has no variable class")
        args: list[Any] = [name]
        kwargs: dict[str, Any] = {}
        label = tag.get("display-name")
        if label and label != name.replace("_", " ").capitalize():
            args.append(label)
        if tag.get("required"):
            kwargs["required"] = True
        if tag.get("default") is not None:
            kwargs["default"] = tag["default"]
        if tag.get("type") == "dimension":
            field_name = names.field(field_id_of(tag.get("dimension")))
            if field_name is None:
                raise DefinitionError(f"{origin}: field filter {name!r}: {names.unknown.popitem()[1]}")
            kwargs["field"] = field_name
            kwargs["widget_type"] = tag.get("widget-type") or "string/="
        if tag.get("id") and tag["id"] != tag_id(key, name):
            kwargs["id"] = tag["id"]
        variables.append(call(module.use(AUTHORING_MODULE, kind), args, kwargs))
    return variables


def _tag_target(parameter: Mapping[str, Any]) -> str | None:
    target: Any = parameter.get("target")
    try:
        return str(target[1][1])  # ["variable" | "dimension", ["template-tag", name]]
    except (TypeError, IndexError, KeyError):
        return None


def _collection_of(card: Mapping[str, Any]) -> str | None:
    collection = card.get("collection")
    if isinstance(collection, Mapping) and collection.get("name") and not collection.get("is_personal"):
        return str(collection["name"])
    return None


def _key(name: str) -> str:
    key = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")[:100] or "question"
    return key if KEY_PATTERN.fullmatch(key) else f"q-{key}"[:100]


def _module_path(collection: str | None, key: str) -> Path:
    parts = [re.sub(r"[^a-z0-9]+", "_", p.lower()).strip("_") for p in (collection or "").split("/") if p.strip()]
    stem = re.sub(r"[^a-z0-9]+", "_", key).strip("_") or "question"
    return Path("dashboards", "metabase", *[p for p in parts if p], f"{stem}.py")


def _built_question(resources: list[Resource], key: str) -> Resource:
    for resource in resources:
        if resource.kind == Kind.METABASE_QUESTION and resource.ref.uid == key:
            return resource
    raise DefinitionError(f"the generated code builds no question {key!r}")
