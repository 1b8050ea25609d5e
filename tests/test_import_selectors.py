"""Each live selector of ``import`` against the emulators: exactly the selected resources are written, in
the right folders, and ``diff`` afterwards shows no content change for them (only their adoption)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from emulators.metabase import MetabaseEmulator, new_state
from import_support import load_json
from live_import_support import (
    ADMIN,
    MB_KEY,
    TOKEN,
    as_admin,
    changes,
    folder_made_in_ui,
    live_dashboard,
    live_project,
    made_in_ui,
    run,
    written,
)

from pydis_dash.errors import DefinitionError
from pydis_dash.pipeline import load_resources


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    """Folder "Ops" (made in the UI) holds two dashboards; "Other" and the root one each."""
    with GrafanaEmulator({TOKEN: "sa-pydis-dash", ADMIN: "admin"}) as emulator:
        folder_made_in_ui(emulator, "ops-ui", "Ops")
        folder_made_in_ui(emulator, "other-ui", "Other")
        made_in_ui(emulator, load_json("grafana/api-answer-metricity.json")["dashboard"], folder="ops-ui")
        made_in_ui(emulator, load_json("grafana/collapsed-rows-site-db.json"), folder="ops-ui")
        made_in_ui(emulator, load_json("grafana/repeats-variables.json"), folder="other-ui")
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    return live_project(tmp_path, monkeypatch, grafana=grafana)


def _adopted_with_no_diff(root: Path, refs: list[str]) -> None:
    for ref in refs:
        [change] = changes(root, ref)
        assert (change["action"], change["drift"], change["diff"]) == ("adopt", None, []), "\n".join(change["diff"])


def test_folder_selector_writes_exactly_its_dashboards_which_stay_in_it(
    project: Path, grafana: GrafanaEmulator
) -> None:
    result = run(project, "import", "--env", "test", "--folder", "Ops")
    assert result.exit_code == 0, result.output
    assert [f for f in written(project) if f.endswith(".py")] == [
        "dashboards/ops/community_activity.py",
        "dashboards/ops/moderation_overview.py",
    ]
    source = (project / "dashboards/ops/community_activity.py").read_text()
    assert 'folder_uid="ops-ui"' in source and "folder=" not in source
    refs = ["grafana-dashboard/community-activity-ui", "grafana-dashboard/moderation-overview-ui"]
    _adopted_with_no_diff(project, refs)
    plan = json.loads(run(project, "diff", "--env", "test", "--format", "json").stdout)
    assert not [c for c in plan["changes"] if c["kind"] == "grafana-folder"]  # "Ops" is used as it is
    assert {u["ref"] for u in plan["unmanaged"]} >= {"grafana-folder/ops-ui", "grafana-dashboard/site-pods"}

    deployed = run(project, "deploy", "--env", "test", *refs)
    assert deployed.exit_code == 0, deployed.output
    for uid in ("community-activity-ui", "moderation-overview-ui"):
        assert grafana.dashboards[uid].folder_uid == "ops-ui"
        assert "pydis-dash" in live_dashboard(grafana, uid)["tags"]
    assert run(project, "diff", "--env", "test", "--exit-code", *refs).exit_code == 0


def test_uid_selector_writes_one_dashboard(project: Path) -> None:
    result = run(project, "import", "--env", "test", "--uid", "site-pods")
    assert result.exit_code == 0, result.output
    assert [f for f in written(project) if f.endswith(".py")] == ["dashboards/other/site_pods.py"]
    _adopted_with_no_diff(project, ["grafana-dashboard/site-pods"])


def test_a_folder_selector_naming_no_folder_writes_nothing(project: Path) -> None:
    result = run(project, "import", "--env", "test", "--folder", "Nowhere")
    assert (result.exit_code, written(project)) == (3, [])
    assert "--folder 'Nowhere': no dashboard in a Grafana folder of that path or title" in result.stderr


def test_rule_group_selector_writes_exactly_that_group_which_deploy_adopts(
    project: Path, grafana: GrafanaEmulator
) -> None:
    """The group keeps its folder (made in the UI) and its rules their uids, so the plan adopts it: the
    deploy writes pydis-dash's digest annotation on each rule and nothing else."""
    folder_made_in_ui(grafana, "adm2x7k", "Alerts")
    group = load_json("alerts/api-metricity-group.json")
    as_admin(grafana, "PUT", "/api/v1/provisioning/folder/adm2x7k/rule-groups/activity", group)
    result = run(project, "import", "--env", "test", "--rule-group", "Alerts/activity")
    assert result.exit_code == 0, result.output
    assert written(project) == ["alerts/alerts_activity.py"]
    source = (project / "alerts/alerts_activity.py").read_text()
    assert 'folder_uid="adm2x7k"' in source and f'live_uid="{group["rules"][0]["uid"]}"' in source
    ref = "grafana-rule-group/adm2x7k.activity"
    _adopted_with_no_diff(project, [ref])
    [change] = changes(project, ref)
    assert change["notes"] == [
        "content equals the code: deploy adds the ownership marker (the annotation 'pydis-dash-digest' on each "
        "rule), nothing else"
    ]
    plan = json.loads(run(project, "diff", "--env", "test", "--format", "json").stdout)
    assert not [c for c in plan["changes"] if c["kind"] == "grafana-folder"]  # "Alerts" is used as it is

    deployed = run(project, "deploy", "--env", "test", ref)
    assert deployed.exit_code == 0, deployed.output
    [rule] = grafana.alerting.group("adm2x7k", "activity")
    assert rule["uid"] == group["rules"][0]["uid"] and "pydis-dash-digest" in rule["annotations"]
    assert run(project, "diff", "--env", "test", "--exit-code", ref).exit_code == 0


GROUP_PATH = "/api/v1/provisioning/folder/adm2x7k/rule-groups/activity"


def _adopted_group(project: Path, grafana: GrafanaEmulator) -> str:
    """The group of api-metricity-group.json made in the UI, imported and adopted by a deploy; its ref."""
    folder_made_in_ui(grafana, "adm2x7k", "Alerts")
    as_admin(grafana, "PUT", GROUP_PATH, load_json("alerts/api-metricity-group.json"))
    assert run(project, "import", "--env", "test", "--rule-group", "Alerts/activity").exit_code == 0
    ref = "grafana-rule-group/adm2x7k.activity"
    assert run(project, "deploy", "--env", "test", ref).exit_code == 0
    return ref


def test_an_adopted_rule_edited_in_the_ui_is_drift_again(project: Path, grafana: GrafanaEmulator) -> None:
    ref = _adopted_group(project, grafana)
    edited = as_admin(grafana, "GET", GROUP_PATH)
    edited["rules"][0]["for"] = "15m"
    as_admin(grafana, "PUT", GROUP_PATH, edited)
    [change] = changes(project, ref)
    assert change["action"] == "update" and change["drift"]["reason"].startswith("changed outside pydis-dash")
    assert run(project, "deploy", "--env", "test", ref).exit_code == 1
    assert grafana.alerting.group("adm2x7k", "activity")[0]["for"] == "15m"


def test_a_rule_copied_in_the_ui_into_an_adopted_group_is_never_deleted_silently(
    project: Path, grafana: GrafanaEmulator
) -> None:
    """The copy carries the original's digest annotation, which does not match the copy (its uid and title
    differ): drift, so the deploy (which would replace the group) refuses."""
    ref = _adopted_group(project, grafana)
    live = as_admin(grafana, "GET", GROUP_PATH)
    copy = {**live["rules"][0], "uid": "copied-in-ui", "title": "No messages for an hour (copy)"}
    as_admin(grafana, "PUT", GROUP_PATH, {**live, "rules": [*live["rules"], copy]})
    [change] = changes(project, ref)
    assert change["action"] == "update" and change["drift"] is not None
    assert "'No messages for an hour (copy)'" in change["drift"]["reason"]
    assert run(project, "deploy", "--env", "test", ref).exit_code == 1
    assert len(grafana.alerting.group("adm2x7k", "activity")) == 2


def test_unmanaged_selector_takes_rule_groups_too(project: Path, grafana: GrafanaEmulator) -> None:
    folder_made_in_ui(grafana, "adm2x7k", "Alerts")
    as_admin(grafana, "PUT", GROUP_PATH, load_json("alerts/api-metricity-group.json"))
    result = run(project, "import", "--env", "test", "--unmanaged")
    assert result.exit_code == 0, result.output
    assert [f for f in written(project) if f.endswith(".py")] == [
        "alerts/alerts_activity.py",
        "dashboards/ops/community_activity.py",
        "dashboards/ops/moderation_overview.py",
        "dashboards/other/site_pods.py",
    ]
    _adopted_with_no_diff(
        project,
        [
            "grafana-rule-group/adm2x7k.activity",
            "grafana-dashboard/community-activity-ui",
            "grafana-dashboard/moderation-overview-ui",
            "grafana-dashboard/site-pods",
        ],
    )
    checked = run(project, "validate", "--no-engines")  # folder_uid=, live_uid= pass schemas and lint
    assert checked.exit_code == 0, checked.output


# --- Metabase -----------------------------------------------------------------------------------------


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    """Collections "Moderation" and "Moderation/Anti-spam" (made in the UI), a card in each and one at the root."""
    emulator = metabase_server.reset(new_state(api_key=MB_KEY))
    moderation = emulator.state.add_collection("Moderation")["id"]
    anti_spam = emulator.state.add_collection("Anti-spam", parent_id=moderation)["id"]
    database = next(db.id for db in emulator.state.databases.values() if db.name == "Metricity")
    for name, collection in (("Infractions", moderation), ("Spam waves", anti_spam), ("Everything", None)):
        card = {
            "name": name,
            "display": "table",
            "visualization_settings": {},
            "collection_id": collection,
            "description": f"{name}, made in the UI.",
            "dataset_query": {
                "type": "native",
                "database": database,
                "native": {"query": f"SELECT '{name}' AS name, count(*) FROM messages", "template-tags": {}},
            },
        }
        made = requests.post(f"{emulator.url}/api/card", json=card, headers={"x-api-key": MB_KEY}, timeout=5)
        made.raise_for_status()
    return emulator


@pytest.fixture
def mb_project(tmp_path: Path, metabase: MetabaseEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    return live_project(tmp_path, monkeypatch, metabase=metabase)


def test_collection_selector_writes_exactly_its_cards_which_deploy_adopts(
    mb_project: Path, metabase: MetabaseEmulator
) -> None:
    result = run(mb_project, "import", "--env", "test", "--collection", "Moderation/Anti-spam")
    assert result.exit_code == 0, result.output
    assert written(mb_project) == ["dashboards/metabase/moderation/anti_spam/spam_waves.py"]
    source = (mb_project / "dashboards/metabase/moderation/anti_spam/spam_waves.py").read_text()
    assert 'collection="Moderation/Anti-spam"' in source
    _adopted_with_no_diff(mb_project, ["metabase-question/spam-waves"])
    plan = json.loads(run(mb_project, "diff", "--env", "test", "--format", "json").stdout)
    collections = {c["ref"]: c["action"] for c in plan["changes"] if c["kind"] == "metabase-collection"}
    assert set(collections.values()) == {"unchanged"}, collections  # the UI's collections are used as they are

    cards_before = len(metabase.state.cards)
    deployed = run(mb_project, "deploy", "--env", "test")
    assert deployed.exit_code == 0, deployed.output
    assert len(metabase.state.cards) == cards_before, "adopted, not copied"
    assert run(mb_project, "diff", "--env", "test", "--exit-code").exit_code == 0


def test_card_selector_writes_one_card(mb_project: Path, metabase: MetabaseEmulator) -> None:
    root_card = next(c["id"] for c in metabase.state.cards.values() if c["name"] == "Everything")
    result = run(mb_project, "import", "--env", "test", "--card", str(root_card))
    assert result.exit_code == 0, result.output
    assert written(mb_project) == ["dashboards/metabase/everything.py"]
    _adopted_with_no_diff(mb_project, ["metabase-question/everything"])


def test_a_card_edited_after_its_import_is_not_adopted_but_left_alone(
    mb_project: Path, metabase: MetabaseEmulator
) -> None:
    card_id = next(c["id"] for c in metabase.state.cards.values() if c["name"] == "Everything")
    assert run(mb_project, "import", "--env", "test", "--card", str(card_id)).exit_code == 0
    edited = {"display": "bar"}
    put = requests.put(f"{metabase.url}/api/card/{card_id}", json=edited, headers={"x-api-key": MB_KEY}, timeout=5)
    put.raise_for_status()
    [change] = changes(mb_project, "metabase-question/everything")
    assert change["action"] == "create"  # a new card beside it: the edited one is never overwritten
    plan = json.loads(run(mb_project, "diff", "--env", "test", "--format", "json").stdout)
    assert f"metabase-question/unmanaged:{card_id}" in {u["ref"] for u in plan["unmanaged"]}


def test_a_collection_selector_naming_no_collection_writes_nothing(mb_project: Path) -> None:
    result = run(mb_project, "import", "--env", "test", "--collection", "Anti-spam")  # a name, not its path
    assert (result.exit_code, written(mb_project)) == (3, [])
    assert "--collection 'Anti-spam': no card in a Metabase collection of that path" in result.stderr


def test_dashboard_with_folder_uid_and_folder_is_refused_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "both.py").write_text(
        "from pydis_dash.grafana import Dashboard\n\n"
        'dashboard = Dashboard(uid="both", title="Both", folder="Ops", folder_uid="ops-ui")\n'
    )
    with pytest.raises(DefinitionError) as caught:
        load_resources(tmp_path)
    assert "folder_uid must be a folder uid" in str(caught.value) and "both.py:3" in str(caught.value)
