"""Drift of alerting resources, end to end through the CLI against the Grafana emulator: pydis-dash writes a
digest of what it deployed onto each rule (an annotation) and contact point (a setting); a managed resource
whose content no longer matches its digest was edited outside pydis-dash ("in the UI", here a direct API
call with another token), and ``diff`` shows it, ``deploy`` refuses it, ``deploy --force`` restores the code.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator
from emulators.grafana_releases import SUPPORTED

from pydis_dash.cli import main
from pydis_dash.providers.grafana.alerting import CONTACT_POINT_DIGEST_SETTING, RULE_DIGEST_ANNOTATION
from pydis_dash.providers.grafana.rule_groups import edit_drift

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "glsa_alerting_drift_token_never_printed_5e6f"
ADMIN = "glsa_alerting_drift_admin_token_9a8b"
SECRETS = {
    "PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK": "https://discord.com/api/webhooks/1/oncall-drift-secret-d4",
    "PYDIS_ALERTS_DEVOPS_LOW_PRIORITY_WEBHOOK": "https://discord.com/api/webhooks/2/low-drift-secret-e5",
    "PYDIS_ALERTS_MODERATORS_WEBHOOK": "https://discord.com/api/webhooks/3/mods-drift-secret-f6",
}
BASE = "/api/v1/provisioning"
GROUP = "grafana-rule-group/pydis-dash-postgresql.postgres"
GROUP_PATH = f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres"
CONNECTIONS = "PostgreSQL connections near the limit"
ONCALL = "pydis-dash-devops-on-call-discord"


@dataclass
class Project:
    """The repo's alert definitions in a project configured for the emulator; ``run`` checks every output
    for the token and the webhook secrets."""

    root: Path
    grafana: GrafanaEmulator
    caplog: pytest.LogCaptureFixture

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(
            main, ["--project", str(self.root), *args, "--env", "test", str(self.root / "alerts")]
        )
        for text in (result.stdout, result.stderr, self.caplog.text):
            for secret in (TOKEN, ADMIN, *SECRETS.values()):
                assert secret not in text, f"secret leaked in output of {args}"
            for url in SECRETS.values():
                assert url.rsplit("/", 1)[1] not in text
        return result

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        """A change made by a person (the 'UI'), with another token; the request log is cleared afterwards, so
        ``writes`` counts only what pydis-dash sends."""
        answer = requests.request(
            method, self.grafana.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5
        )
        self.grafana.reset_log()
        return answer

    def rule(self, title: str) -> dict[str, Any]:
        """The stored rule titled ``title``."""
        [rule] = [r for r in self.grafana.alerting.rules.values() if r["title"] == title]
        return rule

    def edit_threshold(self, title: str, value: float) -> None:
        """Change a rule's threshold the way the UI does: read the rule, save it back changed."""
        rule = self.admin("GET", f"{BASE}/alert-rules/{self.rule(title)['uid']}").json()
        rule["data"][2]["model"]["conditions"][0]["evaluator"]["params"] = [value]
        saved = self.admin("PUT", f"{BASE}/alert-rules/{rule['uid']}", rule)
        assert saved.status_code == 200, saved.text

    def writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.grafana.writes()]


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    """Grafana 11.6 unless a test names a release line."""
    with GrafanaEmulator(
        {TOKEN: "sa-pydis-dash", ADMIN: "admin"}, release=getattr(request, "param", "11.6")
    ) as emulator:
        yield emulator  # type: ignore[misc]


@pytest.fixture
def project(
    tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Project:
    caplog.set_level(logging.DEBUG)
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "alerts", root / "alerts")
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    (root / "pyproject.toml").write_text(
        "[tool.pydis-dash.environments.test]\n"
        f'grafana_url = "{grafana.url}"\n'
        'grafana_token_env = "TEST_GRAFANA_TOKEN"\n'
        "retries = 0\n"
    )
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", TOKEN)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    project = Project(root, grafana, caplog)
    first = project.run("deploy")
    assert first.exit_code == 0, first.output
    grafana.reset_log()
    return project


def threshold(rule: dict[str, Any]) -> list[float]:
    params: list[float] = rule["data"][2]["model"]["conditions"][0]["evaluator"]["params"]
    return params


def test_every_deployed_rule_and_contact_point_carries_a_digest_and_a_clean_redeploy_writes_nothing(
    project: Project,
) -> None:
    rules = project.grafana.alerting.rules.values()
    assert rules and all(len(rule["annotations"][RULE_DIGEST_ANNOTATION]) == 16 for rule in rules)
    points = [p for uid, p in project.grafana.alerting.contact_points.items() if uid.startswith("pydis-dash-")]
    assert len(points) == 3 and all(p["settings"][CONTACT_POINT_DIGEST_SETTING] for p in points)
    # Rules with different content get different digests.
    assert len({rule["annotations"][RULE_DIGEST_ANNOTATION] for rule in rules}) == len(rules)

    again = project.run("deploy")

    assert again.exit_code == 0 and "Nothing to deploy." in again.stdout, again.output
    assert project.writes() == []
    assert project.run("diff", "--exit-code").exit_code == 0
    assert RULE_DIGEST_ANNOTATION not in project.run("diff", "--verbose").stdout  # never part of a diff


@pytest.mark.parametrize("grafana", SUPPORTED, indirect=True)
def test_a_threshold_edited_in_the_ui_is_drift_refused_unless_forced(project: Project) -> None:
    project.edit_threshold(CONNECTIONS, 95)
    edited_at = project.rule(CONNECTIONS)["updated"]

    diff = project.run("diff", "--exit-code")

    assert diff.exit_code == 2, diff.output
    assert f"~ {GROUP}" in diff.stdout
    assert f"! drift: changed outside pydis-dash (rule '{CONNECTIONS}') at {edited_at}" in diff.stdout
    assert "1 drifted (deploy refuses them without --force)" in diff.stdout
    changes = json.loads(project.run("diff", "--format", "json").stdout)["changes"]
    [change] = [c for c in changes if c["action"] != "unchanged"]
    assert change["ref"] == GROUP
    assert change["drift"]["when"] == edited_at and change["drift"]["author"] is None  # Grafana does not say who

    refused = project.run("deploy")

    assert refused.exit_code == 1, refused.output
    [row] = [line for line in refused.stdout.splitlines() if GROUP in line and "drift:" in line]
    assert row.startswith("refused") and "--force overwrites" in row
    assert project.writes() == []
    assert threshold(project.rule(CONNECTIONS)) == [95]  # the edit is left in place

    forced = project.run("deploy", "--force")

    assert forced.exit_code == 0, forced.output
    assert project.writes() == [("PUT", GROUP_PATH)]
    assert threshold(project.rule(CONNECTIONS)) == [80.0]
    project.grafana.reset_log()
    assert project.run("deploy").exit_code == 0
    assert project.writes() == []


def test_a_change_in_code_is_not_drift_and_only_the_edited_group_is_refused(project: Project) -> None:
    project.edit_threshold("Site answers with 5xx errors", 0.5)
    source = project.root / "alerts" / "postgres.py"
    source.write_text(source.read_text().replace("above=80,", "above=90,"))

    deploy = project.run("deploy")

    assert deploy.exit_code == 1, deploy.output
    outcomes = {
        line.split()[2]: line.split()[0] for line in deploy.stdout.splitlines() if line.startswith(("ok", "ref"))
    }
    assert outcomes == {GROUP: "ok", "grafana-rule-group/pydis-dash-site-and-api.django": "refused"}
    assert threshold(project.rule(CONNECTIONS)) == [90.0]
    assert threshold(project.rule("Site answers with 5xx errors")) == [0.5]


def test_an_interval_changed_in_the_ui_is_drift_of_every_rule_in_the_group(project: Project) -> None:
    group = project.admin("GET", GROUP_PATH).json()
    assert project.admin("PUT", GROUP_PATH, {**group, "interval": 120}).status_code == 200

    diff = project.run("diff")

    titles = ", ".join(repr(rule["title"]) for rule in group["rules"])
    assert f"! drift: changed outside pydis-dash (rules {titles})" in diff.stdout
    assert project.run("deploy").exit_code == 1
    assert project.grafana.alerting.intervals[("pydis-dash-postgresql", "postgres")] == 120


def test_a_rule_without_a_digest_is_updated_without_drift(project: Project) -> None:
    """Rules deployed before digests existed carry none: they prove nothing, so the code wins."""
    group = project.admin("GET", GROUP_PATH).json()
    for rule in group["rules"]:
        del rule["annotations"][RULE_DIGEST_ANNOTATION]
    group["rules"][1]["data"][2]["model"]["conditions"][0]["evaluator"]["params"] = [70]
    assert project.admin("PUT", GROUP_PATH, group).status_code == 200

    diff = project.run("diff", "--exit-code")
    assert diff.exit_code == 2 and f"~ {GROUP}" in diff.stdout and "drift" not in diff.stdout

    assert project.run("deploy").exit_code == 0
    assert threshold(project.rule(CONNECTIONS)) == [80.0]
    assert all(RULE_DIGEST_ANNOTATION in rule["annotations"] for rule in project.grafana.alerting.rules.values())


def test_a_contact_point_edited_in_the_ui_is_drift_and_force_keeps_its_secret(project: Project) -> None:
    [point] = [p for p in project.admin("GET", f"{BASE}/contact-points").json() if p["uid"] == ONCALL]
    point["settings"]["title"] = "edited by hand"
    assert project.admin("PUT", f"{BASE}/contact-points/{ONCALL}", point).status_code == 202

    diff = project.run("diff", "--exit-code")

    assert diff.exit_code == 2
    assert f"~ grafana-contact-point/{ONCALL}" in diff.stdout
    assert "! drift: changed outside pydis-dash\n" in diff.stdout  # no history: no who or when
    refused = project.run("deploy")
    assert refused.exit_code == 1 and project.writes() == []
    stored = project.grafana.alerting.contact_points[ONCALL]["settings"]
    assert stored["title"] == "edited by hand"

    assert project.run("deploy", "--force").exit_code == 0
    stored = project.grafana.alerting.contact_points[ONCALL]["settings"]
    assert stored["title"] == "{{ .CommonLabels.alertname }} ({{ .Status }})"
    assert stored["url"] == SECRETS["PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK"]
    assert project.run("diff", "--exit-code").exit_code == 0


def test_rotating_a_secret_is_not_drift(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contact point digest never covers a secret (nor could it hint at one)."""
    rotated = "https://discord.com/api/webhooks/1/oncall-rotated-secret-g7"
    monkeypatch.setenv("PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK", rotated)

    rotate = project.run("deploy", "--rotate-secrets")
    assert rotate.exit_code == 0
    assert project.grafana.alerting.contact_points[ONCALL]["settings"]["url"] == rotated

    diff = project.run("diff", "--exit-code")
    assert diff.exit_code == 0 and "drift" not in diff.stdout
    assert all(rotated not in text for text in (rotate.output, diff.output, project.caplog.text))


def test_the_drift_of_several_edited_rules_names_them_and_the_latest_edit() -> None:
    edited = [("a", "2026-01-02T10:00:00+02:00"), ("b", "2026-01-02T09:00:00Z"), ("c", None)]

    drift = edit_drift(edited)

    assert drift is not None
    assert drift.describe() == "changed outside pydis-dash (rules 'a', 'b', 'c') at 2026-01-02T09:00:00Z"
    assert edit_drift([]) is None
