"""``validate --execute``: every SQL query also runs on the sample data; runtime errors are findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]
REPO_ROOT = Path(__file__).resolve().parent.parent

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, metricity

dashboard = Dashboard(
    uid="execute-test",
    title="Execute test",
    folder="Community",
    rows=[Row("Panels", [
        metricity.stat("Per member", sql={per_member!r}, unit="short"),
        metricity.timeseries("Joins", sql={joins!r}, unit="short"),
    ])],
)
"""
GOOD_PER_MEMBER = (
    "SELECT count(*)::float / nullif((SELECT count(*) FROM users WHERE bot), 0) AS per_member "
    "FROM messages WHERE $__timeFilter(created_at)"
)
GOOD_JOINS = "SELECT $__timeGroupAlias(joined_at, '1d'), count(*) AS joined FROM users GROUP BY 1 ORDER BY 1"


def _project(make_project: MakeProject, per_member: str = GOOD_PER_MEMBER, joins: str = GOOD_JOINS) -> Path:
    source = DASHBOARD.format(per_member=per_member, joins=joins)
    return make_project({"dashboards/test.py": source})


def _validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(root), "validate", "--execute", *args])
    return result.exit_code, result.stdout + result.stderr


def test_clean_queries_pass(make_project: MakeProject) -> None:
    code, out = _validate(_project(make_project))
    assert code == 0, out


def test_division_by_zero_on_the_sample_data_fails_naming_the_panel(make_project: MakeProject) -> None:
    # Prepares fine (validate without --execute passes); only running it on data divides by zero.
    divides = "SELECT count(*) / (SELECT count(*) FROM users WHERE bot AND is_staff) AS per_member FROM messages"
    root = _project(make_project, per_member=divides)
    code, out = CliRunner().invoke(main, ["--project", str(root), "validate"]).exit_code, ""
    assert code == 0
    code, out = _validate(root)
    assert code == 1
    assert "dashboards/test.py:8: error SQL grafana-dashboard/execute-test, panel 'Per member' (A): " in out
    assert "on the sample data: division by zero" in out


def test_a_failing_cast_fails_naming_the_panel_and_the_line(make_project: MakeProject) -> None:
    casts = "SELECT sum(name::int) AS per_member FROM users"
    code, out = _validate(_project(make_project, per_member=casts))
    assert code == 1
    assert "panel 'Per member' (A): on the sample data: invalid input syntax for type integer" in out


def test_a_time_series_without_a_time_column_fails_naming_the_panel(make_project: MakeProject) -> None:
    no_time = "SELECT count(*) AS joined FROM users"
    code, out = _validate(_project(make_project, joins=no_time))
    assert code == 1
    assert "panel 'Joins' (A): a time series needs a column named \"time\"" in out


def test_a_stat_with_several_rows_fails(make_project: MakeProject) -> None:
    per_channel = "SELECT channel_id, count(*) AS per_member FROM messages GROUP BY 1"
    code, out = _validate(_project(make_project, per_member=per_channel))
    assert code == 1
    assert "panel 'Per member' (A): a single-value panel got 14 rows on the sample data" in out


def test_a_broken_generator_fails_with_its_file(make_project: MakeProject) -> None:
    root = _project(make_project)
    (root / "datasources" / "metricity" / "_sample.py").write_text("def generate(ctx):\n    return {'nope': [{}]}\n")
    code, out = _validate(root)
    assert code == 1
    assert "datasources/metricity/_sample.py" in out and "sample rows for table 'nope' do not fit" in out


def test_the_bundled_definitions_run_clean_on_the_sample_data() -> None:
    code, out = _validate(REPO_ROOT, "--strict")
    assert code == 0, out
