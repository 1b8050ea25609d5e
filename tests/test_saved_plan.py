"""Saved plans end to end: ``diff --out PLAN.json`` then ``deploy --plan PLAN.json`` against the Grafana
emulator, through the CLI, with the repo's own data sources and alerts plus a small dashboard.

The plan applies exactly what it holds; a resource that moved on since is refused (exit 1) while the
others are applied; a plan for another environment or from another version is refused whole (exit 3).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator

from pydis_dash import __version__
from pydis_dash.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "glsa_saved_plan_token_never_printed_5d6e"
ADMIN = "glsa_saved_plan_admin_7f8a"
SECRETS = {
    "PYDIS_METRICITY_DB_PASSWORD": "metricity-password-never-printed-11",
    "PYDIS_SITE_DB_PASSWORD": "site-password-never-printed-22",
    "PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK": "https://discord.com/api/webhooks/1/oncall-never-printed-a1",
    "PYDIS_ALERTS_DEVOPS_LOW_PRIORITY_WEBHOOK": "https://discord.com/api/webhooks/2/low-never-printed-b2",
    "PYDIS_ALERTS_MODERATORS_WEBHOOK": "https://discord.com/api/webhooks/3/mods-never-printed-c3",
}
DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, metricity

{name} = Dashboard(
    uid="{uid}",
    title="{title}",
    folder="Community",
    rows=[Row("Messages", [metricity.stat("Messages", sql="SELECT count(*) AS n FROM messages")])],
)
"""


@dataclass
class Project:
    root: Path
    grafana: GrafanaEmulator

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["--project", str(self.root), *args], catch_exceptions=False)
        for secret in (TOKEN, *SECRETS.values()):
            assert secret not in result.stdout + result.stderr
        return result

    def write_dashboard(self, uid: str, title: str) -> None:
        name = uid.replace("-", "_")
        (self.root / "dashboards" / f"{name}.py").write_text(DASHBOARD.format(name=name, uid=uid, title=title))

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        """A change made by a person in the UI, with another token."""
        return requests.request(
            method, self.grafana.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5
        )

    def ui_edit(self, uid: str, **changes: Any) -> None:
        model = self.admin("GET", f"/api/dashboards/uid/{uid}").json()["dashboard"]
        folder = self.grafana.dashboards[uid].folder_uid
        saved = self.admin("POST", "/api/dashboards/db", {"dashboard": model | changes, "folderUid": folder})
        assert saved.status_code == 200, saved.text


def write_config(root: Path, environments: dict[str, str]) -> None:
    lines = []
    for name, url in environments.items():
        lines += [f"[tool.pydis-dash.environments.{name}]", f'grafana_url = "{url}"', 'grafana_token_env = "TOKEN"']
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    shutil.copytree(REPO_ROOT / "alerts", root / "alerts")
    (root / "dashboards").mkdir()
    monkeypatch.setenv("TOKEN", TOKEN)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYDIS_DASH_REVISION", "planrev1")
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    with GrafanaEmulator({TOKEN: "sa-pydis-dash", ADMIN: "admin"}) as grafana:
        write_config(root, {"test": grafana.url, "other": grafana.url})
        state = Project(root, grafana)
        state.write_dashboard("saved-plan-a", "A")
        state.write_dashboard("saved-plan-b", "B")
        yield state


def saved(project: Project, name: str = "plan.json", *args: str) -> dict[str, Any]:
    result = project.run("diff", "--env", "test", "--out", str(project.root / name), *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads((project.root / name).read_text())


def deployed(project: Project, *args: str) -> Result:
    return project.run("deploy", "--env", "test", "--plan", str(project.root / "plan.json"), *args)


def test_the_plan_file_holds_what_apply_needs_and_no_secret(project: Project) -> None:
    plan = saved(project)
    assert (plan["format"], plan["tool"], plan["revision"]) == (
        1,
        {"name": "pydis-dash", "version": __version__},
        "planrev1",
    )
    assert plan["environment"] == "test" and plan["targets"] == {"grafana": project.grafana.url}
    changes = {c["ref"]: c for c in plan["changes"]}
    dashboard = changes["grafana-dashboard/saved-plan-a"]
    assert dashboard["action"] == "create" and dashboard["seen"] is None
    assert dashboard["desired"]["body"]["title"] == "A" and dashboard["diff"]  # what --format json shows, too
    contact_point = changes["grafana-contact-point/pydis-dash-moderators-discord"]["desired"]
    assert contact_point["secretEnv"] == {"url": "PYDIS_ALERTS_MODERATORS_WEBHOOK"}
    text = (project.root / "plan.json").read_text()
    assert not any(secret in text for secret in (TOKEN, *SECRETS.values()))
    assert project.grafana.writes() == []  # diff --out only reads


def test_deploy_applies_exactly_the_saved_plan_with_its_revision(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(project)
    monkeypatch.setenv("PYDIS_DASH_REVISION", "laterrev2")
    # After the plan: the code moves on (a new dashboard, another commit). The plan is what gets deployed.
    project.write_dashboard("saved-plan-c", "C")
    (project.root / "dashboards" / "saved_plan_b.py").unlink()

    result = deployed(project)

    assert result.exit_code == 0, result.stdout + result.stderr
    assert set(project.grafana.dashboards) == {"saved-plan-a", "saved-plan-b"}
    assert project.grafana.dashboards["saved-plan-a"].versions[-1]["message"] == "pydis-dash planrev1"
    assert len(project.grafana.alerting.rules) == 7 and project.grafana.alerting.policy["receiver"]
    # The new dashboard was not in the plan: still to create; the one gone from code stays (no --prune).
    again = saved(project, "again.json")
    assert {c["ref"] for c in again["changes"] if c["action"] != "unchanged"} == {"grafana-dashboard/saved-plan-c"}


def test_a_resource_that_moved_on_is_refused_and_the_others_are_applied(project: Project) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    project.write_dashboard("saved-plan-a", "A, renamed")
    project.write_dashboard("saved-plan-b", "B, renamed")
    plan = saved(project)
    assert {c["ref"]: c["seen"]["version"] for c in plan["changes"] if c["action"] == "update"} == {
        "grafana-dashboard/saved-plan-a": 1,
        "grafana-dashboard/saved-plan-b": 1,
    }
    project.ui_edit("saved-plan-a", description="edited in the UI after the plan")

    result = deployed(project, "--force")  # even --force never applies a change planned against another version

    assert result.exit_code == 1
    [refused] = [line.split(maxsplit=3) for line in result.stdout.splitlines() if line.startswith("refused")]
    assert refused == [
        "refused",
        "update",
        "grafana-dashboard/saved-plan-a",
        "moved on since the plan was made: version 1 is now 2",
    ]
    assert project.grafana.dashboards["saved-plan-a"].model["title"] == "A"
    assert project.grafana.dashboards["saved-plan-a"].model["description"] == "edited in the UI after the plan"
    assert project.grafana.dashboards["saved-plan-b"].model["title"] == "B, renamed"


def test_a_resource_created_since_the_plan_is_refused(project: Project) -> None:
    saved(project)
    created = project.admin("POST", "/api/folders", {"uid": "pydis-dash-community", "title": "Someone's"})
    assert created.status_code == 200, created.text

    result = deployed(project)

    assert result.exit_code == 1
    refused = [line for line in result.stdout.splitlines() if line.startswith("refused")]
    assert len(refused) == 1 and "grafana-folder/pydis-dash-community" in refused[0]
    assert refused[0].endswith("moved on since the plan was made: it exists now (the plan creates it)")
    # The dashboards in that folder depend on it: skipped, saying why; the alerts went ahead.
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped")]
    assert {line.split()[2] for line in skipped} == {"grafana-dashboard/saved-plan-a", "grafana-dashboard/saved-plan-b"}
    assert project.grafana.dashboards == {} and len(project.grafana.alerting.rules) == 7


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda plan: plan | {"tool": {"name": "pydis-dash", "version": "0.0.1"}}, "made by pydis-dash 0.0.1"),
        (lambda plan: plan | {"format": 99}, "plan format 99"),
        (lambda plan: plan | {"targets": {"grafana": "https://grafana.example.org"}}, "now points elsewhere"),
        (lambda plan: {"hello": "world"}, "not a saved plan"),
        (
            lambda plan: plan | {"servers": [{"summary": "Grafana 10.4.3", "version": "10.4.3"}]},
            "the servers changed since the plan was made (Grafana 10.4.3 -> Grafana 11",
        ),
    ],
)
def test_a_plan_from_another_version_or_server_is_refused_whole(project: Project, edit: Any, message: str) -> None:
    plan = saved(project)
    (project.root / "plan.json").write_text(json.dumps(edit(plan)))

    result = deployed(project)

    assert result.exit_code == 3 and message in result.stderr, result.stderr
    assert project.grafana.writes() == []


def test_a_plan_for_another_environment_is_refused(project: Project) -> None:
    saved(project)
    result = project.run("deploy", "--env", "other", "--plan", str(project.root / "plan.json"))
    assert result.exit_code == 3
    assert "the plan was made for environment 'test', not 'other'" in result.stderr
    assert project.grafana.writes() == []


def test_plan_and_selectors_do_not_mix(project: Project) -> None:
    saved(project)
    result = deployed(project, "grafana-dashboard/saved-plan-a")
    assert result.exit_code == 3 and "--plan applies the saved plan as it is" in result.stderr
