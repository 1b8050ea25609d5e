"""An SQL error in a ``.sql`` file points at ``file.sql:line:column`` (and names the panel, rule or
question), in the human and the GitHub output alike, so the annotation lands on the changed line of a
pull request; inline SQL keeps pointing at the definition's line plus the position in the string.

One validate run on the real PostgreSQL engine covers dashboards, alert rules and Metabase questions.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pydis_dash.cli import main
from pydis_dash.model import SourceLocation, SourceText
from pydis_dash.pipeline import load_resources

MakeProject = Callable[[dict[str, str]], Path]

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, metricity

dashboard = Dashboard(
    uid="sql-lines",
    title="SQL lines",
    folder="Community",
    rows=[Row("Messages", [
        metricity.table("From a file", sql="hourly.sql"),
        metricity.table("Inline", sql="SELECT m.create_at FROM messages AS m"),
    ])],
)
"""
# Blank lines first: the query is stripped, yet the line numbers are the file's.
HOURLY_SQL = "\n\n-- Messages per hour\nSELECT\n    date_trunc('hour', m.created_at) AS hour,\n    count(*) AS n, m.nope\nFROM messages AS m\nGROUP BY 1\n"
RULES = """
from pydis_dash.alerts import RuleGroup, sql_rule

group = RuleGroup(folder="Community", name="quiet", interval="5m", rules=[
    sql_rule("Quiet server", "quiet.sql", below=1),
])
"""
QUIET_SQL = "SELECT count(*) AS n\nFROM messagez\nWHERE $__timeFilter(created_at)\n"
QUESTION = """
from pydis_dash.metabase import Question

question = Question(
    key="sql-lines-question",
    name="Messages",
    collection="Community",
    database="Metricity",
    sql="messages.sql",
)
"""
MESSAGES_SQL = "SELECT count(*)\n  FROM messages\n WHERE bogus_column > 1\n"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """validate's output in each format, for one project with one bad query of each origin."""
    files = {
        "dashboards/community/lines.py": DASHBOARD,
        "dashboards/community/hourly.sql": HOURLY_SQL,
        "alerts/quiet.py": RULES,
        "alerts/quiet.sql": QUIET_SQL,
        "dashboards/metabase/questions.py": QUESTION,
        "dashboards/metabase/messages.sql": MESSAGES_SQL,
    }
    root = tmp_path_factory.mktemp("sql-lines")
    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "datasources", root / "datasources")
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content.lstrip("\n") if relative.endswith(".py") else content)
    found = {}
    for output_format in ("human", "github", "json"):
        result = CliRunner().invoke(main, ["--project", str(root), "validate", "--format", output_format])
        assert result.exit_code == 1, result.stdout + result.stderr
        found[output_format] = result.stdout
    return found


def sql_findings(outputs: dict[str, str]) -> list[dict[str, object]]:
    return [f for f in json.loads(outputs["json"])["findings"] if f["rule"] == "SQL"]


def test_an_error_in_a_dashboard_sql_file_points_at_its_line_and_column(outputs: dict[str, str]) -> None:
    # Line 6 of hourly.sql is "    count(*) AS n, m.nope": the unknown column starts at column 20.
    assert (
        "  dashboards/community/hourly.sql:6:20: error SQL grafana-dashboard/sql-lines, panel 'From a file' (A): "
        "column m.nope does not exist"
    ) in outputs["human"].splitlines()
    assert (
        "::error file=dashboards/community/hourly.sql,line=6,col=20,"
        "title=SQL grafana-dashboard/sql-lines%2C panel 'From a file' (A)::column m.nope does not exist"
    ) in outputs["github"].splitlines()


def test_inline_sql_points_at_the_python_line_and_the_offset_in_the_string(outputs: dict[str, str]) -> None:
    [inline] = [f for f in sql_findings(outputs) if f["panel"] == "Inline"]
    assert (inline["file"], inline["line"], inline["column"]) == ("dashboards/community/lines.py", 9, None)
    assert inline["message"] == (
        "column m.create_at does not exist (line 1, column 8 of the query: SELECT m.create_at FROM messages AS m)"
        '; hint: Perhaps you meant to reference the column "m.created_at".'
    )
    assert "::error file=dashboards/community/lines.py,line=9,title=" in outputs["github"]


def test_an_alert_rule_sql_file_and_a_metabase_sql_file_point_at_their_lines(outputs: dict[str, str]) -> None:
    located = {(f["file"], f["line"], f["column"]) for f in sql_findings(outputs)}
    assert ("alerts/quiet.sql", 2, 6) in located  # FROM messagez
    assert ("dashboards/metabase/messages.sql", 3, 8) in located  # WHERE bogus_column
    assert "::error file=alerts/quiet.sql,line=2,col=6," in outputs["github"]


def test_a_stripped_source_text_keeps_the_position_of_its_first_character() -> None:
    text = SourceText("\n\n  SELECT 1\n  FROM x", SourceLocation(Path("q.sql"), 1, 1))
    stripped = text.strip()
    assert stripped == "SELECT 1\n  FROM x"
    assert stripped.origin == SourceLocation(Path("q.sql"), 3, 3)
    assert stripped.origin.advanced(stripped, stripped.index("x")) == SourceLocation(Path("q.sql"), 4, 8)
    assert str(stripped.origin.advanced(stripped, 2)) == "q.sql:3:5"


def test_rendered_bodies_hold_plain_strings_and_the_origins_beside_them(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parent.parent / "datasources", root / "datasources")
    (root / "dashboards" / "community").mkdir(parents=True)
    (root / "dashboards" / "community" / "lines.py").write_text(DASHBOARD.lstrip("\n"))
    (root / "dashboards" / "community" / "hourly.sql").write_text(HOURLY_SQL)
    [dashboard] = [r for r in load_resources(root) if r.ref.uid == "sql-lines"]
    query = dashboard.body["panels"][1]["targets"][0]["rawSql"]
    assert type(query) is str and query.startswith("-- Messages per hour")
    assert dict(dashboard.text_origins) == {
        "/panels/1/targets/0/rawSql": SourceLocation(Path("dashboards/community/hourly.sql"), 3, 1)
    }
