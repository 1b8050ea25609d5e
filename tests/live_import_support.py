"""What the live import tests share: scratch projects wired to the emulators, the CLI run that checks no
secret leaks, and the "someone did it in the UI" helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator
from emulators.metabase import MetabaseEmulator
from import_support import scratch_project

from pydis_dash.cli import main

TOKEN = "glsa_import_token_never_printed_5d6e"
ADMIN = "glsa_admin_token_7f8a"
MB_KEY = "mb-import-key-3e4f"
#: Passwords of the project's PostgreSQL data sources, which a deploy creates in Grafana.
DATASOURCE_PASSWORDS = ("PYDIS_METRICITY_DB_PASSWORD", "PYDIS_SITE_DB_PASSWORD")


def live_project(
    root: Path, monkeypatch: pytest.MonkeyPatch, *, grafana: GrafanaEmulator | None = None,
    metabase: MetabaseEmulator | None = None,
) -> Path:  # fmt: skip
    """A scratch project (the repo's data sources) whose environment ``test`` is the given emulators."""
    root = scratch_project(root)
    lines = ["", "[tool.pydis-dash.environments.test]"]
    if grafana is not None:
        lines += [f'grafana_url = "{grafana.url}"', 'grafana_token_env = "TEST_GRAFANA_TOKEN"']
        monkeypatch.setenv("TEST_GRAFANA_TOKEN", TOKEN)
    if metabase is not None:
        lines += [f'metabase_url = "{metabase.url}"', 'metabase_api_key_env = "TEST_MB_KEY"']
        monkeypatch.setenv("TEST_MB_KEY", MB_KEY)
    with (root / "pyproject.toml").open("a") as config:
        config.write("\n".join(lines) + "\n")
    for variable in DATASOURCE_PASSWORDS:
        monkeypatch.setenv(variable, "not-a-real-password-9c1d")
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    return root


def run(root: Path, *args: str) -> Result:
    """``pydis-dash --project ROOT ARGS...``; no token or key ever appears in its output."""
    result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
    for secret in (TOKEN, MB_KEY):
        assert secret not in result.output and secret not in result.stderr
    return result


def changes(root: Path, ref: str) -> list[dict[str, Any]]:
    """The JSON plan's changes for ``ref`` (diff narrowed to it)."""
    result = run(root, "diff", "--env", "test", "--format", "json", ref)
    assert result.exit_code == 0, result.output
    return [c for c in json.loads(result.stdout)["changes"] if c["ref"] == ref]


def as_admin(grafana: GrafanaEmulator, method: str, path: str, body: Any = None) -> Any:
    """One request as Grafana's admin (someone in the UI), which must succeed; its JSON answer."""
    answer = requests.request(
        method, grafana.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def made_in_ui(grafana: GrafanaEmulator, model: dict[str, Any], *, folder: str = "", overwrite: bool = False) -> None:
    """A dashboard someone built (or edited) in the UI: saved by another user, no ownership marker."""
    dashboard = {k: v for k, v in model.items() if k not in ("id", "version")}
    as_admin(
        grafana, "POST", "/api/dashboards/db", {"dashboard": dashboard, "folderUid": folder, "overwrite": overwrite}
    )


def folder_made_in_ui(grafana: GrafanaEmulator, uid: str, title: str) -> None:
    """A folder someone made in the UI (its uid lacks pydis-dash's prefix)."""
    as_admin(grafana, "POST", "/api/folders", {"uid": uid, "title": title})


def live_dashboard(grafana: GrafanaEmulator, uid: str) -> dict[str, Any]:
    """The dashboard model Grafana holds (read as an admin)."""
    model: dict[str, Any] = as_admin(grafana, "GET", f"/api/dashboards/uid/{uid}")["dashboard"]
    return model


def written(root: Path) -> list[str]:
    """Every file under the project's definition folders, project-relative and sorted."""
    folders = ("dashboards", "alerts")
    return sorted(
        str(p.relative_to(root)) for f in folders if (root / f).exists() for p in (root / f).rglob("*") if p.is_file()
    )
