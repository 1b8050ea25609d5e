"""import from a live environment (the Grafana emulator): --unmanaged, then diff shows nothing for
those dashboards but pydis-dash's ownership marker (the adoption ``deploy --force`` would do)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator
from emulators.metabase import MetabaseEmulator, new_state
from import_support import load_json, scratch_project

from pydis_dash.cli import main

TOKEN = "glsa_import_token_never_printed_5d6e"
ADMIN = "glsa_admin_token_7f8a"


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    """Grafana 11.6 unless a test names a release line."""
    with GrafanaEmulator(
        {TOKEN: "sa-pydis-dash", ADMIN: "admin"}, release=getattr(request, "param", "11.6")
    ) as emulator:
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = scratch_project(tmp_path)
    with (root / "pyproject.toml").open("a") as config:
        config.write(
            f'\n[tool.pydis-dash.environments.test]\ngrafana_url = "{grafana.url}"\n'
            'grafana_token_env = "TEST_GRAFANA_TOKEN"\n'
        )
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", TOKEN)
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    return root


def _run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
    assert TOKEN not in result.output and TOKEN not in result.stderr
    return result


def _made_in_ui(grafana: GrafanaEmulator, model: dict[str, Any]) -> None:
    """A dashboard someone built in the UI: saved by another user, no ownership marker."""
    body = {"dashboard": {k: v for k, v in model.items() if k not in ("id", "version")}, "folderUid": ""}
    saved = requests.post(
        grafana.url + "/api/dashboards/db", json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5
    )
    assert saved.status_code == 200, saved.text


def _changes(root: Path, ref: str) -> list[dict[str, Any]]:
    result = _run(root, "diff", "--env", "test", "--format", "json", ref)
    assert result.exit_code == 0, result.output
    return [c for c in json.loads(result.stdout)["changes"] if c["ref"] == ref]


def test_unmanaged_dashboards_import_and_diff_shows_only_the_ownership_marker(
    project: Path, grafana: GrafanaEmulator
) -> None:
    _made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    _made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    result = _run(project, "import", "--env", "test", "--unmanaged")
    assert result.exit_code == 0, result.output
    assert "wrote dashboards/community_activity.py" in result.stderr
    assert "wrote dashboards/moderation_overview.py" in result.stderr
    for uid in ("community-activity-ui", "moderation-overview-ui"):
        [change] = _changes(project, f"grafana-dashboard/{uid}")
        assert change["drift"]["reason"].startswith("exists but is not managed")
        before, after = change["before"], change["after"]
        after["dashboard"]["tags"].remove("pydis-dash")
        assert after == before, "\n".join(change["diff"])


def test_import_by_uid_keeps_library_panels_resolved_live(project: Path, grafana: GrafanaEmulator) -> None:
    _made_in_ui(grafana, load_json("grafana/repeats-variables.json"))
    result = _run(project, "import", "--env", "test", "--uid", "site-pods", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "# --- dashboards/site_pods.py" in result.stdout
    assert 'uid="site-pods"' in result.stdout
    assert not (project / "dashboards").exists()


def test_import_needs_files_or_a_live_selector(project: Path) -> None:
    result = _run(project, "import")
    assert result.exit_code == 3
    assert "give FILES to import, or --env with" in result.stderr


@pytest.mark.parametrize("grafana", ["12.1-new-layouts", "13.0"], indirect=True)
def test_a_schema_v2_dashboard_is_read_natively_and_refused_alone(project: Path, grafana: GrafanaEmulator) -> None:
    """12.x would answer the legacy read with 406 and 13.x with a lossy conversion: neither is used."""
    _made_in_ui(grafana, load_json("grafana/api-answer-metricity.json")["dashboard"])
    _made_in_ui(grafana, load_json("grafana/collapsed-rows-site-db.json"))
    grafana.save_in_ui("moderation-overview-ui")  # stored as schema v2 from now on
    result = _run(project, "import", "--env", "test", "--unmanaged")
    assert result.exit_code == 1
    assert "wrote dashboards/community_activity.py" in result.stderr
    stored = grafana.release.v2_storage
    assert f"dashboard 'moderation-overview-ui' is stored as schema {stored}" in result.stderr
    assert not (project / "dashboards/moderation_overview.py").exists()
    assert not any(r.path == "/api/dashboards/uid/moderation-overview-ui" for r in grafana.requests)


MB_KEY = "mb-import-key-3e4f"


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset(new_state(api_key=MB_KEY))


def test_card_made_in_the_ui_imports_and_diff_shows_only_the_marker(
    tmp_path: Path, metabase: MetabaseEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch_project(tmp_path)
    with (root / "pyproject.toml").open("a") as config:
        config.write(f'\n[tool.pydis-dash.environments.test]\nmetabase_url = "{metabase.url}"\n')
        config.write('metabase_api_key_env = "TEST_MB_KEY"\n')
    monkeypatch.setenv("TEST_MB_KEY", MB_KEY)
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
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

    result = _run(root, "import", "--env", "test", "--card", str(made.json()["id"]))
    assert result.exit_code == 0, result.output
    source = (root / "dashboards/metabase/messages_in_a_channel.py").read_text()
    assert 'field="channels.name"' in source and 'database="metricity"' in source
    # Metabase has no settable id: a card is linked to its question by the marker line in its
    # description (docs/importing.md), which the owner adds to adopt it.
    marked = {"description": "Made in the UI.\n\npydis-dash:key=messages-in-a-channel"}
    put = requests.put(
        f"{metabase.url}/api/card/{made.json()['id']}", json=marked, headers={"x-api-key": MB_KEY}, timeout=5
    )
    put.raise_for_status()
    [change] = _changes(root, "metabase-question/messages-in-a-channel")
    assert change["before"] == change["after"], "\n".join(change["diff"])
    assert change["diff"] == [], change["notes"]
