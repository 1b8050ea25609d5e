"""Drift on Metabase cards: an edit made by someone else since pydis-dash's last deploy is shown by
``diff`` with who and when, refused by ``deploy`` and overwritten only with ``--force``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from emulators.metabase import RELEASES, MetabaseEmulator
from metabase_support import API_KEY, deploy, edit_in_ui, hand_made_card, plan, provider, render

from pydis_dash.apply import Outcome
from pydis_dash.conventions.metabase import digest_of, key_of, without_digest
from pydis_dash.metabase import Question, TextVariable
from pydis_dash.model import Kind, Resource
from pydis_dash.plan import Action
from pydis_dash.plan_json import format_json
from pydis_dash.plan_text import format_text

STAFF_KEY = "mb-staff-ui-key-77e1"


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    server = metabase_server.reset()
    server.state.add_person("sam@example.com", "Sam", "Staff", api_key=STAFF_KEY)
    return server


def nominee(**overrides: Any) -> Question:
    arguments: dict[str, Any] = {
        "key": "nominee-channels",
        "name": "Channels a nominee frequents",
        "collection": "Moderation/Nominations",
        "database": "Metricity",
        "sql": "SELECT channel_id, count(*) FROM messages WHERE author_id = {{user_id}} GROUP BY 1",
        "description": "Where a nominee talks.",
        "variables": [TextVariable("user_id", "User ID", required=True)],
        "display": "bar",
    }
    arguments.update(overrides)
    return Question(**arguments)


def other() -> Question:
    return Question(key="joins", name="Joins", collection="Community", database="Metricity", sql="SELECT 1")


def resources(tmp_path: Path, *questions: Question) -> list[Resource]:
    return render(questions or (nominee(), other()), tmp_path)


def card_of(emulator: MetabaseEmulator, key: str) -> dict[str, Any]:
    [card] = [c for c in emulator.state.cards.values() if key_of(c["description"]) == key]
    return card


def edit_sql(emulator: MetabaseEmulator, card_id: int, sql: str, api_key: str = STAFF_KEY) -> None:
    """Change a card's SQL as the query editor does: read it, change the query, save the whole query."""
    url = f"{emulator.url}/api/card/{card_id}"
    live = requests.get(url, params={"legacy-mbql": "true"}, headers={"x-api-key": api_key}, timeout=5).json()
    query = live["dataset_query"]
    query["native"]["query"] = sql
    edit_in_ui(emulator, card_id, {"dataset_query": query}, api_key)


def last_revision_time(emulator: MetabaseEmulator, card_id: int) -> str:
    return str(
        max((r for r in emulator.state.revisions if r["model_id"] == card_id), key=lambda r: r["id"])["timestamp"]
    )


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_edit_by_another_user_is_drift_with_who_and_when(
    emulator: MetabaseEmulator, tmp_path: Path, version: int
) -> None:
    emulator.state.version = version
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    card_id = card_of(emulator, "nominee-channels")["id"]
    edit_sql(emulator, card_id, "SELECT 42 -- Sam's version")

    planned = plan(emulator, wanted)
    [change] = planned.pending
    assert (change.action, change.ref.uid) == (Action.UPDATE, "nominee-channels")
    assert change.drift is not None
    assert change.drift.reason == "edited outside pydis-dash since its last deploy"
    assert change.drift.author == "Sam Staff <sam@example.com>"
    assert change.drift.when == last_revision_time(emulator, card_id)
    text = format_text(planned)
    assert (
        f"! drift: edited outside pydis-dash since its last deploy by Sam Staff <sam@example.com> at {change.drift.when}"
        in text
    )
    assert "Sam's version" in text  # the diff shows what the edit changed
    assert '"drifted": 1' in format_json(planned)


def test_deploy_refuses_drift_keeps_the_edit_and_force_restores_the_code(
    emulator: MetabaseEmulator, tmp_path: Path
) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    hand_made = hand_made_card(emulator, "Channels a nominee frequents", card_of(emulator, "joins")["collection_id"])
    untouched = dict(emulator.state.cards[hand_made])
    card_id = card_of(emulator, "nominee-channels")["id"]
    edit_in_ui(emulator, card_id, {"name": "Nominee channels (Sam)", "display": "table"}, STAFF_KEY)
    edited = dict(emulator.state.cards[card_id])

    emulator.reset_log()
    _, report = deploy(emulator, wanted)
    [result] = report.results
    assert result.outcome == Outcome.REFUSED
    assert "drift: edited outside pydis-dash" in result.detail and "--force overwrites" in result.detail
    assert emulator.card_writes() == []
    assert emulator.state.cards[card_id] == edited

    _, forced = deploy(emulator, wanted, force=True)
    assert forced.ok
    card = emulator.state.cards[card_id]
    assert (card["name"], card["display"]) == ("Channels a nominee frequents", "bar")

    emulator.reset_log()
    again, report = deploy(emulator, wanted)
    assert not again.has_changes, format_text(again)
    assert emulator.card_writes() == []
    assert emulator.state.cards[hand_made] == untouched
    assert len(emulator.state.cards) == 3


def test_a_code_change_after_a_deploy_is_not_drift(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    planned, report = deploy(emulator, resources(tmp_path, nominee(sql="SELECT 1 WHERE {{user_id}} = '1'"), other()))
    [change] = planned.pending
    assert change.drift is None
    assert report.ok
    # The next code change is not drift either: each write records the digest of what it wrote.
    planned, report = deploy(emulator, resources(tmp_path, nominee(display="table"), other()))
    assert [c.drift for c in planned.pending] == [None] and report.ok


def test_deploying_with_other_credentials_is_not_drift(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    # The digest does not depend on who deploys: a rotated API key is a new Metabase user.
    deploy(emulator, resources(tmp_path))
    emulator.state.add_api_key("mb-rotated-key-2b", "pydis-dash deploy (rotated)")
    rotated = provider(emulator, api_key="mb-rotated-key-2b")
    planned, report = deploy(emulator, resources(tmp_path, nominee(name="Renamed"), other()), target=rotated)
    assert [c.drift for c in planned.pending] == [None]
    assert report.ok


def test_an_edit_undone_by_hand_is_neither_drift_nor_a_change(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    card_id = card_of(emulator, "nominee-channels")["id"]
    edit_in_ui(emulator, card_id, {"display": "table"}, STAFF_KEY)
    edit_in_ui(emulator, card_id, {"display": "bar"}, STAFF_KEY)
    assert not plan(emulator, wanted).has_changes


def test_a_card_archived_in_the_ui_is_drift(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    card_id = card_of(emulator, "nominee-channels")["id"]
    edit_in_ui(emulator, card_id, {"archived": True}, STAFF_KEY)
    [change] = plan(emulator, wanted).pending
    assert change.drift is not None and change.drift.author == "Sam Staff <sam@example.com>"


def test_prune_then_back_in_code_is_not_drift(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    deploy(emulator, resources(tmp_path, other()), prune=True)
    card = card_of(emulator, "nominee-channels")
    assert card["archived"] is True
    planned, report = deploy(emulator, resources(tmp_path))
    questions = [c for c in planned.pending if c.ref.kind == Kind.METABASE_QUESTION]
    assert [(c.action, c.ref.uid, c.drift) for c in questions] == [(Action.UPDATE, "nominee-channels", None)]
    assert report.ok and emulator.state.cards[card["id"]]["archived"] is False


def strip_digests(emulator: MetabaseEmulator) -> None:
    """Make the managed cards look as a pydis-dash without digests left them."""
    for card in emulator.state.cards.values():
        card["description"] = without_digest(card["description"])


def test_a_card_without_digest_gets_one_once(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    strip_digests(emulator)
    emulator.reset_log()
    planned, report = deploy(emulator, wanted)
    assert sorted(c.ref.uid for c in planned.pending) == ["joins", "nominee-channels"]
    assert all(c.drift is None and c.before == c.after for c in planned.pending)
    assert all("digest" in c.notes[0] for c in planned.pending)
    assert report.ok
    assert all(digest_of(c["description"]) for c in emulator.state.cards.values())
    emulator.reset_log()
    assert not deploy(emulator, wanted)[0].has_changes
    assert emulator.card_writes() == []


def test_without_digest_the_last_editor_decides(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    strip_digests(emulator)
    nominee_id, joins_id = card_of(emulator, "nominee-channels")["id"], card_of(emulator, "joins")["id"]
    edit_in_ui(emulator, nominee_id, {"display": "table"}, STAFF_KEY)  # someone else
    edit_in_ui(emulator, joins_id, {"display": "table"}, API_KEY)  # pydis-dash's own user
    changes = {c.ref.uid: c for c in plan(emulator, wanted).pending}
    drift = changes["nominee-channels"].drift
    assert drift is not None and drift.reason == "last edited by someone other than pydis-dash's Metabase user"
    assert drift.author == "Sam Staff <sam@example.com>"
    assert changes["joins"].drift is None


def test_a_card_moved_in_the_ui_is_drift(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    card_id = card_of(emulator, "nominee-channels")["id"]
    elsewhere = emulator.state.add_collection("Sam's corner")
    edit_in_ui(emulator, card_id, {"collection_id": elsewhere["id"]}, STAFF_KEY)
    [change] = plan(emulator, wanted).pending
    assert change.drift is not None and change.drift.author == "Sam Staff <sam@example.com>"


def test_a_collection_renamed_in_the_ui_is_not_drift_of_its_cards(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    card = card_of(emulator, "nominee-channels")
    old_collection = card["collection_id"]
    renamed = requests.put(
        f"{emulator.url}/api/collection/{old_collection}",
        json={"name": "Nominations (old)"},
        headers={"x-api-key": STAFF_KEY},
        timeout=5,
    )
    renamed.raise_for_status()
    planned, report = deploy(emulator, wanted)
    moved = next(c for c in planned.pending if c.ref.uid == "nominee-channels")
    assert moved.drift is None  # the card itself was not edited: it goes back where the code puts it
    assert report.ok
    assert card["collection_id"] != old_collection
    assert emulator.state.collections[old_collection]["name"] == "Nominations (old)"  # never renamed back
    assert not plan(emulator, wanted).has_changes
