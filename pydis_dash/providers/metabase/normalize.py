"""Pure functions turning a card (what we send, or what Metabase answers) into one comparable shape.

Both sides go through :func:`comparable_card` so that deploying twice yields an empty plan whatever
version answers. The comparable shape names things instead of numbering them (the database by name,
field filters by ``table.column``, the collection by path) so that a diff reads like the definition.

Why each step exists:

- **Query shape.** We send the legacy native shape ``{"type": "native", "database", "native": {"query",
  "template-tags"}}``. Since v0.57 Metabase stores and answers MBQL 5: ``{"lib/type": "mbql/query",
  "database", "stages": [{"lib/type": "mbql.stage/native", "native": "<sql>", "template-tags"}]}``; from
  v0.63 a stage's ``template-tags`` is a list of tags instead of a map keyed by name. All three reduce
  to ``database`` + ``query`` + ``template-tags`` keyed by name.
- **Field refs.** A field filter's ``dimension`` is ``["field", <id>, <options|null>]`` in the legacy
  shape and ``["field", {"lib/uuid": ..., "base-type": ...}, <id>]`` in MBQL 5 (the options map moves
  first and gains a server-generated ``lib/uuid`` and types). Only the field id matters; it is named
  ``table.column`` through the database metadata.
- **Tag defaults.** ``required`` missing means false and ``default`` missing means null; Metabase may
  drop either, and MBQL 5 tags may carry extra keys (``options``, ``lib/...``) we never set.
- **Parameters.** Metabase adds widget settings (``values_query_type``, ``values_source_type``,
  ``values_source_config``, ``options``) to stored parameters; we compare the keys we send.
- **Digest.** The marker line's ``digest=...`` (what pydis-dash recorded when it last wrote the card) is
  not part of the card's content: it is dropped from the compared description, and :func:`card_digest`
  computes it from the comparable form.
- **Server fields** (``id``, ``entity_id``, timestamps, ``creator_id``, ``result_metadata``,
  ``collection`` hydration, ``can_write``, counts, embedding and caching settings) are not compared:
  pydis-dash does not manage them, so only the fields listed in :data:`MANAGED_FIELDS` are kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from pydis_dash.conventions.metabase import without_digest

#: Card fields pydis-dash owns; everything else on a live card is server state or set by hand.
MANAGED_FIELDS = ("name", "description", "display", "type", "visualization_settings")

_TAG_KEYS = ("id", "name", "display-name", "type", "required", "default")
_PARAMETER_KEYS = ("id", "type", "target", "name", "slug")

FieldNamer = Callable[[Any], str]
"""Maps a field reference id (an int on the server, ``table.column`` in a rendered body) to a name."""


def native_parts(dataset_query: Mapping[str, Any]) -> tuple[Any, str, list[Mapping[str, Any]]]:
    """``(database, sql, tags)`` of a native query in the legacy or the MBQL 5 shape.

    ``tags`` is a list of tag maps whichever shape held them (map keyed by name, or list since v0.63).
    """
    database = dataset_query.get("database")
    stages = dataset_query.get("stages")
    if isinstance(stages, list) and stages:
        stage = stages[0]
        sql = stage.get("native", "")
        raw_tags = stage.get("template-tags")
    else:
        native = dataset_query.get("native") or {}
        sql = native.get("query", "")
        raw_tags = native.get("template-tags")
    if isinstance(raw_tags, Mapping):
        tags = list(raw_tags.values())
    elif isinstance(raw_tags, list):
        tags = list(raw_tags)
    else:
        tags = []
    return database, sql if isinstance(sql, str) else "", tags


def field_id_of(dimension: Any) -> Any:
    """The field id in a legacy (``["field", id, opts]``) or MBQL 5 (``["field", {opts}, id]``) ref."""
    if not isinstance(dimension, list) or len(dimension) < 2 or dimension[0] != "field":
        return None
    if isinstance(dimension[1], Mapping):
        return dimension[2] if len(dimension) > 2 else None
    return dimension[1]


def comparable_tag(tag: Mapping[str, Any], name_field: FieldNamer) -> dict[str, Any]:
    """One template tag with defaults filled in, extra keys dropped and its field named."""
    result = {key: tag.get(key) for key in _TAG_KEYS}
    result["required"] = bool(result["required"])
    if tag.get("type") == "dimension":
        result["dimension"] = name_field(field_id_of(tag.get("dimension")))
        result["widget-type"] = tag.get("widget-type")
    return result


def comparable_parameter(parameter: Mapping[str, Any]) -> dict[str, Any]:
    """One card parameter restricted to the keys pydis-dash sends, defaults filled in."""
    result = {key: parameter.get(key) for key in _PARAMETER_KEYS}
    result["required"] = bool(parameter.get("required"))
    result["default"] = parameter.get("default")
    return result


def comparable_card(
    card: Mapping[str, Any],
    *,
    collection: str | None,
    database_name: Callable[[Any], str],
    name_field: FieldNamer,
) -> dict[str, Any]:
    """The comparable form of a card, live or desired.

    ``collection`` is the card's collection path (``None`` for the root collection); ``database_name``
    and ``name_field`` turn ids into names (for a desired body, whose ids are still names, they are
    the canonicalising identity).
    """
    database, sql, tags = native_parts(card.get("dataset_query") or {})
    state: dict[str, Any] = {key: card.get(key) for key in MANAGED_FIELDS}
    state["description"] = without_digest(state["description"])
    state["type"] = state["type"] or "question"
    state["visualization_settings"] = dict(state["visualization_settings"] or {})
    state["collection"] = collection
    state["archived"] = bool(card.get("archived"))
    state["database"] = database_name(database)
    state["query"] = sql
    state["template-tags"] = {
        str(tag.get("name")): comparable_tag(tag, name_field) for tag in sorted(tags, key=lambda t: str(t.get("name")))
    }
    state["parameters"] = [comparable_parameter(p) for p in card.get("parameters") or []]
    return state


def card_digest(state: Mapping[str, Any], collection_id: Any) -> str:
    """The digest of a comparable card in collection ``collection_id`` (16 hex digits of SHA-256 over
    its canonical JSON).

    Recorded on the marker line whenever pydis-dash writes a card; a live card whose comparable form no
    longer hashes to the recorded digest was changed by someone else since. The collection is hashed by
    id rather than by path: moving the card is an edit of the card, renaming a collection it sits in is
    not.
    """
    hashed = {**state, "collection": collection_id}
    canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
