"""The Metabase emulator behaves as tests/data/metabase/api-notes.md says Metabase does.

These tests talk plain HTTP (``requests``), not the pydis-dash client, so the emulator is checked
against the notes and not shaped to the client.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulators.metabase import MetabaseEmulator, new_state

KEY = {"x-api-key": "mb-test-key"}


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset(new_state(username="admin@example.com", password="hunter2"))


def metricity_id(emulator: MetabaseEmulator) -> int:
    return next(db.id for db in emulator.state.databases.values() if db.name == "Metricity")


def card_body(emulator: MetabaseEmulator, **overrides: Any) -> dict[str, Any]:
    field_id = emulator.state.field_id("Metricity", "channels", "name")
    body = {
        "name": "Q",
        "display": "table",
        "visualization_settings": {},
        "dataset_query": {
            "type": "native",
            "database": metricity_id(emulator),
            "native": {
                "query": "SELECT 1 WHERE {{channel}}",
                "template-tags": {
                    "channel": {
                        "id": "6b1c2d3e-0000-5000-8000-000000000001",
                        "name": "channel",
                        "display-name": "Channel",
                        "type": "dimension",
                        "dimension": ["field", field_id, None],
                        "widget-type": "string/=",
                    }
                },
            },
        },
    }
    body.update(overrides)
    return body


def create(emulator: MetabaseEmulator, **overrides: Any) -> requests.Response:
    return requests.post(f"{emulator.url}/api/card", json=card_body(emulator, **overrides), headers=KEY, timeout=5)


def test_unauthenticated_is_a_plain_text_401(emulator: MetabaseEmulator) -> None:
    for headers in ({}, {"x-api-key": "wrong"}, {"X-Metabase-Session": "expired"}):
        response = requests.get(f"{emulator.url}/api/card", headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.text == "Unauthenticated"
        assert response.headers["Content-Type"].startswith("text/plain")


def test_read_only_key_gets_a_plain_text_403_on_writes(emulator: MetabaseEmulator) -> None:
    emulator.state.read_only_api_keys.add("reader")
    headers = {"x-api-key": "reader"}
    assert requests.get(f"{emulator.url}/api/card", headers=headers, timeout=5).status_code == 200
    response = requests.post(f"{emulator.url}/api/card", json=card_body(emulator), headers=headers, timeout=5)
    assert (response.status_code, response.text) == (403, "You don't have permissions to do that.")


def test_unknown_card_is_a_plain_text_404(emulator: MetabaseEmulator) -> None:
    response = requests.get(f"{emulator.url}/api/card/999", headers=KEY, timeout=5)
    assert (response.status_code, response.text) == (404, "Not found.")


def test_session_login(emulator: MetabaseEmulator) -> None:
    bad = requests.post(
        f"{emulator.url}/api/session", json={"username": "admin@example.com", "password": "no"}, timeout=5
    )
    assert bad.status_code == 401
    good = requests.post(
        f"{emulator.url}/api/session", json={"username": "admin@example.com", "password": "hunter2"}, timeout=5
    )
    token = good.json()["id"]
    response = requests.get(f"{emulator.url}/api/database", headers={"X-Metabase-Session": token}, timeout=5)
    assert response.status_code == 200


def test_databases_come_in_a_data_envelope(emulator: MetabaseEmulator) -> None:
    answer = requests.get(f"{emulator.url}/api/database", headers=KEY, timeout=5).json()
    assert answer["total"] == len(answer["data"])
    assert "Metricity" in {db["name"] for db in answer["data"]}


def test_metadata_lists_fields(emulator: MetabaseEmulator) -> None:
    answer = requests.get(
        f"{emulator.url}/api/database/{metricity_id(emulator)}/metadata", headers=KEY, timeout=5
    ).json()
    columns = {f"{t['name']}.{f['name']}": f["id"] for t in answer["tables"] for f in t["fields"]}
    assert columns["channels.name"] == emulator.state.field_id("Metricity", "channels", "name")


def test_collections_tree_nests_children_and_allows_same_names(emulator: MetabaseEmulator) -> None:
    parent = requests.post(f"{emulator.url}/api/collection", json={"name": "Moderation"}, headers=KEY, timeout=5)
    parent_id = parent.json()["id"]
    for _ in range(2):
        child = requests.post(
            f"{emulator.url}/api/collection",
            json={"name": "Anti-spam", "parent_id": parent_id},
            headers=KEY,
            timeout=5,
        )
        assert child.status_code == 200
    tree = requests.get(f"{emulator.url}/api/collection/tree", headers=KEY, timeout=5).json()
    moderation = next(node for node in tree if node["name"] == "Moderation")
    assert [c["name"] for c in moderation["children"]] == ["Anti-spam", "Anti-spam"]
    assert any(node["personal_owner_id"] is not None for node in tree)


def test_create_stores_mbql5_and_generates_entity_id(emulator: MetabaseEmulator) -> None:
    response = create(emulator, entity_id="client-chosen-id-00000")
    assert response.status_code == 200
    card = response.json()
    assert len(card["entity_id"]) == 21
    assert card["entity_id"] != "client-chosen-id-00000"
    fetched = requests.get(f"{emulator.url}/api/card/{card['id']}", headers=KEY, timeout=5).json()
    query = fetched["dataset_query"]
    assert query["lib/type"] == "mbql/query"
    stage = query["stages"][0]
    assert stage["native"] == "SELECT 1 WHERE {{channel}}"
    dimension = stage["template-tags"]["channel"]["dimension"]
    assert dimension[0] == "field" and isinstance(dimension[1], dict) and "lib/uuid" in dimension[1]
    by_entity = requests.get(f"{emulator.url}/api/card/{card['entity_id']}", headers=KEY, timeout=5)
    assert by_entity.json()["id"] == card["id"]


def test_legacy_mbql_query_parameter(emulator: MetabaseEmulator) -> None:
    card_id = create(emulator).json()["id"]
    query = requests.get(
        f"{emulator.url}/api/card/{card_id}", params={"legacy-mbql": "true"}, headers=KEY, timeout=5
    ).json()["dataset_query"]
    assert query["type"] == "native"
    assert query["native"]["template-tags"]["channel"]["dimension"] == [
        "field",
        emulator.state.field_id("Metricity", "channels", "name"),
        None,
    ]


def test_version_63_answers_template_tags_as_a_list(emulator: MetabaseEmulator) -> None:
    emulator.state.version = 63
    card_id = create(emulator).json()["id"]
    stage = requests.get(f"{emulator.url}/api/card/{card_id}", headers=KEY, timeout=5).json()["dataset_query"][
        "stages"
    ][0]
    assert isinstance(stage["template-tags"], list)
    assert stage["template-tags"][0]["name"] == "channel"


def test_empty_description_is_rejected_on_post(emulator: MetabaseEmulator) -> None:
    response = create(emulator, description="")
    assert response.status_code == 400
    assert "description" in response.json()["errors"]
    assert create(emulator, description=None).status_code == 200


@pytest.mark.parametrize("missing", ["name", "display", "visualization_settings", "dataset_query"])
def test_required_fields_on_post(emulator: MetabaseEmulator, missing: str) -> None:
    body = card_body(emulator)
    del body[missing]
    response = requests.post(f"{emulator.url}/api/card", json=body, headers=KEY, timeout=5)
    assert response.status_code == 400
    assert missing in response.json()["errors"]


def test_mbql5_field_ref_in_legacy_query_is_a_500(emulator: MetabaseEmulator) -> None:
    body = card_body(emulator)
    tag = body["dataset_query"]["native"]["template-tags"]["channel"]
    tag["dimension"] = ["field", {"lib/uuid": "x"}, tag["dimension"][1]]
    response = requests.post(f"{emulator.url}/api/card", json=body, headers=KEY, timeout=5)
    assert response.status_code == 500


def test_archive_moves_between_lists(emulator: MetabaseEmulator) -> None:
    card_id = create(emulator).json()["id"]
    archived = requests.put(f"{emulator.url}/api/card/{card_id}", json={"archived": True}, headers=KEY, timeout=5)
    assert archived.json()["archived"] is True
    listed = requests.get(f"{emulator.url}/api/card", params={"f": "all"}, headers=KEY, timeout=5).json()
    trash = requests.get(f"{emulator.url}/api/card", params={"f": "archived"}, headers=KEY, timeout=5).json()
    assert card_id not in {c["id"] for c in listed}
    assert card_id in {c["id"] for c in trash}


def test_put_changes_only_what_is_sent(emulator: MetabaseEmulator) -> None:
    card = create(emulator, description="keep me").json()
    updated = requests.put(f"{emulator.url}/api/card/{card['id']}", json={"name": "R"}, headers=KEY, timeout=5)
    assert updated.json()["name"] == "R"
    assert updated.json()["description"] == "keep me"
    assert updated.json()["dataset_query"] == card["dataset_query"]


def test_current_user_is_the_user_behind_the_key_or_session(emulator: MetabaseEmulator) -> None:
    emulator.state.add_person("sam@example.com", "Sam", "Staff", api_key="sam-key")
    by_key = requests.get(f"{emulator.url}/api/user/current", headers=KEY, timeout=5).json()
    assert by_key["email"].endswith("@api-key.invalid")  # Metabase makes one user per API key
    sam = requests.get(f"{emulator.url}/api/user/current", headers={"x-api-key": "sam-key"}, timeout=5).json()
    assert (sam["email"], sam["first_name"], sam["last_name"]) == ("sam@example.com", "Sam", "Staff")
    token = requests.post(
        f"{emulator.url}/api/session", json={"username": "admin@example.com", "password": "hunter2"}, timeout=5
    ).json()["id"]
    admin = requests.get(f"{emulator.url}/api/user/current", headers={"X-Metabase-Session": token}, timeout=5).json()
    assert admin["email"] == "admin@example.com"
    assert len({by_key["id"], sam["id"], admin["id"]}) == 3


def test_saves_are_revisions_and_the_card_carries_last_edit_info(emulator: MetabaseEmulator) -> None:
    emulator.state.add_person("sam@example.com", "Sam", "Staff", api_key="sam-key")
    card_id = create(emulator).json()["id"]
    deployer = requests.get(f"{emulator.url}/api/user/current", headers=KEY, timeout=5).json()
    created = requests.get(f"{emulator.url}/api/card/{card_id}", headers=KEY, timeout=5).json()["last-edit-info"]
    assert set(created) == {"id", "email", "first_name", "last_name", "timestamp"}
    assert created["id"] == deployer["id"]

    requests.put(f"{emulator.url}/api/card/{card_id}", json={"name": "R"}, headers={"x-api-key": "sam-key"}, timeout=5)
    edited = requests.get(f"{emulator.url}/api/card/{card_id}", headers=KEY, timeout=5).json()["last-edit-info"]
    assert (edited["email"], edited["first_name"], edited["last_name"]) == ("sam@example.com", "Sam", "Staff")
    assert edited["timestamp"] >= created["timestamp"]

    history = requests.get(
        f"{emulator.url}/api/revision", params={"entity": "card", "id": str(card_id)}, headers=KEY, timeout=5
    ).json()
    assert [(r["is_creation"], r["user"]["common_name"]) for r in history] == [
        (False, "Sam Staff"),
        (True, "pydis-dash deploy"),
    ]
    assert history[0]["timestamp"] == edited["timestamp"]
    missing = requests.get(
        f"{emulator.url}/api/revision", params={"entity": "card", "id": "999"}, headers=KEY, timeout=5
    )
    assert (missing.status_code, missing.text) == (404, "Not found.")


def test_collection_items_list_sub_collections_and_cards_live_or_archived(emulator: MetabaseEmulator) -> None:
    parent = emulator.state.add_collection("Parent")
    child = emulator.state.add_collection("Child", parent["id"])
    card_id = create(emulator, collection_id=parent["id"]).json()["id"]
    url = f"{emulator.url}/api/collection/{parent['id']}/items"
    items = requests.get(url, headers=KEY, timeout=5).json()["data"]
    assert {(i["model"], i["id"]) for i in items} == {("collection", child["id"]), ("card", card_id)}
    only_cards = requests.get(url, params={"models": "card"}, headers=KEY, timeout=5).json()["data"]
    assert [i["id"] for i in only_cards] == [card_id]
    requests.put(f"{emulator.url}/api/card/{card_id}", json={"archived": True}, headers=KEY, timeout=5)
    requests.put(f"{emulator.url}/api/collection/{child['id']}", json={"archived": True}, headers=KEY, timeout=5)
    assert requests.get(url, headers=KEY, timeout=5).json()["data"] == []
    archived = requests.get(url, params={"archived": "true"}, headers=KEY, timeout=5).json()["data"]
    assert {(i["model"], i["id"]) for i in archived} == {("collection", child["id"]), ("card", card_id)}
