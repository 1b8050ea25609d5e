"""``pull`` against the Metabase emulator: a managed card edited in the UI (name, SQL in its ``.sql``
file, display, a variable's default) comes back into the code as in-place edits, after which ``diff``
shows nothing; what cannot be mapped is printed with the live card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result
from emulators.metabase import RELEASES, MetabaseEmulator, new_state
from import_support import scratch_project
from pull_support import changed_lines, commit_all, run

from pydis_dash.conventions.metabase import key_of

DEPLOY_KEY = "mb-pull-deploy-key-4f5a"
STAFF_KEY = "mb-pull-staff-key-6b7c"
DEFINITION = """\
from pydis_dash.metabase import NumberVariable, Question

question = Question(
    key="top-talkers",
    name="Top talkers",
    collection="Community",
    database="metricity",
    sql="top_talkers.sql",
    # Staff asked for the ten most active members by default.
    variables=[NumberVariable("top", "How many", default=10)],
    display="bar",
)
"""
SQL = "SELECT author_id, count(*) FROM messages GROUP BY 1 ORDER BY 2 DESC LIMIT {{top}}\n"
NEW_SQL = "SELECT author_id, count(*) AS messages FROM messages GROUP BY 1 ORDER BY 2 DESC LIMIT {{top}}"


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    server = metabase_server.reset(new_state(api_key=DEPLOY_KEY))
    server.state.add_person("sam@example.com", "Sam", "Staff", api_key=STAFF_KEY)
    return server


@pytest.fixture
def project(tmp_path: Path, metabase: MetabaseEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = scratch_project(tmp_path)
    with (root / "pyproject.toml").open("a") as config:
        config.write(f'\n[tool.pydis-dash.environments.test]\nmetabase_url = "{metabase.url}"\n')
        config.write('metabase_api_key_env = "TEST_MB_KEY"\n')
    (root / "dashboards/metabase").mkdir(parents=True)
    (root / "dashboards/metabase/top_talkers.py").write_text(DEFINITION)
    (root / "dashboards/metabase/top_talkers.sql").write_text(SQL)
    monkeypatch.setenv("TEST_MB_KEY", DEPLOY_KEY)
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    commit_all(root)
    return root


def _run(root: Path, *args: str) -> Result:
    return run(root, *args, secrets=(DEPLOY_KEY, STAFF_KEY))


def _differences(root: Path) -> dict[str, tuple[int, list[str]]]:
    """Per card in ``diff``'s plan: drifted (1) or not (0), and the lines its content differs by. A card
    equal to the code still gets one write, recording the digest of that content on its marker line."""
    plan = json.loads(_run(root, "diff", "--env", "test", "--format", "json").stdout)
    return {
        change["ref"]: (int(change["drift"] is not None), change["diff"])
        for change in plan["changes"]
        if change["kind"] == "metabase-question"
    }


def _edit_in_ui(metabase: MetabaseEmulator, change: Any) -> None:
    """Sam saves the card in the UI: read it (legacy query shape), change it, save the whole card."""
    [card_id] = [i for i, c in metabase.state.cards.items() if key_of(c["description"]) == "top-talkers"]
    url, headers = f"{metabase.url}/api/card/{card_id}", {"x-api-key": STAFF_KEY}
    card = requests.get(url, params={"legacy-mbql": "true"}, headers=headers, timeout=5).json()
    change(card)
    body = {k: card[k] for k in ("name", "display", "dataset_query", "parameters", "visualization_settings")}
    requests.put(url, json=body, headers=headers, timeout=5).raise_for_status()


def _sams_edit(card: dict[str, Any]) -> None:
    card["name"] = "Top talkers this week"
    card["display"] = "table"
    card["dataset_query"]["native"]["query"] = NEW_SQL
    card["dataset_query"]["native"]["template-tags"]["top"]["default"] = 25
    card["parameters"][0]["default"] = 25


@pytest.mark.parametrize("version", RELEASES, ids=lambda v: f"metabase0.{v}")
def test_pull_brings_a_card_edit_into_the_question_and_its_sql_file(
    project: Path, metabase: MetabaseEmulator, version: int
) -> None:
    metabase.state.version = version
    assert _run(project, "deploy", "--env", "test").exit_code == 0
    _edit_in_ui(metabase, _sams_edit)
    [(drifted, lines)] = _differences(project).values()
    assert drifted and '+  "name": "Top talkers",' in lines

    pulled = _run(project, "pull", "--env", "test")

    assert pulled.exit_code == 0, pulled.output
    assert "edited dashboards/metabase/top_talkers.py" in pulled.stderr
    assert "edited dashboards/metabase/top_talkers.sql" in pulled.stderr
    assert _differences(project) == {"metabase-question/top-talkers": (0, [])}
    assert changed_lines(project) == [
        '-    name="Top talkers",',
        '+    name="Top talkers this week",',
        '-    variables=[NumberVariable("top", "How many", default=10)],',
        '-    display="bar",',
        '+    variables=[NumberVariable("top", "How many", default=25)],',
        '+    display="table",',
        f"-{SQL.rstrip()}",
        f"+{NEW_SQL}",
    ]
    assert (
        "# Staff asked for the ten most active members by default."
        in (project / "dashboards/metabase/top_talkers.py").read_text()
    )


def test_a_card_change_the_code_cannot_hold_is_printed_with_the_live_card(
    project: Path, metabase: MetabaseEmulator
) -> None:
    assert _run(project, "deploy", "--env", "test").exit_code == 0

    def add_variable(card: dict[str, Any]) -> None:
        native = card["dataset_query"]["native"]
        native["query"] = SQL.rstrip() + " OFFSET {{skip}}"
        native["template-tags"]["skip"] = {"id": "0c9d", "name": "skip", "display-name": "Skip", "type": "number"}

    _edit_in_ui(metabase, add_variable)

    result = _run(project, "pull", "--env", "test")

    assert result.exit_code == 1
    assert "not mapped to the code: card 'Top talkers'" in result.stderr
    assert '"display-name": "Skip"' in result.stdout
    assert changed_lines(project) == []  # the SQL and its variables change together, or not at all
