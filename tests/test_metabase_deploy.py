"""End-to-end: plan and apply questions against the Metabase emulator (issue 5's "Done when")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from emulators.http import RateLimited, ResetMidResponse, Status
from emulators.metabase import RELEASES, MetabaseEmulator, new_state
from metabase_support import API_KEY, deploy, hand_made_card, plan, provider, render

from pydis_dash.conventions.metabase import key_of
from pydis_dash.errors import DefinitionError, EnvironmentProblem
from pydis_dash.metabase import FieldFilter, NumberVariable, Question, TextVariable
from pydis_dash.model import Resource
from pydis_dash.plan import Action, PlanOptions, build_plan
from pydis_dash.plan_json import format_json
from pydis_dash.plan_text import format_text
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.provider import MetabaseProvider


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset()


def nominee(**overrides: Any) -> Question:
    arguments: dict[str, Any] = {
        "key": "nominee-channels",
        "name": "Channels a nominee frequents",
        "collection": "Moderation/Nominations",
        "database": "Metricity",
        "sql": "SELECT c.name, count(*) FROM messages AS m JOIN channels AS c ON c.id = m.channel_id "
        "WHERE m.author_id = {{user_id}} GROUP BY 1",
        "description": "Where a nominee talks.",
        "variables": [TextVariable("user_id", "User ID", required=True)],
        "display": "bar",
    }
    arguments.update(overrides)
    return Question(**arguments)


def event(**overrides: Any) -> Question:
    arguments: dict[str, Any] = {
        "key": "event-activity",
        "name": "Event activity",
        "collection": "Community/Events",
        "database": "metricity",  # case-insensitive match
        "sql": "SELECT count(*) FROM messages JOIN channels ON channels.id = messages.channel_id "
        "WHERE messages.created_at > now() - make_interval(days => {{days}}) [[AND {{channel}}]]",
        "variables": [
            NumberVariable("days", default=7),
            FieldFilter("channel", "Channel", field="channels.name"),
        ],
    }
    arguments.update(overrides)
    return Question(**arguments)


def resources(tmp_path: Path, *questions: Question) -> list[Resource]:
    return render(questions or (nominee(), event()), tmp_path)


def cards_with_key(emulator: MetabaseEmulator, key: str) -> list[dict[str, Any]]:
    return [c for c in emulator.state.cards.values() if key_of(c["description"]) == key]


def collection_path(emulator: MetabaseEmulator, collection_id: int | None) -> str:
    names = []
    while collection_id is not None:
        collection = emulator.state.collections[collection_id]
        names.append(collection["name"])
        parts = [p for p in collection["location"].split("/") if p]
        collection_id = int(parts[-1]) if parts else None
    return "/".join(reversed(names))


def writes(emulator: MetabaseEmulator) -> list[tuple[str, str]]:
    return emulator.card_writes()


# -- deploy twice, converge ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_first_deploy_creates_everything_second_writes_nothing(
    emulator: MetabaseEmulator, tmp_path: Path, version: int
) -> None:
    emulator.state.version = version
    wanted = resources(tmp_path)
    planned, report = deploy(emulator, wanted)
    assert report.ok, report.results
    assert planned.count(Action.CREATE) == 6  # Moderation, Moderation/Nominations, Community, .../Events, 2 cards
    for key in ("nominee-channels", "event-activity"):
        assert len(cards_with_key(emulator, key)) == 1
    card = cards_with_key(emulator, "nominee-channels")[0]
    assert collection_path(emulator, card["collection_id"]) == "Moderation/Nominations"
    text, marker = card["description"].split("\n\n")
    assert text == "Where a nominee talks."
    assert re.fullmatch(r"pydis-dash:key=nominee-channels digest=[0-9a-f]{16}", marker)

    emulator.reset_log()
    second, report = deploy(emulator, wanted)
    assert not second.has_changes, format_text(second)
    assert second.count(Action.UNCHANGED) == 6
    assert writes(emulator) == []
    assert len(emulator.state.cards) == 2


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_diff_after_deploy_shows_no_changes_whatever_shape_metabase_answers(
    emulator: MetabaseEmulator, tmp_path: Path, version: int
) -> None:
    emulator.reset(new_state(version=version))
    wanted = resources(tmp_path)
    deploy(emulator, wanted)
    assert not plan(emulator, wanted).has_changes


def test_field_filters_resolve_to_field_ids(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    card = cards_with_key(emulator, "event-activity")[0]
    tag = card["dataset_query"]["stages"][0]["template-tags"]["channel"]
    assert tag["dimension"][2] == emulator.state.field_id("Metricity", "channels", "name")
    metricity = next(db.id for db in emulator.state.databases.values() if db.name == "Metricity")
    assert card["dataset_query"]["database"] == metricity


# -- identity: rename, move, prune -----------------------------------------------------------------------


def test_rename_keeps_the_card(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    card_id = cards_with_key(emulator, "nominee-channels")[0]["id"]
    emulator.reset_log()
    planned, report = deploy(emulator, resources(tmp_path, nominee(name="Where a nominee posts"), event()))
    assert [(c.action, c.ref.uid) for c in planned.pending] == [(Action.UPDATE, "nominee-channels")]
    assert report.ok
    assert writes(emulator) == [("PUT", f"/api/card/{card_id}")]
    assert emulator.state.cards[card_id]["name"] == "Where a nominee posts"
    assert len(emulator.state.cards) == 2


def test_move_moves_the_card(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    card_id = cards_with_key(emulator, "nominee-channels")[0]["id"]
    moved = nominee(collection="Moderation/Reviews")
    deploy(emulator, resources(tmp_path, moved, event()))
    assert collection_path(emulator, emulator.state.cards[card_id]["collection_id"]) == "Moderation/Reviews"
    assert len(cards_with_key(emulator, "nominee-channels")) == 1
    assert not plan(emulator, resources(tmp_path, moved, event())).has_changes


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_removed_question_is_archived_only_with_prune(emulator: MetabaseEmulator, tmp_path: Path, version: int) -> None:
    emulator.state.version = version
    deploy(emulator, resources(tmp_path))
    card_id = cards_with_key(emulator, "event-activity")[0]["id"]
    remaining = resources(tmp_path, nominee())

    without_prune = plan(emulator, remaining)
    assert [str(o.ref) for o in without_prune.orphans] == [
        "metabase-collection/Community",
        "metabase-collection/Community/Events",
        "metabase-question/event-activity",
    ]
    assert not without_prune.has_changes

    emulator.reset_log()
    planned, report = deploy(emulator, remaining, prune=True)
    assert sorted((c.action, c.ref.uid) for c in planned.pending) == [
        (Action.DELETE, "Community"),
        (Action.DELETE, "Community/Events"),
        (Action.DELETE, "event-activity"),
    ]
    assert report.ok
    assert emulator.state.cards[card_id]["archived"] is True  # archived, not deleted
    # The card leaves its collection before the collection goes, and a child before its parent.
    events = emulator.state.cards[card_id]["collection_id"]
    community = next(c["id"] for c in emulator.state.collections.values() if c["name"] == "Community")
    assert writes(emulator) == [
        ("PUT", f"/api/card/{card_id}"),
        ("PUT", f"/api/collection/{events}"),
        ("PUT", f"/api/collection/{community}"),
    ]
    assert emulator.state.collections[events]["archived"] and emulator.state.collections[community]["archived"]

    emulator.reset_log()
    again, _ = deploy(emulator, remaining, prune=True)
    assert not again.has_changes
    assert writes(emulator) == []


def test_question_back_in_code_restores_its_archived_card(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    card_id = cards_with_key(emulator, "event-activity")[0]["id"]
    deploy(emulator, resources(tmp_path, nominee()), prune=True)
    archived_collection = emulator.state.cards[card_id]["collection_id"]
    planned, _ = deploy(emulator, resources(tmp_path))
    assert [(c.action, c.ref.uid) for c in planned.pending] == [
        (Action.CREATE, "Community"),  # the pruned collections stay in the Trash: new ones are made
        (Action.CREATE, "Community/Events"),
        (Action.UPDATE, "event-activity"),
    ]
    card = emulator.state.cards[card_id]
    assert card["archived"] is False
    assert collection_path(emulator, card["collection_id"]) == "Community/Events"
    assert emulator.state.collections[archived_collection]["archived"] is True
    assert len(emulator.state.cards) == 2


# -- never touch what is not ours --------------------------------------------------------------------------


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_hand_made_same_name_card_and_collection_are_untouched(
    emulator: MetabaseEmulator, tmp_path: Path, version: int
) -> None:
    emulator.state.version = version
    moderation = emulator.state.add_collection("Moderation")
    nominations = emulator.state.add_collection("Nominations", moderation["id"])
    deploy(emulator, resources(tmp_path, event()))  # creates the client's other cards first
    hand_made = hand_made_card(emulator, "Channels a nominee frequents", nominations["id"])
    before = dict(emulator.state.cards[hand_made])

    planned, report = deploy(emulator, resources(tmp_path, nominee(), event()), prune=True)
    assert report.ok
    assert [str(item.ref) for item in planned.unmanaged] == [f"metabase-question/unmanaged:{hand_made}"]
    assert emulator.state.cards[hand_made] == before
    ours = cards_with_key(emulator, "nominee-channels")
    assert len(ours) == 1 and ours[0]["id"] != hand_made
    # The existing collections were used as they are: none created, none renamed.
    assert ours[0]["collection_id"] == nominations["id"]
    assert [c["name"] for c in emulator.state.collections.values()].count("Nominations") == 1
    assert emulator.state.collections[nominations["id"]]["description"] is None


def test_ui_duplicate_of_a_managed_card_is_left_alone(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path))
    original = cards_with_key(emulator, "nominee-channels")[0]
    copy_id = hand_made_card(emulator, "Copy", original["collection_id"], description=original["description"])
    planned, report = deploy(emulator, resources(tmp_path, nominee(name="Renamed"), event()), prune=True)
    assert report.ok
    assert f"metabase-question/duplicate:{copy_id}" in [str(i.ref) for i in planned.unmanaged]
    assert emulator.state.cards[original["id"]]["name"] == "Renamed"
    assert emulator.state.cards[copy_id]["name"] == "Copy"
    assert emulator.state.cards[copy_id]["archived"] is False


# -- bad input and faults ---------------------------------------------------------------------------------


def test_unknown_database_is_one_clear_error_and_nothing_is_written(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        deploy(emulator, resources(tmp_path, nominee(database="Metricty"), event()))
    message = str(caught.value)
    assert "question 'nominee-channels'" in message
    assert "database 'Metricty' not found on Metabase (did you mean 'Metricity'?)" in message
    assert "test_metabase_deploy.py" in message
    assert writes(emulator) == []


def test_unknown_field_is_one_clear_error_and_nothing_is_written(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    broken = event(variables=[NumberVariable("days"), FieldFilter("channel", field="channels.nam")])
    with pytest.raises(DefinitionError) as caught:
        deploy(emulator, resources(tmp_path, nominee(), broken))
    assert "field filter 'channel': column 'channels.nam' not found in database 'Metricity'" in str(caught.value)
    assert "did you mean 'channels.name'" in str(caught.value)
    assert writes(emulator) == []


def test_rejected_key_is_one_environment_error_without_the_key(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    bad = provider(emulator, api_key="not-the-key-0123456789")
    with pytest.raises(EnvironmentProblem) as caught:
        bad.check_access()
    assert "Metabase rejected the credentials (HTTP 401" in str(caught.value)
    assert "not-the-key-0123456789" not in str(caught.value)
    with pytest.raises(EnvironmentProblem):
        build_plan("test", [bad], resources(tmp_path), PlanOptions())
    assert writes(emulator) == []


def test_server_error_mid_deploy_fails_one_card_and_a_rerun_converges(
    emulator: MetabaseEmulator, tmp_path: Path
) -> None:
    wanted = resources(tmp_path)
    emulator.inject("POST", r"/api/card/?", Status(500), times=1)
    _, report = deploy(emulator, wanted)
    assert len(report.failures) == 1
    assert "HTTP 500" in report.failures[0].detail
    assert len(emulator.state.cards) == 1

    planned, report = deploy(emulator, wanted)
    assert report.ok
    assert [c.action for c in planned.pending] == [Action.CREATE]
    for key in ("nominee-channels", "event-activity"):
        assert len(cards_with_key(emulator, key)) == 1
    assert not plan(emulator, wanted).has_changes


def test_lost_answer_to_a_create_never_duplicates(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path, nominee())
    emulator.inject("POST", r"/api/card/?", ResetMidResponse(), times=1)
    _, report = deploy(emulator, wanted)
    assert len(report.failures) == 1  # the card was created, the client just never heard back
    assert len(cards_with_key(emulator, "nominee-channels")) == 1

    planned, report = deploy(emulator, wanted)
    assert report.ok and not planned.has_changes
    assert len(emulator.state.cards) == 1


def test_transient_errors_on_reads_are_retried(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    emulator.inject("GET", r"/api/card/?", Status(503), times=2)
    _, report = deploy(emulator, resources(tmp_path))
    assert report.ok
    assert emulator.count("GET", r"/api/card/?") >= 4


def test_dry_run_writes_nothing(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    planned, report = deploy(emulator, resources(tmp_path), dry_run=True)
    assert planned.count(Action.CREATE) == 6
    assert report.ok
    assert {r.outcome.value for r in report.results} == {"dry-run"}
    assert writes(emulator) == []


def test_session_login_deploys(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    emulator.reset(new_state(api_key=None, username="deploy@example.com", password="s3cret-pw"))
    target = provider(emulator, username="deploy@example.com", password="s3cret-pw")
    target.check_access()
    planned = build_plan("test", [target], resources(tmp_path), PlanOptions())
    assert planned.count(Action.CREATE) == 6
    assert emulator.count("POST", "/api/session") == 1


def test_plan_output_holds_no_secret(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path)
    planned, _ = deploy(emulator, wanted)
    changed = plan(emulator, resources(tmp_path, nominee(name="Other"), event()))
    for text in (format_text(planned, verbose=True), format_json(planned), format_text(changed), format_json(changed)):
        assert API_KEY not in text


def test_rate_limited_reads_are_retried(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    emulator.inject("GET", r"/api/collection/tree/?", RateLimited(retry_after=0), times=1)
    _, report = deploy(emulator, resources(tmp_path))
    assert report.ok
    assert emulator.count("GET", r"/api/collection/tree/?") == 2


def test_unreachable_server_is_one_environment_error(tmp_path: Path) -> None:
    with MetabaseEmulator() as stopped:
        url = stopped.url
    target = MetabaseProvider(MetabaseClient(url, api_key=API_KEY, environment="test", retries=0), "test")
    with pytest.raises(EnvironmentProblem, match=r"^test: GET /api/user/current: cannot reach Metabase at http"):
        target.check_access()


def test_questions_in_the_root_collection(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    wanted = resources(tmp_path, nominee(collection=None))
    planned, report = deploy(emulator, wanted)
    assert report.ok and planned.count(Action.CREATE) == 1
    assert cards_with_key(emulator, "nominee-channels")[0]["collection_id"] is None
    assert not plan(emulator, wanted).has_changes


def test_reads_cut_off_mid_answer_are_resent(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    emulator.inject("GET", r"/api/collection/tree/?", ResetMidResponse(), times=1)
    _, report = deploy(emulator, resources(tmp_path))
    assert report.ok
    assert emulator.count("GET", r"/api/collection/tree/?") == 2


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", "a JSON string", ["a", "list"]])
def test_a_login_answer_without_a_session_is_one_environment_error(emulator: MetabaseEmulator, body: Any) -> None:
    emulator.reset(new_state(api_key=None, username="deploy@example.com", password="s3cret-pw"))
    emulator.inject("POST", "/api/session", Status(200, body), times=1)
    target = provider(emulator, username="deploy@example.com", password="s3cret-pw")
    with pytest.raises(EnvironmentProblem, match="answered the login without a session") as caught:
        target.check_access()
    assert "s3cret-pw" not in str(caught.value)
