"""``pydis-dash import`` on the command line: writes, never overwrites without --force, --dry-run."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from import_support import IMPORT_DATA, built, scratch_project

from pydis_dash.cli import main
from pydis_dash.model import Kind

INPUT = str(IMPORT_DATA / "grafana" / "collapsed-rows-site-db.json")
DEFINITION = Path("dashboards/moderation_overview.py")


def _run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(project), "import", *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_writes_definition_and_sql_then_builds(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    code, _, err = _run(project, INPUT)
    assert code == 0, err
    assert f"wrote {DEFINITION}" in err
    assert (project / "dashboards/most_nominated.sql").is_file()
    assert built(project, Kind.GRAFANA_DASHBOARD, "moderation-overview-ui").title == "Moderation overview"


def test_existing_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    (project / DEFINITION).parent.mkdir(parents=True)
    (project / DEFINITION).write_text("# mine\n")
    code, _, err = _run(project, INPUT)
    assert code == 1
    assert "exists already: not overwritten (pass --force to replace)" in err
    assert (project / DEFINITION).read_text() == "# mine\n"
    assert not (project / "dashboards/most_nominated.sql").exists()
    code, _, err = _run(project, "--force", INPUT)
    assert code == 0, err
    assert 'sql("site-db").bargauge(' in (project / DEFINITION).read_text()


def test_dry_run_prints_and_writes_nothing(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    code, out, err = _run(project, "--dry-run", INPUT)
    assert code == 0, err
    assert f"# --- {DEFINITION}" in out
    assert "# --- dashboards/most_nominated.sql" in out
    assert "collapsed-rows-site-db.json: grafana-dashboard/moderation-overview-ui (" in err
    assert not (project / "dashboards").exists()


def test_not_a_known_input_is_one_clear_error(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    stray = tmp_path / "stray.json"
    stray.write_text('{"hello": 1}')
    code, _, err = _run(project, str(stray))
    assert code == 1
    assert "stray.json: not a Grafana dashboard (panels/rows), a Metabase card" in err
