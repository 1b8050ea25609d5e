"""Normalisation makes a card comparable whatever shape Metabase answers in (legacy, MBQL 5, v0.63)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.providers.metabase.normalize import comparable_card, field_id_of, native_parts

TAG_USER = {
    "id": "0b0f4e4b-1111-5222-8333-444455556666",
    "name": "user_id",
    "display-name": "User ID",
    "type": "text",
    "required": True,
    "default": None,
}
TAG_CHANNEL = {
    "id": "0b0f4e4b-1111-5222-8333-777788889999",
    "name": "channel",
    "display-name": "Channel",
    "type": "dimension",
    "required": False,
    "default": None,
    "dimension": ["field", 12, None],
    "widget-type": "string/=",
}
PARAMETERS = [
    {
        "id": TAG_USER["id"],
        "type": "category",
        "target": ["variable", ["template-tag", "user_id"]],
        "name": "User ID",
        "slug": "user_id",
        "required": True,
    }
]
SQL = "SELECT 1 WHERE {{user_id}} [[AND {{channel}}]]"


def legacy_card() -> dict[str, Any]:
    return {
        "name": "Q",
        "description": "d\n\npydis-dash:key=q",
        "display": "table",
        "type": "question",
        "visualization_settings": {},
        "dataset_query": {
            "type": "native",
            "database": 2,
            "native": {"query": SQL, "template-tags": {"user_id": TAG_USER, "channel": TAG_CHANNEL}},
        },
        "parameters": PARAMETERS,
    }


def mbql5_card(tags_as_list: bool = False) -> dict[str, Any]:
    """What GET /api/card/:id answers since v0.57 (with server fields), tags as a list from v0.63."""
    channel = dict(TAG_CHANNEL)
    channel["dimension"] = ["field", {"lib/uuid": "5b6c...", "base-type": "type/Text"}, 12]
    user = {k: v for k, v in TAG_USER.items() if k != "default"}  # Metabase may drop a null default
    tags: Any = [channel, user] if tags_as_list else {"channel": channel, "user_id": user}
    card = legacy_card()
    card["dataset_query"] = {
        "lib/type": "mbql/query",
        "database": 2,
        "stages": [{"lib/type": "mbql.stage/native", "native": SQL, "template-tags": tags}],
    }
    card.update(
        id=7,
        entity_id="abcdefghijklmnopqrstu",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-02T00:00:00Z",
        creator_id=1,
        collection_id=5,
        collection={"id": 5, "name": "Nominations"},
        result_metadata=[{"name": "x"}],
        can_write=True,
        archived=False,
        parameter_mappings=[],
        cache_ttl=None,
    )
    card["parameters"] = [dict(PARAMETERS[0], values_query_type="list", values_source_type=None)]
    return card


def compare(card: dict[str, Any]) -> dict[str, Any]:
    return comparable_card(
        card,
        collection="Moderation/Nominations",
        database_name={2: "Metricity"}.get,  # type: ignore[arg-type]
        name_field=lambda field_id: {12: "channels.name"}.get(field_id, f"field#{field_id}"),
    )


def test_legacy_and_mbql5_shapes_compare_equal() -> None:
    legacy = compare(legacy_card())
    assert compare(mbql5_card()) == legacy
    assert compare(mbql5_card(tags_as_list=True)) == legacy


def test_comparable_form_names_database_fields_and_collection() -> None:
    state = compare(legacy_card())
    assert state["database"] == "Metricity"
    assert state["collection"] == "Moderation/Nominations"
    assert state["template-tags"]["channel"]["dimension"] == "channels.name"
    assert state["query"] == SQL
    assert state["archived"] is False
    assert set(state) == {
        "name",
        "description",
        "display",
        "type",
        "visualization_settings",
        "collection",
        "archived",
        "database",
        "query",
        "template-tags",
        "parameters",
    }


def test_a_real_change_is_visible() -> None:
    changed = mbql5_card()
    changed["dataset_query"]["stages"][0]["native"] = SQL + " LIMIT 5"
    assert compare(changed) != compare(legacy_card())
    moved = mbql5_card()
    moved["dataset_query"]["stages"][0]["template-tags"]["channel"]["dimension"][2] = 13
    assert compare(moved)["template-tags"]["channel"]["dimension"] == "field#13"
    archived = mbql5_card()
    archived["archived"] = True
    assert compare(archived)["archived"] is True


def test_field_refs_in_both_shapes() -> None:
    assert field_id_of(["field", 12, None]) == 12
    assert field_id_of(["field", 12, {"base-type": "type/Text"}]) == 12
    assert field_id_of(["field", {"lib/uuid": "x"}, 12]) == 12
    assert field_id_of(["field", "channels.name", None]) == "channels.name"
    assert field_id_of(["expression", "x"]) is None
    assert field_id_of(None) is None


def test_native_parts_of_an_empty_or_odd_query() -> None:
    assert native_parts({}) == (None, "", [])
    assert native_parts({"database": 1, "native": {"query": "SELECT 1"}}) == (1, "SELECT 1", [])


def test_desired_body_with_names_compares_equal_to_live_ids() -> None:
    desired = copy.deepcopy(legacy_card())
    desired["dataset_query"]["database"] = "Metricity"
    desired["dataset_query"]["native"]["template-tags"]["channel"]["dimension"] = ["field", "channels.name", None]
    state = comparable_card(desired, collection="Moderation/Nominations", database_name=str, name_field=str)
    assert state == compare(mbql5_card(tags_as_list=True))


tag_names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)


@given(st.lists(tag_names, min_size=0, max_size=6, unique=True), st.booleans())
def test_any_tag_set_survives_the_mbql5_conversion(names: list[str], as_list: bool) -> None:
    tags = {
        name: {"id": f"id-{name}", "name": name, "display-name": name.title() or name, "type": "text"} for name in names
    }
    legacy = {"type": "native", "database": 2, "native": {"query": "SELECT 1", "template-tags": tags}}
    stage_tags: Any = list(tags.values()) if as_list else dict(tags)
    mbql5 = {
        "lib/type": "mbql/query",
        "database": 2,
        "stages": [{"lib/type": "mbql.stage/native", "native": "SELECT 1", "template-tags": stage_tags}],
    }
    assert compare({"dataset_query": legacy}) == compare({"dataset_query": mbql5})
