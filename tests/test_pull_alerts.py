"""``pull`` against the Grafana emulator's alerting API: a managed rule group edited outside pydis-dash
(a threshold, a rule's ``for``, its title, the group's interval) comes back into the rule helpers' calls,
a contact point's settings into its helper's keywords, after which ``diff`` shows nothing; what cannot be
mapped is printed with the live JSON. The contact point's webhook URL never appears anywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result
from emulators.grafana import GrafanaEmulator
from pull_support import changed_lines, grafana_project, run

TOKEN = "glsa_pull_alerts_token_never_printed_7d8e"
ADMIN = "glsa_pull_alerts_admin_token_9f0a"
WEBHOOK = "https://discord.com/api/webhooks/77/pull-secret-token-1a2b"
BASE = "/api/v1/provisioning"
DEFINITION = """\
from pydis_dash.alerts import RuleGroup, prometheus_rule

group = RuleGroup(
    folder="Demo",
    name="site",
    interval="1m",
    rules=[
        # Paged at night: keep it rare.
        prometheus_rule(
            "Site errors high",
            expr='sum(rate(http_requests_total{status=~"5.."}[5m]))',
            above=5,
            for_="5m",
            severity="high",
            summary="More than 5 errors a second",
        ),
        prometheus_rule("Site slow", "histogram_quantile(0.95, rate(latency_bucket[5m]))", above=1.5),
    ],
)
"""
POINTS = """\
from pydis_dash.alerts import discord_contact_point

site_on_call = discord_contact_point(
    "site on-call",
    url_env="TEST_SITE_WEBHOOK",
    title="{{ .CommonLabels.alertname }}",
)
"""


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-pydis-dash", ADMIN: "admin"}) as emulator:
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEST_SITE_WEBHOOK", WEBHOOK)
    files = {"alerts/site.py": DEFINITION, "alerts/points.py": POINTS}
    root = grafana_project(tmp_path, grafana.url, TOKEN, files, monkeypatch)
    assert _run(root, "deploy", "--env", "test").exit_code == 0
    return root


def _run(root: Path, *args: str) -> Result:
    return run(root, *args, secrets=(TOKEN, ADMIN, WEBHOOK, WEBHOOK.rsplit("/", 1)[1]))


def _pull_leaving_no_drift(root: Path) -> Result:
    """``pull`` succeeds, and ``diff`` then shows nothing to deploy."""
    pulled = _run(root, "pull", "--env", "test")
    assert pulled.exit_code == 0, pulled.output
    after = _run(root, "diff", "--env", "test", "--exit-code")
    assert after.exit_code == 0, after.output
    return pulled


def _edit_rule(grafana: GrafanaEmulator, title: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Someone edits a rule in the UI: read it, change it, save it back (with their own token)."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    [uid] = [r["uid"] for r in grafana.alerting.rules.values() if r["title"] == title]
    rule = requests.get(f"{grafana.url}{BASE}/alert-rules/{uid}", headers=headers, timeout=5).json()
    change(rule)
    saved = requests.put(f"{grafana.url}{BASE}/alert-rules/{uid}", json=rule, headers=headers, timeout=5)
    assert saved.status_code == 200, saved.text


def _threshold(value: float) -> Callable[[dict[str, Any]], None]:
    def change(rule: dict[str, Any]) -> None:
        rule["data"][2]["model"]["conditions"][0]["evaluator"]["params"] = [value]

    return change


def test_pull_brings_a_threshold_and_for_edit_into_the_rule_helpers(project: Path, grafana: GrafanaEmulator) -> None:
    def errors_edit(rule: dict[str, Any]) -> None:
        _threshold(20)(rule)
        rule["for"] = "10m"

    _edit_rule(grafana, "Site errors high", errors_edit)
    _edit_rule(grafana, "Site slow", _threshold(2.5))
    drifted = _run(project, "diff", "--env", "test", "--exit-code")
    assert drifted.exit_code == 2 and "drift" in drifted.stdout

    pulled = _pull_leaving_no_drift(project)

    assert "edited alerts/site.py" in pulled.stderr
    assert changed_lines(project) == [
        "-            above=5,",
        '-            for_="5m",',
        "+            above=20,",
        '+            for_="10m",',
        '-        prometheus_rule("Site slow", "histogram_quantile(0.95, rate(latency_bucket[5m]))", above=1.5),',
        '+        prometheus_rule("Site slow", "histogram_quantile(0.95, rate(latency_bucket[5m]))", above=2.5),',
    ]
    assert "# Paged at night: keep it rare." in (project / "alerts/site.py").read_text()


def test_a_rule_change_the_helpers_cannot_write_is_printed_with_the_live_rule(
    project: Path, grafana: GrafanaEmulator
) -> None:
    def second_condition(rule: dict[str, Any]) -> None:
        conditions = rule["data"][2]["model"]["conditions"]
        conditions.append({"evaluator": {"type": "lt", "params": [100]}})

    _edit_rule(grafana, "Site slow", second_condition)

    result = _run(project, "pull", "--env", "test")

    assert result.exit_code == 1
    assert "not mapped to the code: rule 'Site slow'" in result.stderr
    assert '"params": [\n' in result.stdout and "100" in result.stdout
    assert changed_lines(project) == []


def test_a_renamed_rule_keeps_its_uid_and_the_group_interval_comes_back(
    project: Path, grafana: GrafanaEmulator
) -> None:
    [uid] = [r["uid"] for r in grafana.alerting.rules.values() if r["title"] == "Site slow"]

    def rename(rule: dict[str, Any]) -> None:
        rule["title"] = "Site p95 latency high"

    _edit_rule(grafana, "Site slow", rename)
    headers = {"Authorization": f"Bearer {ADMIN}"}
    path = f"{grafana.url}{BASE}/folder/pydis-dash-demo/rule-groups/site"
    group = requests.get(path, headers=headers, timeout=5).json()
    group["interval"] = 120
    assert requests.put(path, json=group, headers=headers, timeout=5).status_code == 200

    _pull_leaving_no_drift(project)

    assert changed_lines(project) == [
        '-    interval="1m",',
        '+    interval="2m",',
        '-        prometheus_rule("Site slow", "histogram_quantile(0.95, rate(latency_bucket[5m]))", above=1.5),',
        '+        prometheus_rule("Site p95 latency high", "histogram_quantile(0.95, rate(latency_bucket[5m]))", '
        f'above=1.5, uid="{uid}"),',  # the call keeps its layout: one line stays one line
    ]


def test_pull_brings_a_contact_point_edit_into_its_helper_never_its_secret(
    project: Path, grafana: GrafanaEmulator
) -> None:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    points = requests.get(f"{grafana.url}{BASE}/contact-points", headers=headers, timeout=5).json()
    [point] = [p for p in points if p["name"] == "site on-call"]
    point["settings"]["title"] = "{{ .CommonLabels.alertname }} on the site"
    point["disableResolveMessage"] = True
    saved = requests.put(f"{grafana.url}{BASE}/contact-points/{point['uid']}", json=point, headers=headers, timeout=5)
    assert saved.status_code == 202, saved.text

    pulled = _pull_leaving_no_drift(project)

    assert "edited alerts/points.py" in pulled.stderr
    assert changed_lines(project) == [
        '-    title="{{ .CommonLabels.alertname }}",',
        '+    title="{{ .CommonLabels.alertname }} on the site",',
        "+    disable_resolve_message=True,",
    ]
    assert WEBHOOK not in (project / "alerts/points.py").read_text()
