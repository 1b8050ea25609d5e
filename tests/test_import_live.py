"""import from a live environment (the emulators): --unmanaged, then diff shows no content change for
those resources, only their adoption (the ownership marker ``deploy`` writes, without ``--force``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from emulators.metabase import MetabaseEmulator, new_state
from import_support import load_json
from live_import_support import ADMIN, MB_KEY, TOKEN, changes, live_dashboard, live_project, made_in_ui, run

from pydis_dash.providers.grafana.normalize import normalize_dashboard


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    """Grafana 11.6 unless a test names a release line."""
    with GrafanaEmulator(
        {TOKEN: "sa-pydis-dash", ADMIN: "admin"}, release=getattr(request, "param", "11.6")
    ) as emulator:
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    return live_project(tmp_path, monkeypatch, grafana=grafana)


UI_DASHBOARDS = ("community-activity-ui", "moderation-overview-ui")


def test_unmanaged_dashboards_import_then_diff_shows_only_their_adoption(
    project: Path, grafana: GrafanaEmulator
) -> None:
    made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    result = run(project, "import", "--env", "test", "--unmanaged")
    assert result.exit_code == 0, result.output
    assert "wrote dashboards/community_activity.py" in result.stderr
    assert "wrote dashboards/moderation_overview.py" in result.stderr
    for uid in UI_DASHBOARDS:
        [change] = changes(project, f"grafana-dashboard/{uid}")
        assert (change["action"], change["drift"], change["diff"]) == ("adopt", None, [])
        assert change["notes"] == [
            "content equals the code: deploy adds the ownership marker (the tag 'pydis-dash'), nothing else"
        ]
        # The marker is the only difference between what is live and what deploy writes.
        before, after = change["before"], change["after"]
        after["dashboard"]["tags"].remove("pydis-dash")
        assert after == before
    text = run(project, "diff", "--env", "test", "--exit-code", *(f"grafana-dashboard/{uid}" for uid in UI_DASHBOARDS))
    assert text.exit_code == 2, text.output  # adopting writes the marker: a change for CI
    sections = [block.splitlines() for block in text.stdout.split("\n\n") if "grafana-dashboard/" in block]
    assert sections == [  # the two dashboards (their data sources are created first), no diff line at all
        [f"@ grafana-dashboard/{uid}  {title!r}", f"  note: {change['notes'][0]}"]
        for uid, title in zip(UI_DASHBOARDS, ("Community activity", "Moderation overview"), strict=True)
    ]
    assert "@ 2 adopt (ownership marker only)" in text.stdout


def test_deploy_adopts_imported_dashboards_without_force_writing_only_the_marker(
    project: Path, grafana: GrafanaEmulator
) -> None:
    made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    assert run(project, "import", "--env", "test", "--unmanaged").exit_code == 0
    live_before = {uid: live_dashboard(grafana, uid) for uid in UI_DASHBOARDS}
    deployed = run(project, "deploy", "--env", "test")
    assert deployed.exit_code == 0, deployed.output
    assert deployed.stdout.count("adopted") == 2, deployed.stdout
    for uid, before in live_before.items():
        after = live_dashboard(grafana, uid)
        assert after["tags"] == [*before["tags"], "pydis-dash"]
        # The model saved is the code's rendering: equal to what was live as the plan compares them.
        assert normalize_dashboard({**after, "tags": before["tags"]}) == normalize_dashboard(before)
    again = run(project, "diff", "--env", "test", "--exit-code")
    assert again.exit_code == 0, again.stdout
    assert "= 0 unchanged" not in again.stdout and "adopt" not in again.stdout


def test_a_saved_plan_adopts_exactly_what_it_showed(project: Path, grafana: GrafanaEmulator) -> None:
    """diff --out, then deploy --plan: the adoption is applied; one edited in the UI meanwhile is refused."""
    made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    assert run(project, "import", "--env", "test", "--unmanaged").exit_code == 0
    refs = [f"grafana-dashboard/{uid}" for uid in UI_DASHBOARDS]
    assert run(project, "diff", "--env", "test", "--out", str(project / "plan.json"), *refs).exit_code == 0
    saved = json.loads((project / "plan.json").read_text())
    assert sorted(c["action"] for c in saved["changes"] if c["ref"] in refs) == ["adopt", "adopt"]
    moved_on = live_dashboard(grafana, "moderation-overview-ui") | {"description": "edited after the plan"}
    made_in_ui(grafana, moved_on, overwrite=True)
    deployed = run(project, "deploy", "--env", "test", "--plan", str(project / "plan.json"))
    assert deployed.exit_code == 1, deployed.output
    assert "pydis-dash" in live_dashboard(grafana, "community-activity-ui")["tags"]
    assert "pydis-dash" not in live_dashboard(grafana, "moderation-overview-ui").get("tags", [])
    assert "moved on since the plan was made" in deployed.output


def test_an_unmanaged_dashboard_that_differs_from_the_code_still_needs_force(
    project: Path, grafana: GrafanaEmulator
) -> None:
    """Adoption never overwrites: edited in the UI after the import, it is refused as before."""
    made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    assert run(project, "import", "--env", "test", "--uid", "community-activity-ui").exit_code == 0
    edited = live_dashboard(grafana, "community-activity-ui") | {"title": "Renamed in the UI"}
    made_in_ui(grafana, edited, overwrite=True)
    [change] = changes(project, "grafana-dashboard/community-activity-ui")
    assert change["action"] == "update"
    assert change["drift"]["reason"].startswith("exists but is not managed")
    refused = run(project, "deploy", "--env", "test")
    assert refused.exit_code == 1
    assert live_dashboard(grafana, "community-activity-ui")["title"] == "Renamed in the UI"


def test_import_by_uid_with_dry_run_prints_and_writes_nothing(project: Path, grafana: GrafanaEmulator) -> None:
    made_in_ui(grafana, load_json("grafana/repeats-variables.json"))
    result = run(project, "import", "--env", "test", "--uid", "site-pods", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "# --- dashboards/site_pods.py" in result.stdout
    assert 'uid="site-pods"' in result.stdout
    assert not (project / "dashboards").exists()


def test_import_needs_files_or_a_live_selector(project: Path) -> None:
    result = run(project, "import")
    assert result.exit_code == 3
    assert "give FILES to import, or --env with" in result.stderr


@pytest.mark.parametrize("grafana", ["12.1-new-layouts", "13.0"], indirect=True)
def test_a_schema_v2_dashboard_is_read_natively_and_refused_alone(project: Path, grafana: GrafanaEmulator) -> None:
    """12.x would answer the legacy read with 406 and 13.x with a lossy conversion: neither is used."""
    made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    grafana.save_in_ui("moderation-overview-ui")  # stored as schema v2 from now on
    result = run(project, "import", "--env", "test", "--unmanaged")
    assert result.exit_code == 1
    assert "wrote dashboards/community_activity.py" in result.stderr
    stored = grafana.release.v2_storage
    assert f"dashboard 'moderation-overview-ui' is stored as schema {stored}" in result.stderr
    assert not (project / "dashboards/moderation_overview.py").exists()
    assert not any(r.path == "/api/dashboards/uid/moderation-overview-ui" for r in grafana.requests)


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset(new_state(api_key=MB_KEY))


def test_card_made_in_the_ui_imports_then_deploy_adopts_it_writing_only_the_marker(
    tmp_path: Path, metabase: MetabaseEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = live_project(tmp_path, monkeypatch, metabase=metabase)
    database = next(db.id for db in metabase.state.databases.values() if db.name == "Metricity")
    field = metabase.state.field_id("Metricity", "channels", "name")
    tag = {"id": "4b6d1c7e-0f2a-4e3b-9c5d-7a8b9c0d1e2f", "name": "channel", "display-name": "Channel",
           "type": "dimension", "dimension": ["field", field, None], "widget-type": "string/="}  # fmt: skip
    card = {
        "name": "Messages in a channel",
        "display": "line",
        "visualization_settings": {"graph.dimensions": ["day"]},
        "collection_id": None,
        "description": "Made in the UI.",
        "dataset_query": {
            "type": "native",
            "database": database,
            "native": {
                "query": "SELECT date_trunc('day', m.created_at) AS day, count(*)\nFROM messages AS m\n"
                "JOIN channels ON channels.id = m.channel_id\nWHERE {{channel}}\nGROUP BY 1",
                "template-tags": {"channel": tag},
            },
        },
        "parameters": [
            {"id": tag["id"], "type": "string/=", "target": ["dimension", ["template-tag", "channel"]],
             "name": "Channel", "slug": "channel"}
        ],
    }  # fmt: skip
    made = requests.post(f"{metabase.url}/api/card", json=card, headers={"x-api-key": MB_KEY}, timeout=5)
    made.raise_for_status()

    result = run(root, "import", "--env", "test", "--card", str(made.json()["id"]))
    assert result.exit_code == 0, result.output
    source = (root / "dashboards/metabase/messages_in_a_channel.py").read_text()
    assert 'field="channels.name"' in source and 'database="metricity"' in source
    # Metabase has no settable id: the card is the question's because it has its name and content; the
    # plan adopts it (writing the marker line that links them from now on) instead of creating a copy.
    card_id = made.json()["id"]
    [change] = changes(root, "metabase-question/messages-in-a-channel")
    assert (change["action"], change["drift"], change["diff"]) == ("adopt", None, [])
    assert "pydis-dash:key=messages-in-a-channel ending its description" in change["notes"][0]
    diff = run(root, "diff", "--env", "test", "--format", "json")
    assert json.loads(diff.stdout)["unmanaged"] == []  # the adopted card is the question's now
    before = copy.deepcopy(metabase.state.cards[card_id])
    deployed = run(root, "deploy", "--env", "test")
    assert deployed.exit_code == 0, deployed.output
    assert len(metabase.state.cards) == 1, "adopted, not copied"
    after = metabase.state.cards[card_id]
    assert after["description"].startswith("Made in the UI.\n\npydis-dash:key=messages-in-a-channel digest=")
    unwritten = ("description", "updated_at", "last-edit-info")
    assert {k: v for k, v in after.items() if k not in unwritten} == {
        k: v for k, v in before.items() if k not in unwritten
    }
    [again] = changes(root, "metabase-question/messages-in-a-channel")
    assert again["action"] == "unchanged"
