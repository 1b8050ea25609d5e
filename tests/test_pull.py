"""``pull`` against the Grafana emulator: UI edits of a managed dashboard come back into the code as
in-place edits (comments and formatting kept), after which ``diff`` shows nothing."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from emulators.grafana import GrafanaEmulator
from pull_support import changed_lines, grafana_project, run

TOKEN = "glsa_pull_token_never_printed_2b3c"
DEFINITION = """\
from pydis_dash.grafana import Dashboard, Row, sql

dashboard = Dashboard(
    uid="pull-demo",
    title="Pull demo",
    rows=[
        Row(
            "Activity",
            [
                # The number staff look at first.
                sql("metricity").stat(
                    "Messages",
                    sql="SELECT count(*) FROM messages WHERE $__timeFilter(created_at)",
                    unit="short",
                    thresholds=[(None, "green"), (100, "red")],
                ),
                sql("metricity").timeseries("Per day", sql="per_day.sql"),
            ],
        ),
    ],
)
"""
PER_DAY = (
    "SELECT $__timeGroupAlias(created_at, '1d'), count(*) FROM messages WHERE $__timeFilter(created_at) GROUP BY 1\n"
)
NEW_SQL = "SELECT $__timeGroupAlias(created_at, '1d'), count(DISTINCT author_id) FROM messages WHERE $__timeFilter(created_at) GROUP BY 1"


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaEmulator]:
    """Grafana 11.6 unless a test names a release line."""
    with GrafanaEmulator({TOKEN: "sa-pydis-dash"}, release=getattr(request, "param", "11.6")) as emulator:
        yield emulator


@pytest.fixture
def project(tmp_path: Path, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = grafana_project(
        tmp_path, grafana.url, TOKEN, {"dashboards/demo.py": DEFINITION, "dashboards/per_day.sql": PER_DAY}, monkeypatch
    )
    return root


def _run(root: Path, *args: str) -> Result:
    return run(root, *args, secrets=(TOKEN,))


def _edit_in_ui(grafana: GrafanaEmulator) -> None:
    panels = copy.deepcopy(grafana.dashboards["pull-demo"].model["panels"])
    stat, graph = panels[1], panels[2]
    stat["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 250
    stat["gridPos"]["w"] = 8
    graph["gridPos"]["x"] = 8
    graph["targets"][0]["rawSql"] = NEW_SQL
    grafana.save_in_ui("pull-demo", title="Pull demo (edited)", panels=panels)


def test_pull_edits_literals_in_place_and_diff_is_then_empty(project: Path, grafana: GrafanaEmulator) -> None:
    assert _run(project, "deploy", "--env", "test").exit_code == 0
    _edit_in_ui(grafana)
    drifted = _run(project, "diff", "--env", "test", "--exit-code")
    assert drifted.exit_code == 2 and "drift" in drifted.stdout

    pulled = _run(project, "pull", "--env", "test")
    assert pulled.exit_code == 0, pulled.output
    assert "edited dashboards/demo.py" in pulled.stderr and "edited dashboards/per_day.sql" in pulled.stderr
    assert _run(project, "diff", "--env", "test", "--exit-code").exit_code == 0

    assert changed_lines(project) == [
        '-    title="Pull demo",',
        '+    title="Pull demo (edited)",',
        '-                    thresholds=[(None, "green"), (100, "red")],',
        '+                    thresholds=[(None, "green"), (250, "red")],',
        "+                    width=8,",
        f"-{PER_DAY.rstrip()}",
        f"+{NEW_SQL}",
    ]
    assert "# The number staff look at first." in (project / "dashboards/demo.py").read_text()


def test_pull_never_touches_uncommitted_files_without_force(project: Path, grafana: GrafanaEmulator) -> None:
    assert _run(project, "deploy", "--env", "test").exit_code == 0
    _edit_in_ui(grafana)
    (project / "dashboards/demo.py").write_text(DEFINITION + "# work in progress\n")
    refused = _run(project, "pull", "--env", "test")
    assert refused.exit_code == 1
    assert "dashboards/demo.py has uncommitted changes" in refused.stderr
    assert (project / "dashboards/demo.py").read_text().endswith("# work in progress\n")
    assert (project / "dashboards/per_day.sql").read_text() == PER_DAY
    assert _run(project, "pull", "--env", "test", "--force").exit_code == 0


def test_what_pull_cannot_map_is_printed_with_the_live_json(project: Path, grafana: GrafanaEmulator) -> None:
    assert _run(project, "deploy", "--env", "test").exit_code == 0
    panels = copy.deepcopy(grafana.dashboards["pull-demo"].model["panels"])
    panels[2]["options"]["legend"]["placement"] = "right"
    grafana.save_in_ui("pull-demo", panels=panels)
    result = _run(project, "pull", "--env", "test")
    assert result.exit_code == 1
    assert "not mapped to the code: /panels/2 'Per day'" in result.stderr
    assert '"placement": "right"' in result.stdout
    assert textwrap.dedent(DEFINITION) == (project / "dashboards/demo.py").read_text()


@pytest.mark.parametrize("grafana", ["13.0"], indirect=True)
def test_a_dashboard_saved_with_the_new_layouts_is_refused_never_down_converted(
    project: Path, grafana: GrafanaEmulator
) -> None:
    assert _run(project, "deploy", "--env", "test").exit_code == 0
    _edit_in_ui(grafana)  # Grafana 13 stores a UI save as schema v2
    assert grafana.dashboards["pull-demo"].is_v2
    refused = _run(project, "pull", "--env", "test")
    assert refused.exit_code == 1
    assert "dashboard 'pull-demo' is stored as schema v2beta1 (Grafana's new layouts)" in refused.stderr
    assert (project / "dashboards/demo.py").read_text() == DEFINITION
    assert (project / "dashboards/per_day.sql").read_text() == PER_DAY
