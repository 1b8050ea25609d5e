"""``--prune`` archives the collections pydis-dash created once nothing would be left in them, and never
one made by hand or still holding anything pydis-dash does not manage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from emulators.metabase import MetabaseEmulator
from metabase_support import deploy, edit_in_ui, hand_made_card, plan, provider, render

from pydis_dash.apply import ApplyContext, Outcome, apply_plan
from pydis_dash.conventions.metabase import key_of
from pydis_dash.metabase import Question
from pydis_dash.model import Kind, Resource
from pydis_dash.plan import Action, PlanOptions, build_plan
from pydis_dash.plan_text import format_text

STAFF_KEY = "mb-staff-prune-key-19"


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    server = metabase_server.reset()
    server.state.add_person("sam@example.com", "Sam", "Staff", api_key=STAFF_KEY)
    return server


def question(key: str, collection: str | None) -> Question:
    return Question(key=key, name=key.title(), collection=collection, database="Metricity", sql="SELECT 1")


def resources(tmp_path: Path, *questions: Question) -> list[Resource]:
    return render(questions, tmp_path)


def collection_id(emulator: MetabaseEmulator, name: str) -> int:
    [found] = [c["id"] for c in emulator.state.collections.values() if c["name"] == name]
    return int(found)


def card_id(emulator: MetabaseEmulator, key: str) -> int:
    [found] = [c["id"] for c in emulator.state.cards.values() if key_of(c["description"]) == key]
    return int(found)


def collection_deletes(planned: Any) -> list[str]:
    return sorted(
        c.ref.uid for c in planned.pending if c.ref.kind == Kind.METABASE_COLLECTION and c.action == Action.DELETE
    )


def test_created_collections_carry_their_own_marker(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Team/Reports")))
    for name in ("Team", "Reports"):
        description = emulator.state.collections[collection_id(emulator, name)]["description"]
        assert description.splitlines()[-1] == "pydis-dash:collection"


def test_a_hand_made_collection_is_never_archived(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    old = emulator.state.add_collection("Old reports")
    deploy(emulator, resources(tmp_path, question("a", "Old reports")))  # used as it is
    planned, report = deploy(emulator, resources(tmp_path, question("a", "Elsewhere")), prune=True)
    assert report.ok
    assert collection_deletes(planned) == []
    assert emulator.state.collections[old["id"]]["archived"] is False


@pytest.mark.parametrize("intruder", ["hand-made card", "hand-made sub-collection", "copy of a managed card"])
def test_a_collection_holding_what_pydis_dash_does_not_manage_is_kept(
    emulator: MetabaseEmulator, tmp_path: Path, intruder: str
) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Team/Reports"), question("b", "Team/Reports")))
    reports = collection_id(emulator, "Reports")
    if intruder == "hand-made card":
        hand_made_card(emulator, "Sam's notes", reports)
    elif intruder == "hand-made sub-collection":
        emulator.state.add_collection("Sam's drafts", reports)
    else:
        original = emulator.state.cards[card_id(emulator, "a")]
        hand_made_card(emulator, "Copy of A", reports, description=original["description"])

    planned, report = deploy(emulator, resources(tmp_path, question("a", "Elsewhere")), prune=True)
    assert report.ok, report.results
    assert collection_deletes(planned) == []  # neither Reports nor its parent Team
    kept = {str(item.ref): item.title for item in planned.unmanaged}
    assert kept["metabase-collection/Team/Reports"] == "Reports (kept: holds items pydis-dash does not manage)"
    assert kept["metabase-collection/Team"] == "Team (kept: holds items pydis-dash does not manage)"
    assert emulator.state.collections[reports]["archived"] is False
    assert emulator.state.cards[card_id(emulator, "b")]["archived"] is True  # its own card was pruned
    assert "kept: holds items pydis-dash does not manage" in format_text(planned)


def test_moved_questions_leave_their_old_collection_to_be_archived(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Team/Reports")))
    reports, team = collection_id(emulator, "Reports"), collection_id(emulator, "Team")
    moved = resources(tmp_path, question("a", "Team/Weekly"))
    without_prune, _ = deploy(emulator, moved)
    assert collection_deletes(without_prune) == []
    assert [str(o.ref) for o in without_prune.orphans] == ["metabase-collection/Team/Reports"]

    planned, report = deploy(emulator, moved, prune=True)
    assert report.ok
    assert collection_deletes(planned) == ["Team/Reports"]
    assert emulator.state.collections[reports]["archived"] is True
    assert emulator.state.collections[team]["archived"] is False  # still holds Team/Weekly

    emulator.reset_log()
    assert not deploy(emulator, moved, prune=True)[0].has_changes
    assert emulator.card_writes() == []


def test_something_put_in_after_the_plan_keeps_the_collection(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Reports"), question("b", "Other")))
    reports = collection_id(emulator, "Reports")
    target = provider(emulator)
    planned = build_plan("test", [target], resources(tmp_path, question("b", "Other")), PlanOptions(prune=True))
    assert collection_deletes(planned) == ["Reports"]
    late = hand_made_card(emulator, "Made during the deploy", reports)

    report = apply_plan(planned, [target], ApplyContext(message="pydis-dash test"))
    outcomes = {str(r.change.ref): (r.outcome, r.detail) for r in report.results}
    assert outcomes["metabase-collection/Reports"] == (
        Outcome.FAILED,
        "collection 'Reports' is not empty any more (1 item): left as it is",
    )
    assert emulator.state.collections[reports]["archived"] is False
    assert emulator.state.cards[late]["archived"] is False


def test_a_refused_card_keeps_its_collection(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Reports")))
    reports = collection_id(emulator, "Reports")
    edit_in_ui(emulator, card_id(emulator, "a"), {"display": "table-but-sams"}, STAFF_KEY)
    planned, report = deploy(emulator, resources(tmp_path, question("a", "Elsewhere")), prune=True)
    assert collection_deletes(planned) == ["Reports"]
    outcomes = {str(r.change.ref): r.outcome for r in report.results}
    assert outcomes["metabase-question/a"] == Outcome.REFUSED  # drift: the card stays where it is
    assert outcomes["metabase-collection/Reports"] == Outcome.SKIPPED
    assert emulator.state.collections[reports]["archived"] is False
    assert emulator.state.cards[card_id(emulator, "a")]["collection_id"] == reports


def test_dry_run_prune_writes_nothing(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    deploy(emulator, resources(tmp_path, question("a", "Reports"), question("b", "Other")))
    emulator.reset_log()
    planned, report = deploy(emulator, resources(tmp_path, question("b", "Other")), prune=True, dry_run=True)
    assert collection_deletes(planned) == ["Reports"]
    assert {r.outcome for r in report.results} == {Outcome.DRY_RUN}
    assert emulator.card_writes() == []
    assert plan(emulator, resources(tmp_path, question("b", "Other")), prune=True).has_changes
