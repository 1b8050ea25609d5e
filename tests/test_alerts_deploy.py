"""End to end: the community's alert definitions deployed to the Grafana emulator (with the alerting
provisioning routes mounted) through the real plan/apply path and the alerting handlers."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from emulators.grafana_alerting import AlertingRoutes
from emulators.grafana_releases import SUPPORTED
from emulators.http import Status

from pydis_dash.apply import ApplyContext, ApplyReport, Outcome, apply_plan, format_apply_report
from pydis_dash.conventions.alerting import UID_PREFIX
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import Action, Plan, PlanOptions, build_plan
from pydis_dash.plan_json import format_json
from pydis_dash.plan_text import format_text
from pydis_dash.providers.grafana.client import GrafanaClient
from pydis_dash.providers.grafana.common import GrafanaContext
from pydis_dash.providers.grafana.contact_points import ContactPointHandler
from pydis_dash.providers.grafana.provider import GrafanaProvider

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "glsa_alerting_deploy_token_never_printed_77aa"
SECRETS = {
    "PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK": "https://discord.com/api/webhooks/1/oncall-secret-token-a1",
    "PYDIS_ALERTS_DEVOPS_LOW_PRIORITY_WEBHOOK": "https://discord.com/api/webhooks/2/low-secret-token-b2",
    "PYDIS_ALERTS_MODERATORS_WEBHOOK": "https://discord.com/api/webhooks/3/mods-secret-token-c3",
}
BASE = "/api/v1/provisioning"


@dataclass
class Grafana:
    emulator: GrafanaEmulator
    alerting: AlertingRoutes

    def admin(self, method: str, path: str, body: object = None, **headers: str) -> requests.Response:
        """A request as an operator in the UI would make it (outside pydis-dash)."""
        return requests.request(
            method,
            self.emulator.url + path,
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}", **headers},
            timeout=5,
        )


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[Grafana]:
    """Grafana 11.6 unless a test names a release line."""
    emulator = GrafanaEmulator(tokens={TOKEN: "sa-deploy"}, release=getattr(request, "param", "11.6"))
    with emulator:
        yield Grafana(emulator, emulator.alerting)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repo's alert definitions (and data sources), to edit per test."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "alerts", root / "alerts")
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    return root


def provider_for(grafana: Grafana, *, disable_provenance: bool = False) -> GrafanaProvider:
    """The Grafana provider exactly as deploy builds it (alerting handlers registered in HANDLERS)."""
    client = GrafanaClient(grafana.emulator.url, TOKEN, environment="test", retries=0)
    return GrafanaProvider(client, disable_provenance=disable_provenance)


def resources_of(root: Path) -> list[Resource]:
    return load_resources(root, [str(root / "alerts")])


def plan_for(grafana: Grafana, resources: list[Resource], **options: bool) -> tuple[Plan, GrafanaProvider]:
    provider = provider_for(grafana)
    return build_plan("test", [provider], resources, PlanOptions(**options)), provider


def deploy(grafana: Grafana, resources: list[Resource], **options: bool) -> tuple[Plan, ApplyReport]:
    plan, provider = plan_for(grafana, resources, **options)
    report = apply_plan(plan, [provider], ApplyContext("pydis-dash test", environ=SECRETS))
    return plan, report


def test_first_deploy_creates_folders_rules_contact_points_and_policy(grafana: Grafana, project: Path) -> None:
    resources = resources_of(project)
    plan, report = deploy(grafana, resources)

    assert report.ok, format_apply_report(report)
    assert {c.action for c in plan.changes} == {Action.CREATE, Action.UPDATE}  # the policy tree always exists
    assert {"pydis-dash-discord", "pydis-dash-postgresql", "pydis-dash-site-and-api"} <= set(grafana.emulator.folders)
    groups = {r.ref.uid: r for r in resources if r.kind is Kind.GRAFANA_RULE_GROUP}
    for group in groups.values():
        stored = grafana.alerting.group(group.body["folderUid"], group.body["title"])
        assert [r["uid"] for r in stored] == [r["uid"] for r in group.body["rules"]]
        assert all(r["provenance"] == "api" for r in stored)
        assert grafana.alerting.intervals[(group.body["folderUid"], group.body["title"])] == 60
    assert len(grafana.alerting.rules) == 7
    points = {p["name"]: p for p in grafana.alerting.contact_points.values()}
    assert points["moderators"]["settings"]["url"] == SECRETS["PYDIS_ALERTS_MODERATORS_WEBHOOK"]
    assert points["devops on-call"]["uid"] == "pydis-dash-devops-on-call-discord"
    [policy] = [r for r in resources if r.kind is Kind.GRAFANA_NOTIFICATION_POLICY]
    assert grafana.alerting.policy == {**policy.body, "provenance": "api"}
    # Folders before rule groups before contact points before the policy that names them.
    order = [(r.method, r.path.split("/")[4] if r.path.startswith(BASE) else r.path) for r in grafana.emulator.writes()]
    kinds = [path for _, path in order]
    assert kinds.index("folder") > max(i for i, k in enumerate(kinds) if k == "/api/folders")
    assert kinds.index("policies") > max(i for i, k in enumerate(kinds) if k == "contact-points")


@pytest.mark.parametrize("grafana", SUPPORTED, indirect=True)
def test_a_second_deploy_writes_nothing(grafana: Grafana, project: Path) -> None:
    resources = resources_of(project)
    assert deploy(grafana, resources)[1].ok
    grafana.emulator.reset_log()

    plan, report = deploy(grafana, resources)

    assert plan.pending == (), format_text(plan)
    assert report.results == ()
    assert grafana.emulator.writes() == []


def test_changing_a_threshold_updates_exactly_that_group(grafana: Grafana, project: Path) -> None:
    assert deploy(grafana, resources_of(project))[1].ok
    before = {uid: rule["id"] for uid, rule in grafana.alerting.rules.items()}
    source = project / "alerts" / "postgres.py"
    source.write_text(source.read_text().replace("above=80,", "above=90,"))
    grafana.emulator.reset_log()

    plan, report = deploy(grafana, resources_of(project))

    assert [(c.action, str(c.ref)) for c in plan.pending] == [
        (Action.UPDATE, "grafana-rule-group/pydis-dash-postgresql.postgres")
    ]
    # Grafana prints the threshold back as Go prints a float64: 90, not 90.0.
    assert [line[1:].strip() for line in plan.pending[0].diff_lines() if line[:1] in "+-" and "/" not in line] == [
        "80",
        "90",
    ]
    assert report.ok
    assert [(w.method, w.path) for w in grafana.emulator.writes()] == [
        ("PUT", f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres")
    ]
    [connections] = [
        r for r in grafana.alerting.rules.values() if r["title"] == "PostgreSQL connections near the limit"
    ]
    assert connections["data"][2]["model"]["conditions"][0]["evaluator"]["params"] == [90.0]
    assert {uid: rule["id"] for uid, rule in grafana.alerting.rules.items()} == before  # updated in place


def test_removing_a_rule_removes_it_from_its_group(grafana: Grafana, project: Path) -> None:
    assert deploy(grafana, resources_of(project))[1].ok
    source = project / "alerts" / "site_api.py"
    text = source.read_text()
    start = text.index('        prometheus_rule(\n            "Site p95 latency elevated"')
    end = text.index('        prometheus_rule(\n            "Site p95 latency high"')
    source.write_text(text[:start] + text[end:])
    [removed] = [r for r in grafana.alerting.rules.values() if r["title"] == "Site p95 latency elevated"]

    plan, report = deploy(grafana, resources_of(project))

    assert [str(c.ref) for c in plan.pending] == ["grafana-rule-group/pydis-dash-site-and-api.django"]
    assert report.ok and report.results[0].detail == "updated (1 rule(s) removed)"
    titles = [r["title"] for r in grafana.alerting.group("pydis-dash-site-and-api", "django")]
    assert titles == ["Site answers with 5xx errors", "Site p95 latency high"]
    assert removed["uid"] not in grafana.alerting.rules


def test_secrets_never_appear_in_plans_reports_or_logs(
    grafana: Grafana, project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plan, report = deploy(grafana, resources_of(project))
    rotated, _ = plan_for(grafana, resources_of(project), rotate_secrets=True)

    text = "\n".join(
        [format_text(plan, verbose=True), format_json(plan), format_apply_report(report), format_json(rotated)]
    )
    text += caplog.text
    for value in [*SECRETS.values(), TOKEN]:
        assert value not in text
    for value in SECRETS.values():
        assert value.rsplit("/", 1)[1] not in text  # not even the token part of a webhook URL
    assert "$PYDIS_ALERTS_MODERATORS_WEBHOOK" in text  # the variable is named, its value never
    assert {c.ref.kind for c in rotated.pending} == {Kind.GRAFANA_CONTACT_POINT}  # rotation rewrites them only


def test_a_missing_secret_fails_its_contact_point_and_skips_the_policy_naming_it(
    grafana: Grafana, project: Path
) -> None:
    plan, provider = plan_for(grafana, resources_of(project))
    environ = {k: v for k, v in SECRETS.items() if k != "PYDIS_ALERTS_MODERATORS_WEBHOOK"}

    report = apply_plan(plan, [provider], ApplyContext("pydis-dash test", environ=environ))

    failed = {str(r.change.ref): r for r in report.failures}
    assert set(failed) == {
        "grafana-contact-point/pydis-dash-moderators-discord",
        "grafana-notification-policy/notification-policy",
    }
    assert failed["grafana-contact-point/pydis-dash-moderators-discord"].detail == (
        "environment variable $PYDIS_ALERTS_MODERATORS_WEBHOOK is not set"
    )
    # The policy names the missing contact point: it is not sent at all (Grafana would refuse it, or
    # route alerts nowhere), and the report says why. The rules are deployed regardless.
    policy = failed["grafana-notification-policy/notification-policy"]
    assert policy.outcome is Outcome.SKIPPED
    assert policy.detail == ("depends on grafana-contact-point/pydis-dash-moderators-discord, which did not succeed")
    assert not any(r.path.endswith("/policies") for r in grafana.emulator.writes())
    assert len(grafana.alerting.rules) == 7


def test_a_rule_added_in_the_ui_to_a_managed_group_is_drift(grafana: Grafana, project: Path) -> None:
    resources = resources_of(project)
    assert deploy(grafana, resources)[1].ok
    group = grafana.admin("GET", f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres").json()
    extra = {**group["rules"][0], "uid": "ui-made", "title": "Added in the UI"}
    group["rules"].append(extra)
    assert grafana.admin("PUT", f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres", group).status_code == 200

    plan, report = deploy(grafana, resources)

    [change] = plan.pending
    assert str(change.ref) == "grafana-rule-group/pydis-dash-postgresql.postgres" and change.drift is not None
    assert report.results[0].outcome is Outcome.REFUSED
    assert "ui-made" in grafana.alerting.rules


@pytest.mark.parametrize("grafana", SUPPORTED, indirect=True)
def test_a_group_gone_from_code_is_an_orphan_until_prune_deletes_its_rules(grafana: Grafana, project: Path) -> None:
    assert deploy(grafana, resources_of(project))[1].ok
    (project / "alerts" / "discord_guild.py").unlink()

    plan, _ = deploy(grafana, resources_of(project))
    orphans = ["grafana-folder/pydis-dash-discord", "grafana-rule-group/pydis-dash-discord.guild"]
    assert [str(o.ref) for o in plan.orphans] == orphans
    assert grafana.alerting.group("pydis-dash-discord", "guild")

    grafana.emulator.reset_log()
    pruned, report = deploy(grafana, resources_of(project), prune=True)
    assert {(c.action, str(c.ref)) for c in pruned.pending} == {(Action.DELETE, ref) for ref in orphans}
    assert report.ok, format_apply_report(report)
    # The group's rule goes before its folder (Grafana refuses to delete a folder holding rules).
    deletes = [w.path for w in grafana.emulator.writes()]
    assert len(deletes) == 2 and deletes[0].startswith(f"{BASE}/alert-rules/pydis-dash-unusual-member-join-")
    assert deletes[1] == "/api/folders/pydis-dash-discord"
    assert grafana.alerting.group("pydis-dash-discord", "guild") == []
    assert "pydis-dash-discord" not in grafana.emulator.folders
    assert len(grafana.alerting.rules) == 6


def test_the_policy_tree_is_replaced_whole_and_untouched_without_a_definition(grafana: Grafana, project: Path) -> None:
    assert deploy(grafana, resources_of(project))[1].ok
    edited = {**grafana.alerting.policy, "repeat_interval": "12h"}
    assert grafana.admin("PUT", f"{BASE}/policies", edited).status_code == 202

    plan, _ = deploy(grafana, resources_of(project))
    assert [str(c.ref) for c in plan.pending] == ["grafana-notification-policy/notification-policy"]
    assert grafana.alerting.policy["repeat_interval"] == "4h"

    (project / "alerts" / "notification_policy.py").unlink()
    grafana.admin("PUT", f"{BASE}/policies", edited)
    grafana.emulator.reset_log()
    plan, _ = deploy(grafana, resources_of(project), prune=True)
    assert plan.pending == ()
    assert not any(r.path == f"{BASE}/policies" for r in grafana.emulator.requests)


@pytest.mark.parametrize(("editable", "provenance"), [(False, "api"), (True, "")])
def test_the_provenance_switch_decides_whether_rules_stay_editable_in_the_ui(
    grafana: Grafana, project: Path, editable: bool, provenance: str
) -> None:
    provider = provider_for(grafana, disable_provenance=editable)
    resources = [r for r in resources_of(project) if r.kind in (Kind.GRAFANA_FOLDER, Kind.GRAFANA_RULE_GROUP)]

    report = apply_plan(build_plan("test", [provider], resources), [provider], ApplyContext("t", environ=SECRETS))

    assert report.ok
    assert grafana.alerting.rules
    assert {rule["provenance"] for rule in grafana.alerting.rules.values()} == {provenance}


# --- the emulator's own answers ----------------------------------------------------------------------


def _group_body(grafana: Grafana, project: Path) -> dict[str, object]:
    deploy(grafana, [r for r in resources_of(project) if r.kind is Kind.GRAFANA_FOLDER])
    [group] = [r for r in resources_of(project) if r.ref.uid == "pydis-dash-postgresql.postgres"]
    return dict(group.body)


def test_emulator_rule_group_statuses(grafana: Grafana, project: Path) -> None:
    body = _group_body(grafana, project)
    path = f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres"
    assert grafana.admin("GET", path).status_code == 404
    assert grafana.admin("PUT", path, {**body, "interval": 45}).status_code == 400
    assert grafana.admin("PUT", f"{BASE}/folder/nope/rule-groups/postgres", body).status_code == 400
    put = grafana.admin("PUT", path, body)
    assert (put.status_code, put.json()) == (200, body)
    moved = grafana.admin("PUT", f"{BASE}/folder/pydis-dash-site-and-api/rule-groups/stolen", body)
    assert grafana.admin(
        "POST", "/api/folders", {"uid": "pydis-dash-site-and-api", "title": "Site and API"}
    ).status_code in (200, 409)
    moved = grafana.admin("PUT", f"{BASE}/folder/pydis-dash-site-and-api/rule-groups/stolen", body)
    assert moved.status_code == 409  # the rule uids belong to another folder
    rule = grafana.admin("GET", f"{BASE}/alert-rules").json()[0]
    assert rule["provenance"] == "api" and "id" in rule and "updated" in rule
    unlocked = grafana.admin("PUT", path, body, **{"X-Disable-Provenance": "true"})
    assert unlocked.status_code == 500 and "cannot changed provenance" in unlocked.json()["message"]
    assert grafana.admin("DELETE", f"{BASE}/alert-rules/{rule['uid']}").status_code == 204
    assert grafana.admin("DELETE", path).status_code == 204
    assert grafana.alerting.rules == {}


def test_emulator_disable_provenance_leaves_rules_editable(grafana: Grafana, project: Path) -> None:
    body = _group_body(grafana, project)
    path = f"{BASE}/folder/pydis-dash-postgresql/rule-groups/postgres"
    assert grafana.admin("PUT", path, body, **{"X-Disable-Provenance": "yes"}).status_code == 200
    assert all(r["provenance"] == "" for r in grafana.alerting.rules.values())
    assert "provenance" not in grafana.admin("GET", path).json()["rules"][0]
    assert grafana.admin("PUT", path, body).status_code == 200  # none -> api is allowed


def test_emulator_contact_point_and_policy_statuses(grafana: Grafana) -> None:
    point = {"uid": "cp1", "name": "ops", "type": "discord", "settings": {"url": "https://discord.test/hook/s3cr3t"}}
    created = grafana.admin("POST", f"{BASE}/contact-points", point)
    assert created.status_code == 202 and created.json()["settings"]["url"] == "[REDACTED]"
    assert grafana.admin("POST", f"{BASE}/contact-points", point).status_code == 409
    assert grafana.admin("POST", f"{BASE}/contact-points", {**point, "uid": "cp2", "settings": {}}).status_code == 400
    listed = grafana.admin("GET", f"{BASE}/contact-points", None).json()
    assert "s3cr3t" not in str(listed) and {p["name"] for p in listed} == {"grafana-default-email", "ops"}
    renamed = grafana.admin(
        "PUT", f"{BASE}/contact-points/cp1", {**point, "settings": {"url": "[REDACTED]", "title": "t"}}
    )
    assert renamed.json() == {"message": "contactpoint updated"} and renamed.status_code == 202
    assert grafana.alerting.contact_points["cp1"]["settings"]["url"] == "https://discord.test/hook/s3cr3t"
    unknown = grafana.admin("PUT", f"{BASE}/policies", {"receiver": "nobody"})
    assert unknown.status_code == 400 and "receiver 'nobody' does not exist" in unknown.json()["message"]
    routed = grafana.admin("PUT", f"{BASE}/policies", {"receiver": "ops"})
    assert (routed.status_code, routed.json()) == (202, {"message": "policies updated"})
    assert grafana.admin("DELETE", f"{BASE}/contact-points/cp1").status_code == 409  # still routed to
    assert grafana.admin("DELETE", f"{BASE}/policies").status_code == 202
    assert grafana.admin("DELETE", f"{BASE}/contact-points/cp1").json() == {"message": "contactpoint deleted"}


def test_emulator_mute_timing_statuses(grafana: Grafana) -> None:
    timing = {"name": "nights", "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}]}
    assert grafana.admin("POST", f"{BASE}/mute-timings", timing).status_code == 201
    assert grafana.admin("POST", f"{BASE}/mute-timings", timing).status_code == 409
    assert grafana.admin("PUT", f"{BASE}/mute-timings/nights", timing).status_code == 202
    tree = {
        "receiver": "grafana-default-email",
        "routes": [{"object_matchers": [["a", "=", "b"]], "mute_time_intervals": ["nights"]}],
    }
    assert grafana.admin("PUT", f"{BASE}/policies", tree).status_code == 202
    assert grafana.admin("DELETE", f"{BASE}/mute-timings/nights").status_code == 409
    assert grafana.admin("DELETE", f"{BASE}/policies").status_code == 202
    assert grafana.admin("DELETE", f"{BASE}/mute-timings/nights").status_code == 204


def mute_low_priority_on_weekend_nights(project: Path) -> None:
    """Add a mute timing "Weekend nights" and name it on the policy's low-severity route."""
    (project / "alerts" / "mute.py").write_text(
        "from pydis_dash.alerts import MuteTiming, TimeInterval\n\n"
        'nights = MuteTiming("Weekend nights", [TimeInterval(times=[("00:00", "08:00")], weekdays=["saturday"])])\n'
    )
    policy = project / "alerts" / "notification_policy.py"
    policy.write_text(
        policy.read_text().replace(
            'receiver="devops low priority")', 'receiver="devops low priority", mute_timings=["Weekend nights"])'
        )
    )


def test_mute_timings_are_created_before_the_policy_that_names_them(grafana: Grafana, project: Path) -> None:
    mute_low_priority_on_weekend_nights(project)

    _, report = deploy(grafana, resources_of(project))

    assert report.ok, format_apply_report(report)
    assert grafana.alerting.mute_timings["Weekend nights"]["time_intervals"] == [
        {"times": [{"start_time": "00:00", "end_time": "08:00"}], "weekdays": ["saturday"]}
    ]
    assert grafana.alerting.policy["routes"][2]["mute_time_intervals"] == ["Weekend nights"]
    grafana.emulator.reset_log()
    assert deploy(grafana, resources_of(project))[0].pending == ()
    assert grafana.emulator.writes() == []


def test_a_failed_mute_timing_skips_the_policy_naming_it(grafana: Grafana, project: Path) -> None:
    mute_low_priority_on_weekend_nights(project)
    grafana.emulator.inject("POST", rf"{BASE}/mute-timings", Status(500, {"message": "database is locked"}))

    _, report = deploy(grafana, resources_of(project))

    outcomes = {str(r.change.ref): (r.outcome, r.detail) for r in report.failures}
    assert outcomes["grafana-notification-policy/notification-policy"] == (
        Outcome.SKIPPED,
        "depends on grafana-mute-timing/weekend-nights, which did not succeed",
    )
    assert set(outcomes) == {
        "grafana-mute-timing/weekend-nights",
        "grafana-notification-policy/notification-policy",
    }
    assert len(grafana.alerting.contact_points) >= 3  # the contact points it names were written


def test_a_pruned_contact_point_never_shows_a_setting_grafana_returned_in_clear() -> None:
    """Some Grafana versions return a webhook URL unredacted; gone from code, nothing says it is secret."""
    token = "https://discord.test/api/webhooks/1/t0ken"
    listed = [{"uid": f"{UID_PREFIX}old", "name": "old", "type": "discord", "settings": {"url": token}}]

    class Listing:
        def get_list(self, path: str, params: Any = None) -> Any:
            return listed

    handler = ContactPointHandler(GrafanaContext(cast(GrafanaClient, Listing()), cast(Any, None)))

    class OneHandler:
        target, environment, handlers = "grafana", "test", [handler]

        def begin_plan(self) -> None:
            pass

    plan = build_plan("test", [cast(Any, OneHandler())], [], PlanOptions(prune=True))
    assert [(c.action, c.ref.uid) for c in plan.pending] == [(Action.DELETE, f"{UID_PREFIX}old")]
    for text in (format_text(plan), format_json(plan)):
        assert token not in text
    assert '"url": "***"' in format_text(plan)
