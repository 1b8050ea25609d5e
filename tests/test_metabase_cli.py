"""``pydis-dash diff`` and ``deploy`` on a project of Metabase questions, against the emulator."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from emulators.http import Status
from emulators.metabase import MetabaseEmulator, new_state
from metabase_support import content_writes

from pydis_dash.cli import main
from pydis_dash.metabase.marker import key_of

KEY = "mb-cli-key-5f1d2c"
PASSWORD = "pw-7ad90e1c"

QUESTIONS = """
from pydis_dash.metabase import FieldFilter, Question, TextVariable

nominee = Question(
    key="nominee-channels",
    name="{name}",
    collection="Moderation/Nominations",
    database="Metricity",
    sql="nominee_channels.sql",
    variables=[TextVariable("user_id", "User ID", required=True)],
    display="bar",
)

event = Question(
    key="event-activity",
    name="Event activity",
    collection="Community/Events",
    database="Metricity",
    sql="SELECT count(*) FROM messages JOIN channels ON channels.id = messages.channel_id [[WHERE {{{{channel}}}}]]",
    variables=[FieldFilter("channel", "Channel", field="channels.name")],
)
"""


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    state = new_state(api_key=KEY, username="deploy@example.com", password=PASSWORD)
    return metabase_server.reset(state)


def write_project(root: Path, url: str, *, name: str = "Channels a nominee frequents", auth: str = "key") -> Path:
    credentials = (
        'metabase_api_key_env = "TEST_MB_KEY"'
        if auth == "key"
        else 'metabase_user_env = "TEST_MB_USER"\nmetabase_password_env = "TEST_MB_PASSWORD"'
    )
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.pydis-dash.environments.test]
            metabase_url = "{url}"
            """
        )
        + credentials
        + "\nretries = 1\n"
    )
    questions = root / "dashboards" / "metabase"
    questions.mkdir(parents=True, exist_ok=True)
    (questions / "questions.py").write_text(QUESTIONS.format(name=name))
    (questions / "nominee_channels.sql").write_text(
        "SELECT channel_id, count(*) FROM messages WHERE author_id = {{user_id}} GROUP BY 1\n"
    )
    return root


def run(root: Path, *args: str, key: str = KEY) -> Result:
    environment = {
        "TEST_MB_KEY": key,
        "TEST_MB_USER": "deploy@example.com",
        "TEST_MB_PASSWORD": PASSWORD,
        "PYDIS_DASH_REVISION": "abc123",
    }
    return CliRunner().invoke(main, ["--project", str(root), *args], env=environment, catch_exceptions=False)


def output(result: Result) -> str:
    return result.stdout + result.stderr


def test_deploy_then_diff_shows_no_changes(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    first = run(root, "deploy", "--env", "test")
    assert first.exit_code == 0, output(first)
    assert len(emulator.state.cards) == 2

    emulator.reset_log()
    diff = run(root, "diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 0, output(diff)
    assert "+ 0 create  ~ 0 update  - 0 delete  = 6 unchanged" in diff.stdout
    assert "Server: Metabase v0.57.3: cards stored as MBQL 5; questions sent as legacy native queries" in diff.stdout
    again = run(root, "deploy", "--env", "test")
    assert again.exit_code == 0
    assert "Nothing to deploy." in again.stdout
    assert content_writes(emulator) == []
    for result in (first, diff, again):
        assert KEY not in output(result)


def test_diff_exit_code_and_json_after_a_rename(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    assert run(root, "deploy", "--env", "test").exit_code == 0
    write_project(tmp_path, emulator.url, name="Where a nominee posts")
    diff = run(root, "diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 2
    assert "~ metabase-question/nominee-channels" in diff.stdout
    assert '+  "name": "Where a nominee posts"' in diff.stdout
    document = json.loads(run(root, "diff", "--env", "test", "--format", "json").stdout)
    assert document["summary"]["update"] == 1


def test_prune_archives_removed_questions(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    assert run(root, "deploy", "--env", "test").exit_code == 0
    source = root / "dashboards" / "metabase" / "questions.py"
    source.write_text(source.read_text().split("event = Question(")[0])
    result = run(root, "deploy", "--env", "test", "--prune")
    assert result.exit_code == 0, output(result)
    archived = [c for c in emulator.state.cards.values() if c["archived"]]
    assert [key_of(c["description"]) for c in archived] == ["event-activity"]


def test_rejected_key_is_exit_3_with_one_line_and_no_secret(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    result = run(root, "deploy", "--env", "test", key="wrong-key-31337")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        "error: test: Metabase rejected the credentials (HTTP 401 on GET /api/user/current: Unauthenticated)"
    ]
    assert "wrong-key-31337" not in output(result)
    assert content_writes(emulator) == []


def test_unknown_database_is_exit_1_naming_the_file(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    source = root / "dashboards" / "metabase" / "questions.py"
    source.write_text(
        source.read_text().replace('database="Metricity",\n    sql="nominee', 'database="Site",\n    sql="nominee')
    )
    result = run(root, "diff", "--env", "test")
    assert result.exit_code == 1
    assert "dashboards/metabase/questions.py:4: question 'nominee-channels': database 'Site' not found" in result.stderr


def test_undeclared_variable_is_exit_1_before_any_request(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    (root / "dashboards" / "metabase" / "nominee_channels.sql").write_text("SELECT {{user_id}}, {{since}}\n")
    result = run(root, "deploy", "--env", "test")
    assert result.exit_code == 1
    assert "{{since}} is used in the SQL (line 1) but not declared" in result.stderr
    assert "nominee_channels.sql:1" in result.stderr
    assert emulator.requests == []


def test_server_error_mid_deploy_is_exit_1_and_rerun_converges(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    emulator.inject("POST", r"/api/card/?", Status(502), times=1)
    failed = run(root, "deploy", "--env", "test")
    assert failed.exit_code == 1
    assert "failed" in failed.stdout
    rerun = run(root, "deploy", "--env", "test")
    assert rerun.exit_code == 0, output(rerun)
    keys = sorted(key_of(c["description"]) or "" for c in emulator.state.cards.values())
    assert keys == ["event-activity", "nominee-channels"]


def test_username_and_password_login(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url, auth="session")
    result = run(root, "deploy", "--env", "test")
    assert result.exit_code == 0, output(result)
    assert len(emulator.state.cards) == 2
    assert PASSWORD not in output(result)


def test_drift_is_shown_refused_and_forced(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    staff_key = "mb-staff-key-0c41d9"
    emulator.state.add_person("sam@example.com", "Sam", "Staff", api_key=staff_key)
    root = write_project(tmp_path, emulator.url)
    assert run(root, "deploy", "--env", "test").exit_code == 0
    [card] = [c for c in emulator.state.cards.values() if key_of(c["description"]) == "nominee-channels"]
    edit = requests.put(
        f"{emulator.url}/api/card/{card['id']}",
        json={"name": "Sam's copy"},
        headers={"x-api-key": staff_key},
        timeout=5,
    )
    edit.raise_for_status()

    diff = run(root, "diff", "--env", "test", "--exit-code")
    assert diff.exit_code == 2
    assert "! drift: edited outside pydis-dash since its last deploy by Sam Staff <sam@example.com> at " in diff.stdout
    refused = run(root, "deploy", "--env", "test")
    assert refused.exit_code == 1
    assert "refused" in refused.stdout and "--force overwrites" in refused.stdout
    assert emulator.state.cards[card["id"]]["name"] == "Sam's copy"
    forced = run(root, "deploy", "--env", "test", "--force")
    assert forced.exit_code == 0, output(forced)
    assert emulator.state.cards[card["id"]]["name"] == "Channels a nominee frequents"
    emulator.reset_log()
    again = run(root, "deploy", "--env", "test")
    assert again.exit_code == 0 and "Nothing to deploy." in again.stdout
    assert content_writes(emulator) == []
    for result in (diff, refused, forced, again):
        assert KEY not in output(result) and staff_key not in output(result)


def test_a_saved_plan_applies_and_refuses_a_card_edited_since(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    assert run(root, "deploy", "--env", "test").exit_code == 0
    write_project(tmp_path, emulator.url, name="Where a nominee talks")
    plan = root / "plan.json"
    assert run(root, "diff", "--env", "test", "--out", str(plan)).exit_code == 0

    applied = run(root, "deploy", "--env", "test", "--plan", str(plan))
    assert applied.exit_code == 0, output(applied)
    names = {key_of(c["description"]): c["name"] for c in emulator.state.cards.values()}
    assert names["nominee-channels"] == "Where a nominee talks"

    # A second plan, then someone edits that card before it is applied: refused, the rest untouched.
    write_project(tmp_path, emulator.url, name="Channels again")
    assert run(root, "diff", "--env", "test", "--out", str(plan)).exit_code == 0
    [card] = [c for c in emulator.state.cards.values() if key_of(c["description"]) == "nominee-channels"]
    staff_key = "mb-staff-key-81b2aa"
    emulator.state.add_person("sam@example.com", "Sam", "Staff", api_key=staff_key)
    edit = requests.put(
        f"{emulator.url}/api/card/{card['id']}", json={"name": "Sam's"}, headers={"x-api-key": staff_key}, timeout=5
    )
    edit.raise_for_status()
    refused = run(root, "deploy", "--env", "test", "--plan", str(plan))
    assert refused.exit_code == 1
    [line] = [line for line in refused.stdout.splitlines() if line.startswith("refused")]
    assert "metabase-question/nominee-channels" in line and "moved on since the plan was made" in line
    assert emulator.state.cards[card["id"]]["name"] == "Sam's"
    assert KEY not in plan.read_text() and KEY not in output(refused)
