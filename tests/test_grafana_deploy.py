"""End to end: ``pydis-dash diff`` and ``deploy`` against the Grafana emulator, through the CLI.

Resources are built directly (the loader is replaced); everything else is the real code path: config,
client, handlers, plan, apply, output. Every run checks that neither the token nor a secret appears in
stdout, stderr or the logs.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator
from emulators.grafana_releases import SUPPORTED, WITH_SCHEMA_V2
from emulators.http import Fault, Latency, RateLimited, ResetMidResponse, SlowBody, Status

from pydis_dash.apply import ApplyContext, Outcome, apply_plan
from pydis_dash.cli import main
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.plan import build_plan
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.grafana.client import GrafanaClient
from pydis_dash.providers.grafana.provider import GrafanaProvider

TOKEN = "glsa_deploy_token_must_never_be_printed_1f2e3d"
ADMIN = "glsa_admin_token_3c4b5a"
SECRET = "metricity-password-must-never-be-printed-9z8y"
SRC = SourceLocation(Path("definitions.py"), 1)


def folder(uid: str, title: str, parent: str | None = None) -> Resource:
    body = {"uid": uid, "title": title} | ({"parentUid": parent} if parent else {})
    deps = (Ref(Kind.GRAFANA_FOLDER, parent),) if parent else ()
    return Resource(Ref(Kind.GRAFANA_FOLDER, uid), title, body, SRC, depends_on=deps)


def dashboard(uid: str, title: str, in_folder: str | None = None, **extra: Any) -> Resource:
    body = {
        "uid": uid,
        "title": title,
        "schemaVersion": 39,
        "tags": ["community"],
        "refresh": "1m",
        "panels": [{"id": 1, "type": "timeseries", "title": "Messages", "datasource": {"type": "grafana-postgresql-datasource", "uid": "metricity"}, "targets": [{"refId": "A", "rawSql": "SELECT 1"}]}],
        "templating": {"list": []},
    } | extra  # fmt: skip
    deps = (Ref(Kind.GRAFANA_FOLDER, in_folder),) if in_folder else ()
    return Resource(Ref(Kind.GRAFANA_DASHBOARD, uid), title, body, SRC, depends_on=deps)


def metricity(**extra: Any) -> Resource:
    body = {
        "uid": "metricity", "name": "Metricity", "type": "grafana-postgresql-datasource", "access": "proxy",
        "url": "metricity-db:5432", "user": "grafana", "jsonData": {"database": "metricity", "sslmode": "disable"},
    } | extra  # fmt: skip
    return Resource(
        Ref(Kind.GRAFANA_DATASOURCE, "metricity"), "Metricity", body, SRC, secret_env={"password": "METRICITY_PASSWORD"}
    )


def standard() -> list[Resource]:
    return [
        folder("pydis-dash-site", "Site"),
        folder("pydis-dash-site-api", "API", parent="pydis-dash-site"),
        metricity(),
        dashboard("site-overview", "Site overview", "pydis-dash-site-api"),
        dashboard("bot", "Bot", "pydis-dash-site"),
        dashboard("home", "Home"),
    ]


@dataclass
class Project:
    """A project directory configured for the emulator, with the resources its loader returns."""

    root: Path
    grafana: GrafanaEmulator
    caplog: pytest.LogCaptureFixture
    resources: list[Resource] = field(default_factory=standard)
    forbidden: tuple[str, ...] = (TOKEN, SECRET)

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["--project", str(self.root), *args], catch_exceptions=False)
        for text in (result.stdout, result.stderr, self.caplog.text):
            for secret in self.forbidden:
                assert secret not in text, f"secret leaked in output of {args}"
        return result

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        """A change made by a person (the 'UI'), with another token."""
        return requests.request(
            method, self.grafana.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5
        )

    def ui_edit(self, uid: str, **changes: Any) -> None:
        model = self.admin("GET", f"/api/dashboards/uid/{uid}").json()["dashboard"]
        saved = self.admin(
            "POST",
            "/api/dashboards/db",
            {"dashboard": model | changes, "folderUid": self.grafana.dashboards[uid].folder_uid},
        )
        assert saved.status_code == 200, saved.text


def write_config(root: Path, url: str, **extra: str) -> None:
    lines = [
        "[tool.pydis-dash.environments.test]",
        f'grafana_url = "{url}"',
        'grafana_token_env = "TEST_GRAFANA_TOKEN"',
        "read_timeout = 0.5",
        "retries = 2",
        *(f"{key} = {value}" for key, value in extra.items()),
    ]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    """Grafana 11.6 unless a test names a release line (``"12.1-new-layouts"``) or a major version."""
    release = getattr(request, "param", 11)
    with GrafanaEmulator(
        {TOKEN: "sa-pydis-dash", ADMIN: "admin"},
        release=str(release) if isinstance(release, str) else None,
        version=release if isinstance(release, int) else 11,
    ) as emulator:
        yield emulator  # type: ignore[misc]


@pytest.fixture
def project(
    tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Project:
    caplog.set_level(logging.DEBUG)
    root = tmp_path / "project"
    root.mkdir()
    write_config(root, grafana.url)
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("METRICITY_PASSWORD", SECRET)
    monkeypatch.setenv("PYDIS_DASH_REVISION", "abc123")
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    state = Project(root, grafana, caplog)

    def load(project_dir: Path, selectors: Any = ()) -> list[Resource]:
        return [r for r in state.resources if not selectors or str(r.ref) in selectors]

    monkeypatch.setattr("pydis_dash.cli.deploy.load_resources", load)
    return state


def writes(grafana: GrafanaEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in grafana.writes()]


# --- the main story ----------------------------------------------------------------------------------


@pytest.mark.parametrize("grafana", [9, *SUPPORTED], indirect=True, ids=lambda v: f"grafana{v}")
def test_first_deploy_creates_everything_and_the_second_writes_nothing(
    project: Project, grafana: GrafanaEmulator
) -> None:
    first = project.run("deploy", "--env", "test")
    assert first.exit_code == 0, first.output
    assert set(grafana.folders) == {"pydis-dash-site", "pydis-dash-site-api"}
    assert grafana.folders["pydis-dash-site-api"].parent_uid == "pydis-dash-site"
    assert set(grafana.dashboards) == {"site-overview", "bot", "home"}
    assert grafana.dashboards["site-overview"].folder_uid == "pydis-dash-site-api"
    assert "pydis-dash" in grafana.dashboards["home"].model["tags"]
    assert [v["message"] for v in grafana.dashboards["home"].versions] == ["pydis-dash abc123"]
    assert grafana.secret_of("metricity", "password") == SECRET
    assert "+ 6 create" in first.stdout and first.stdout.count("\nok ") == 6
    grafana.reset_log()

    second = project.run("deploy", "--env", "test")
    assert second.exit_code == 0 and "Nothing to deploy." in second.stdout
    assert writes(grafana) == []
    assert grafana.count("GET", "/api/health") == 1  # the server is asked what it is once per run
    assert project.run("diff", "--env", "test", "--exit-code").exit_code == 0


def test_apply_order_is_folders_then_datasources_then_dashboards(project: Project, grafana: GrafanaEmulator) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    posts = [r.path for r in grafana.requests if r.method == "POST"]
    assert posts == ["/api/folders", "/api/folders", "/api/datasources", *["/api/dashboards/db"] * 3]


def test_diff_shows_changes_exits_2_and_writes_nothing(project: Project, grafana: GrafanaEmulator) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    grafana.reset_log()
    project.resources[3] = dashboard("site-overview", "Site overview (v2)", "pydis-dash-site-api")
    project.resources.append(dashboard("new", "New"))
    text = project.run("diff", "--env", "test", "--exit-code")
    assert text.exit_code == 2, text.output
    assert "~ grafana-dashboard/site-overview" in text.stdout and "+ grafana-dashboard/new" in text.stdout
    assert '-    "title": "Site overview",' in text.stdout and '+    "title": "Site overview (v2)",' in text.stdout
    assert "+ 1 create  ~ 1 update  - 0 delete  = 5 unchanged" in text.stdout
    as_json = project.run("diff", "--env", "test", "--format", "json")
    assert as_json.exit_code == 0
    import json

    document = json.loads(as_json.stdout)
    assert document["summary"]["update"] == 1 and document["summary"]["create"] == 1
    assert document["servers"] == [
        {
            "target": "grafana",
            "version": "11.6.4",
            "dashboardApi": "/api/dashboards",
            "schemaV2Api": None,
            "summary": "Grafana 11.6.4: dashboards through /api/dashboards (dashboard.grafana.app not served)",
        }
    ]
    assert writes(grafana) == []


def test_diff_markdown_is_the_pr_comment_for_a_live_plan(project: Project, grafana: GrafanaEmulator) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    grafana.reset_log()
    project.resources.append(dashboard("new", "New"))
    result = project.run("diff", "--env", "test", "--format", "markdown", "--exit-code")
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("### pydis-dash plan for `test`\n")
    assert "| + create | grafana-dashboard | `new` | New |  |" in result.stdout
    assert (
        "Server: Grafana 11.6.4: dashboards through /api/dashboards (dashboard.grafana.app not served)" in result.stdout
    )
    assert "<summary>+ <code>grafana-dashboard/new</code>" in result.stdout and "```diff" in result.stdout
    assert writes(grafana) == []


@pytest.mark.parametrize("grafana", [9, *SUPPORTED], indirect=True, ids=lambda v: f"grafana{v}")
def test_an_edit_in_the_ui_is_drift_refused_unless_forced(project: Project, grafana: GrafanaEmulator) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    project.ui_edit("bot", title="Bot (edited by hand)")
    diff = project.run("diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 2
    assert "! drift: changed outside pydis-dash by admin at" in diff.stdout and "(version 2)" in diff.stdout
    grafana.reset_log()
    refused = project.run("deploy", "--env", "test")
    assert refused.exit_code == 1 and "refused" in refused.stdout and "--force overwrites" in refused.stdout
    assert writes(grafana) == [] and grafana.dashboards["bot"].model["title"] == "Bot (edited by hand)"
    forced = project.run("deploy", "--env", "test", "--force")
    assert forced.exit_code == 0, forced.output
    assert grafana.dashboards["bot"].model["title"] == "Bot"
    assert grafana.dashboards["bot"].versions[-1]["message"] == "pydis-dash abc123"
    assert project.run("diff", "--env", "test", "--exit-code").exit_code == 0


def store_as_schema_v2(project: Project, grafana: GrafanaEmulator, uid: str) -> None:
    """Someone changes ``uid`` and it ends up stored as schema v2: a save in the UI where the new layouts
    are on, else a save through the v2 API (as another tool or an import would)."""
    if grafana.release.new_layouts:
        grafana.save_in_ui(uid, title="Bot (new layout)")
        return
    v2 = grafana.release.v2_storage
    path = f"/apis/dashboard.grafana.app/{v2}/namespaces/default/dashboards/{uid}"
    found = project.admin("GET", path).json()
    found["spec"]["title"] = "Bot (new layout)"
    assert project.admin("PUT", path, found).status_code == 200


@pytest.mark.parametrize("grafana", WITH_SCHEMA_V2, indirect=True, ids=lambda v: f"grafana{v}")
def test_a_dashboard_stored_as_schema_v2_is_drift_and_everything_else_still_deploys(
    project: Project, grafana: GrafanaEmulator
) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    store_as_schema_v2(project, grafana, "bot")
    v2 = grafana.release.v2_storage
    project.resources[3] = dashboard("site-overview", "Site overview (v2)", "pydis-dash-site-api")
    project.resources.append(dashboard("new", "New"))
    diff = project.run("diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 2, diff.output
    assert f"Server: Grafana {grafana.release.build}: dashboards through dashboard.grafana.app/" in diff.stdout
    assert f"! drift: converted to schema {v2} in the UI by admin at" in diff.stdout
    assert '"storedAs": "' + v2 + '"' in diff.stdout and '"elements": {' in diff.stdout  # read natively
    grafana.reset_log()

    refused = project.run("deploy", "--env", "test")
    assert refused.exit_code == 1, refused.output
    assert "refused" in refused.stdout and "--force overwrites" in refused.stdout
    assert grafana.dashboards["bot"].stored == v2 and grafana.dashboards["bot"].v2_spec is not None
    assert grafana.dashboards["site-overview"].model["title"] == "Site overview (v2)"
    assert "new" in grafana.dashboards
    assert not any(path.endswith("/bot") for _, path in writes(grafana))

    forced = project.run("deploy", "--env", "test", "--force")
    assert forced.exit_code == 0, forced.output
    assert f"replaced the schema {v2} dashboard" in forced.stdout
    bot = grafana.dashboards["bot"]
    assert bot.stored == "v1" and bot.model["title"] == "Bot" and bot.folder_uid == "pydis-dash-site"
    assert bot.versions[-1]["message"] == "pydis-dash abc123"
    assert project.run("diff", "--env", "test", "--exit-code").exit_code == 0


@pytest.mark.parametrize("grafana", WITH_SCHEMA_V2, indirect=True, ids=lambda v: f"grafana{v}")
def test_a_misreported_stored_version_still_never_overwrites_an_edit(
    project: Project, grafana: GrafanaEmulator
) -> None:
    """grafana/grafana#124675: ``storedVersion`` says ``v0alpha1`` whatever the storage. 12.x still says the
    conversion failed (so the dashboard is read as v2); 13.x hands over its lossy conversion, which then
    shows as an ordinary edit made outside pydis-dash: refused all the same, the rest deploys."""
    assert project.run("deploy", "--env", "test").exit_code == 0
    store_as_schema_v2(project, grafana, "bot")
    grafana.dashboard_api.misreport_stored_version = True
    project.resources.append(dashboard("new", "New"))
    diff = project.run("diff", "--env", "test")
    assert diff.exit_code == 0, diff.output
    expected = (
        "changed outside pydis-dash by admin" if grafana.release.legacy_get_converts_v2 else "converted to schema"
    )
    assert f"! drift: {expected}" in diff.stdout
    refused = project.run("deploy", "--env", "test")
    assert refused.exit_code == 1 and "new" in grafana.dashboards and grafana.dashboards["bot"].is_v2


@pytest.mark.parametrize("grafana", ["12.1"], indirect=True, ids=lambda v: f"grafana{v}")
@pytest.mark.parametrize(
    ("refused", "drift"),
    [
        (r"/apis/dashboard\.grafana\.app", "converted to schema v2alpha1 in the UI by admin at"),
        (r"/apis/.*", "converted to schema v2alpha1 in the UI\n"),
    ],
    ids=["discovery-refused", "apis-refused"],
)
def test_a_406_for_a_schema_v2_dashboard_is_drift_even_without_discovery(
    project: Project, grafana: GrafanaEmulator, refused: str, drift: str
) -> None:
    """Grafana 12 behind a proxy that refuses /apis discovery (or all of /apis): the legacy read's 406
    names the v2 path, the dashboard is read from there where it can be, and reported either way; it
    cannot be replaced losslessly, and everything else deploys."""
    assert project.run("deploy", "--env", "test").exit_code == 0
    store_as_schema_v2(project, grafana, "bot")
    grafana.inject("GET", refused, Status(403, {"message": "Forbidden"}), times=None)
    project.resources.append(dashboard("new", "New"))
    diff = project.run("diff", "--env", "test")
    assert diff.exit_code == 0, diff.output
    assert "dashboards through /api/dashboards" in diff.stdout
    assert f"! drift: {drift}" in diff.stdout
    forced = project.run("deploy", "--env", "test", "--force")
    assert forced.exit_code == 1
    assert "stored as schema v2alpha1, and this Grafana did not list dashboard.grafana.app" in forced.stdout
    assert "new" in grafana.dashboards and grafana.dashboards["bot"].stored == "v2alpha1"


@pytest.mark.parametrize("grafana", SUPPORTED, indirect=True, ids=lambda v: f"grafana{v}")
def test_prune_deletes_only_managed_resources_gone_from_code(project: Project, grafana: GrafanaEmulator) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    assert project.admin("POST", "/api/folders", {"uid": "team", "title": "Team"}).status_code == 200
    mine = {"dashboard": {"uid": "mine", "title": "Mine", "tags": ["x"]}, "folderUid": "pydis-dash-site"}
    assert project.admin("POST", "/api/dashboards/db", mine).status_code == 200
    assert (
        project.admin("POST", "/api/dashboards/db", {"dashboard": {"uid": "theirs", "title": "Theirs"}}).status_code
        == 200
    )
    other_ds = {"uid": "loki", "name": "Loki", "type": "loki", "access": "proxy"}
    assert project.admin("POST", "/api/datasources", other_ds).status_code == 200
    project.resources = [
        r for r in project.resources if r.ref.uid in ("pydis-dash-site-api", "metricity", "site-overview", "home")
    ]
    project.resources[0] = folder("pydis-dash-site-api", "API")  # moved to the root, out of the doomed folder
    diff = project.run("diff", "--env", "test")
    assert "Managed but gone from code (deploy --prune deletes them):" in diff.stdout
    assert "grafana-dashboard/bot" in diff.stdout and "grafana-dashboard/theirs  'Theirs'" in diff.stdout
    grafana.reset_log()
    pruned = project.run("deploy", "--env", "test", "--prune")
    # The Site folder holds the unmanaged dashboard 'mine': refusing keeps it (deleting would take it along).
    assert pruned.exit_code == 1
    assert "holds unmanaged dashboard 'mine'" in pruned.stdout
    # /api/dashboards/uid/bot, or /apis/dashboard.grafana.app/<v>/namespaces/default/dashboards/bot from 12
    assert any(method == "DELETE" and path.endswith("/bot") for method, path in writes(grafana))
    assert not any(
        path.endswith(("/mine", "/theirs", "/team", "/loki", "/pydis-dash-site")) for _, path in writes(grafana)
    )
    assert set(grafana.dashboards) == {"site-overview", "home", "mine", "theirs"}
    assert set(grafana.folders) == {"pydis-dash-site", "pydis-dash-site-api", "team"}
    assert set(grafana.datasources) == {"metricity", "loki"}
    assert grafana.folders["pydis-dash-site-api"].parent_uid == ""
    project.admin("DELETE", "/api/dashboards/uid/mine")
    assert project.run("deploy", "--env", "test", "--prune").exit_code == 0
    assert set(grafana.folders) == {"pydis-dash-site-api", "team"}


@pytest.mark.parametrize("grafana", ["11.6", "13.0"], indirect=True, ids=lambda v: f"grafana{v}")
def test_dry_run_writes_nothing(project: Project, grafana: GrafanaEmulator) -> None:
    result = project.run("deploy", "--env", "test", "--dry-run")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("dry-run ")]
    assert len(rows) == 6 and all(row.endswith("would be created") for row in rows)
    assert "Deploy: 6 dry-run" in result.stdout
    assert writes(grafana) == [] and not grafana.dashboards and not grafana.datasources


def test_an_existing_unmanaged_uid_is_only_adopted_with_force(project: Project, grafana: GrafanaEmulator) -> None:
    assert (
        project.admin(
            "POST", "/api/dashboards/db", {"dashboard": {"uid": "home", "title": "Someone's home"}}
        ).status_code
        == 200
    )
    project.resources = [dashboard("home", "Home")]
    refused = project.run("deploy", "--env", "test")
    assert refused.exit_code == 1 and "not managed by pydis-dash" in refused.stdout
    assert grafana.dashboards["home"].model["title"] == "Someone's home"
    assert project.run("deploy", "--env", "test", "--force").exit_code == 0
    assert "pydis-dash" in grafana.dashboards["home"].model["tags"]
    assert project.run("diff", "--env", "test", "--exit-code").exit_code == 0


# --- secrets -----------------------------------------------------------------------------------------


def test_secrets_are_sent_on_create_and_rotation_only(
    project: Project, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.resources = [metricity()]
    assert project.run("deploy", "--env", "test").exit_code == 0
    assert grafana.secret_of("metricity", "password") == SECRET
    grafana.reset_log()
    assert project.run("deploy", "--env", "test").exit_code == 0 and writes(grafana) == []
    rotated = "rotated-password-also-secret-7q"
    project.forbidden += (rotated,)
    monkeypatch.setenv("METRICITY_PASSWORD", rotated)
    result = project.run("deploy", "--env", "test", "--rotate-secrets")
    assert result.exit_code == 0, result.output
    assert "secret 'password' is rotated from $METRICITY_PASSWORD" in result.stdout
    assert writes(grafana) == [("PUT", "/api/datasources/uid/metricity")]
    assert grafana.secret_of("metricity", "password") == rotated


def test_a_secret_missing_in_grafana_is_sent_again(project: Project, grafana: GrafanaEmulator) -> None:
    project.resources = [metricity()]
    assert project.run("deploy", "--env", "test").exit_code == 0
    grafana.datasources["metricity"].secure.clear()
    diff = project.run("diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 2 and "secret 'password' is not set in Grafana" in diff.stdout
    assert project.run("deploy", "--env", "test").exit_code == 0
    assert grafana.secret_of("metricity", "password") == SECRET


def test_a_missing_secret_variable_fails_that_resource_only(
    project: Project, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METRICITY_PASSWORD")
    result = project.run("deploy", "--env", "test")
    assert result.exit_code == 1
    assert "environment variable $METRICITY_PASSWORD is not set" in result.stdout
    assert "metricity" not in grafana.datasources and len(grafana.dashboards) == 3


# --- conflicts ---------------------------------------------------------------------------------------


CONFLICTS = {
    "11.6": "412 version-mismatch: The dashboard has been changed by someone else",
    "13.0": (
        '409 Conflict: Operation cannot be fulfilled on dashboards.dashboard.grafana.app "bot": the object has been '
        "modified; please apply your changes to the latest version and try again"
    ),
}


@pytest.mark.parametrize("grafana", list(CONFLICTS), indirect=True, ids=lambda v: f"grafana{v}")
def test_a_version_conflict_after_planning_is_reported_never_overwritten(
    project: Project, grafana: GrafanaEmulator
) -> None:
    assert project.run("deploy", "--env", "test").exit_code == 0
    grafana.reset_log()
    provider = GrafanaProvider(GrafanaClient(grafana.url, TOKEN, environment="test", retries=0))
    changed = [r if r.ref.uid != "bot" else dashboard("bot", "Bot v2", "pydis-dash-site") for r in project.resources]
    plan = build_plan("test", [provider], changed)
    project.ui_edit("bot", title="Edited between diff and deploy")
    report = apply_plan(plan, [provider], ApplyContext("pydis-dash abc123", environ={"METRICITY_PASSWORD": SECRET}))
    (result,) = report.results
    assert result.outcome == Outcome.FAILED
    assert result.detail == CONFLICTS[grafana.release.name]
    assert grafana.dashboards["bot"].model["title"] == "Edited between diff and deploy"
    attempts = [r for r in grafana.writes() if r.path.endswith(("/api/dashboards/db", "/dashboards/bot"))]
    assert len(attempts) == 2  # the UI edit and our single attempt: no retry, no overwrite


def test_a_name_conflict_fails_the_datasource_but_not_independent_resources(
    project: Project, grafana: GrafanaEmulator
) -> None:
    taken = {"uid": "old-metricity", "name": "Metricity", "type": "grafana-postgresql-datasource", "access": "proxy"}
    assert project.admin("POST", "/api/datasources", taken).status_code == 200
    result = project.run("deploy", "--env", "test")
    assert result.exit_code == 1
    assert "409: data source with the same name already exists" in result.stdout
    assert len(grafana.dashboards) == 3 and set(grafana.datasources) == {"old-metricity"}


# --- environment problems ----------------------------------------------------------------------------


def test_a_wrong_token_is_one_line_exit_3_and_nothing_else(
    project: Project, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", "glsa_wrong")
    result = project.run("deploy", "--env", "test")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"error: environment 'test': Grafana at {grafana.url} answered 401 Unauthorized to GET /api/search: Invalid API key"
    ]
    assert len(grafana.requests) == 1 and writes(grafana) == []


def test_an_unreachable_grafana_is_one_line_exit_3(project: Project) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write_config(project.root, f"http://127.0.0.1:{port}")
    result = project.run("diff", "--env", "test")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"error: environment 'test': cannot reach Grafana: GET /api/search: connection refused (http://127.0.0.1:{port})"
    ]


def test_configuration_problems_exit_3(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = project.run("diff", "--env", "nope")
    assert unknown.exit_code == 3 and "unknown environment 'nope'" in unknown.stderr
    monkeypatch.delenv("TEST_GRAFANA_TOKEN")
    unset = project.run("diff", "--env", "test")
    assert unset.exit_code == 3 and "$TEST_GRAFANA_TOKEN (the Grafana service-account token) is not set" in unset.stderr
    write_config(project.root, "http://grafana.example.org")
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", TOKEN)
    insecure = project.run("diff", "--env", "test")
    assert insecure.exit_code == 3 and "refusing plain http to grafana.example.org" in insecure.stderr


def test_prune_refuses_selectors(project: Project, grafana: GrafanaEmulator) -> None:
    result = project.run("deploy", "--env", "test", "--prune", "grafana-dashboard/home")
    # A usage error is a tool error (3): exit 2 is reserved for "changes present".
    assert result.exit_code == 3 and "--prune needs the whole project" in result.stderr
    assert grafana.requests == []


def test_the_dry_run_guard_stops_writes_at_the_transport(grafana: GrafanaEmulator) -> None:
    client = GrafanaClient(grafana.url, TOKEN, environment="test")
    client.enable_dry_run()
    assert client.get("/api/search") == []
    for write in (lambda: client.post("/api/folders", {"title": "F"}), lambda: client.delete("/api/folders/x")):
        with pytest.raises(DryRunBlocked):
            write()
    assert writes(grafana) == [] and [r.method for r in grafana.requests] == ["GET"]


def test_concurrency_is_bounded(project: Project, grafana: GrafanaEmulator) -> None:
    project.resources = [dashboard(f"d{i}", f"Dashboard {i}") for i in range(16)]
    grafana.inject("POST", r"/api/dashboards/db", Latency(0.05), times=None)
    result = project.run("deploy", "--env", "test", "--concurrency", "3")
    assert result.exit_code == 0, result.output
    assert len(grafana.dashboards) == 16
    assert 1 < grafana.max_in_flight <= 3


# --- faults ------------------------------------------------------------------------------------------

RETRIED = "retried"
FAILED = "failed"
PLAN_FAILED = "plan-failed"

FAULTS: list[tuple[str, str, Fault, str]] = [
    ("GET", r"/api/search", Latency(0.05), RETRIED),
    ("GET", r"/api/dashboards/uid/[^/]+", Latency(1.0), RETRIED),  # over the read timeout: retried
    ("POST", r"/api/dashboards/db", Latency(1.0), FAILED),  # a write timing out is not resent
    ("GET", r"/api/search", Status(502), RETRIED),
    ("GET", r"/api/datasources", Status(503), RETRIED),
    ("PUT", r"/api/datasources/uid/metricity", Status(503), RETRIED),
    ("POST", r"/api/dashboards/db", Status(500), FAILED),
    ("POST", r"/api/folders", Status(503), FAILED),  # a POST is never resent on 5xx: it may have been applied
    ("POST", r"/api/dashboards/db", RateLimited(retry_after=0), RETRIED),
    ("POST", r"/api/folders", RateLimited(retry_after=1), RETRIED),
    ("GET", r"/api/search", ResetMidResponse(), RETRIED),
    ("POST", r"/api/dashboards/db", ResetMidResponse(), FAILED),
    ("PUT", r"/api/datasources/uid/metricity", ResetMidResponse(), FAILED),
    ("GET", r"/api/dashboards/uid/[^/]+", SlowBody(delay=0.02, chunks=4), RETRIED),
    ("GET", r"/api/dashboards/uid/[^/]+", SlowBody(delay=0.8, chunks=3), PLAN_FAILED),
]


#: Grafana 13 reads and writes dashboards through dashboard.grafana.app: the same guarantees there.
APP_PLATFORM = r"/apis/dashboard\.grafana\.app/v1/namespaces/default/dashboards"
APP_PLATFORM_FAULTS: list[tuple[str, str, Fault, str]] = [
    ("GET", r"/apis/dashboard\.grafana\.app", Status(503), RETRIED),  # discovery is a read like any other
    ("GET", r"/apis/dashboard\.grafana\.app", Status(500, {"message": "boom"}), PLAN_FAILED),  # never guessed
    ("GET", APP_PLATFORM + "/[^/]+", Latency(1.0), RETRIED),
    ("PUT", APP_PLATFORM + "/[^/]+", Status(503), RETRIED),  # PUT carries the resourceVersion: safe to resend
    ("PUT", APP_PLATFORM + "/[^/]+", ResetMidResponse(), FAILED),  # the resent PUT meets its own write: 409
    ("POST", APP_PLATFORM, Status(500), FAILED),
    ("POST", APP_PLATFORM, ResetMidResponse(), FAILED),
    ("GET", APP_PLATFORM + "/[^/]+", SlowBody(delay=0.8, chunks=3), PLAN_FAILED),
]


@pytest.mark.parametrize(
    ("grafana", "method", "path", "fault", "expected"),
    [("11.6", *fault) for fault in FAULTS] + [("13.0", *fault) for fault in APP_PLATFORM_FAULTS],
    ids=lambda v: getattr(v, "__name__", None) or repr(v),
    indirect=["grafana"],
)
def test_each_fault_is_survived_or_reported_and_a_rerun_converges(
    project: Project, grafana: GrafanaEmulator, method: str, path: str, fault: Fault, expected: str
) -> None:
    # A deployed baseline, an unmanaged dashboard, and a change to every managed kind, so that each
    # route the faults target is used by the faulty run.
    assert project.run("deploy", "--env", "test").exit_code == 0
    assert (
        project.admin("POST", "/api/dashboards/db", {"dashboard": {"uid": "theirs", "title": "Theirs"}}).status_code
        == 200
    )
    theirs_version = grafana.dashboards["theirs"].version
    project.resources = [
        folder("pydis-dash-site", "Site"),
        folder("pydis-dash-site-api", "API", parent="pydis-dash-site"),
        folder("pydis-dash-bot", "Bot"),
        metricity(url="metricity-db:6432"),
        dashboard("site-overview", "Site overview v2", "pydis-dash-site-api"),
        dashboard("bot", "Bot", "pydis-dash-bot"),
        dashboard("home", "Home"),
        dashboard("extra", "Extra"),
    ]
    grafana.inject(method, path, fault)
    faulty = project.run("deploy", "--env", "test")
    grafana.wait_idle()  # a request the client gave up on may still be running on the server
    if expected == RETRIED:
        assert faulty.exit_code == 0, faulty.output
    elif expected == FAILED:
        assert faulty.exit_code == 1, faulty.output
        assert "failed" in faulty.stdout
    else:
        assert faulty.exit_code == 3, faulty.output
        assert faulty.stderr.startswith("error: test: reading live grafana-dashboard failed")
    assert any(r.fault == type(fault).__name__ for r in grafana.requests)  # the fault was exercised

    grafana.clear_faults()
    rerun = project.run("deploy", "--env", "test")
    assert rerun.exit_code == 0, rerun.output
    grafana.reset_log()
    assert project.run("deploy", "--env", "test").exit_code == 0
    assert writes(grafana) == []  # converged
    assert set(grafana.dashboards) == {"site-overview", "bot", "home", "extra", "theirs"}  # nothing duplicated
    assert set(grafana.folders) == {"pydis-dash-site", "pydis-dash-site-api", "pydis-dash-bot"}
    assert grafana.dashboards["bot"].folder_uid == "pydis-dash-bot"
    assert grafana.datasources["metricity"].fields["url"] == "metricity-db:6432"
    assert grafana.dashboards["theirs"].version == theirs_version  # the unmanaged one was never touched


def test_a_url_that_does_not_answer_like_grafana_is_one_line_exit_3(project: Project, grafana: GrafanaEmulator) -> None:
    grafana.inject("GET", r"/api/search", Status(404, {"message": "Not Found"}))
    result = project.run("diff", "--env", "test")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"error: environment 'test': Grafana at {grafana.url} answered GET /api/search with 404: Not Found"
    ]
    assert writes(grafana) == []
