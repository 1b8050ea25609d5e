"""Broken definitions: one clear error naming file and line, exit code 1, no half-written output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pydis_dash.cli import main

GOOD = """
from pydis_dash.grafana import Dashboard, Row, prometheus

dashboard = Dashboard(uid="{uid}", title="{title}", rows=[Row("r", [prometheus.stat("Up", "up")])])
"""

MakeProject = Callable[[dict[str, str]], Path]


def build(project: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--out", str(out)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"dashboards/broken.py": "from pydis_dash.grafana import Dashboard\n\nx = (\n"},
            "dashboards/broken.py:3: syntax error: '(' was never closed",
        ),
        (
            {"dashboards/imports.py": "import json\nimport no_such_module_here\n"},
            "dashboards/imports.py:2: ModuleNotFoundError: No module named 'no_such_module_here'",
        ),
        (
            {"dashboards/raises.py": "values = {}\n\n\nlimit = values['limit']\n"},
            "dashboards/raises.py:4: KeyError: 'limit'",
        ),
        (
            {
                "dashboards/bad_uid.py": (
                    "from pydis_dash.grafana import Dashboard\n\ndashboard = Dashboard(uid='has spaces', title='x')\n"
                )
            },
            "dashboards/bad_uid.py:3: dashboard 'has spaces': uid must be 1-40 characters",
        ),
        (
            {
                "dashboards/missing_sql.py": (
                    "from pydis_dash.grafana import Dashboard, Row, metricity\n\n"
                    "panel = metricity.table('T', sql='nope.sql')\n"
                )
            },
            "dashboards/missing_sql.py:3: cannot read SQL file 'nope.sql'",
        ),
        (
            {"datasources/broken.yaml": "uid: x\nname: [unclosed\n"},
            "datasources/broken.yaml:3: invalid YAML",
        ),
        (
            {
                "datasources/inline.yaml": "uid: x\nname: X\ntype: prometheus\nurl: http://p\nsecrets:\n  password: hunter2\n"
            },
            "datasources/inline.yaml: x: secret 'password' must name an environment variable",
        ),
    ],
)
def test_broken_definition_reports_file_and_line(
    make_project: MakeProject, tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    project = make_project(files)
    code, output = build(project, tmp_path / "out")
    assert code == 1
    assert expected in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1 and output.startswith("error: ")
    assert not (tmp_path / "out").exists()


def test_duplicate_uid_names_both_files(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project(
        {
            "dashboards/a.py": GOOD.format(uid="same", title="A"),
            "dashboards/b.py": GOOD.format(uid="same", title="B"),
        }
    )
    code, output = build(project, tmp_path / "out")
    assert code == 1
    assert "dashboards/b.py:3: duplicate grafana-dashboard uid 'same': also defined at dashboards/a.py:3" in output


def test_failed_build_leaves_previous_output_intact(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"dashboards/a.py": GOOD.format(uid="a", title="A")})
    out = tmp_path / "out"
    assert build(project, out)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (project / "dashboards" / "b.py").write_text("raise RuntimeError('boom')\n")
    code, output = build(project, out)
    assert code == 1 and "dashboards/b.py:1: RuntimeError: boom" in output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_unknown_selector_is_an_error(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"dashboards/a.py": GOOD.format(uid="a", title="A")})
    result = CliRunner().invoke(main, ["--project", str(project), "render", "nothing-like-this"])
    assert result.exit_code == 3  # a usage error, as the README's exit-code table says
    assert "selector 'nothing-like-this' matches no resource" in result.output


def test_unknown_panel_option_points_at_the_panel_line(make_project: MakeProject, tmp_path: Path) -> None:
    source = "from pydis_dash.grafana import prometheus\n\n\npanel = prometheus.stat('Up', 'up', colour='red')\n"
    project = make_project({"dashboards/opt.py": source})
    code, output = build(project, tmp_path / "out")
    assert code == 1
    assert "dashboards/opt.py:4: panel 'Up': unknown option(s): colour" in output


def test_a_query_keyword_of_another_store_is_an_error(make_project: MakeProject, tmp_path: Path) -> None:
    source = "from pydis_dash.grafana import metricity\n\npanel = metricity.stat('Up', expr='up')\n"
    project = make_project({"dashboards/kw.py": source})
    code, output = build(project, tmp_path / "out")
    assert code == 1
    assert "dashboards/kw.py:3: panel 'Up': this store takes its query as sql=, not expr=" in output


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "dashboards/opt.py": "from pydis_dash.grafana import Dashboard\n\nd = Dashboard(uid='a', title='A', colour='x')\n"
            },
            "dashboards/opt.py:3: Dashboard: unknown option(s): colour (known: uid, title, folder,",
        ),
        (
            {"dashboards/short.py": "from pydis_dash.grafana import Dashboard\n\nd = Dashboard(uid='a')\n"},
            "dashboards/short.py:3: Dashboard: missing a required argument: 'title'",
        ),
        (
            {"dashboards/stray.py": "from pydis_dash.grafana import Row\n\nrow = Row('Top', ['oops'])\n"},
            "dashboards/stray.py:3: row 'Top': panels must be a list of panels (sql(\"uid\").stat(...), ...), not str",
        ),
        (
            {
                "dashboards/flat.py": (
                    "from pydis_dash.grafana import Dashboard, prometheus\n\n"
                    "d = Dashboard(uid='a', title='A', rows=[prometheus.stat('Up', 'up')])\n"
                )
            },
            "dashboards/flat.py:3: dashboard 'a': rows must be a list of Row(title, [panels]), not Panel",
        ),
        (
            {
                "dashboards/grid.py": "from pydis_dash.grafana import prometheus\n\np = prometheus.stat('Up', 'up', grid_pos=(0, 0, 6))\n"
            },
            "dashboards/grid.py:3: panel 'Up': grid_pos must be (x, y, w, h) in grid cells, not (0, 0, 6)",
        ),
        (
            {
                "alerts/single.py": (
                    "from pydis_dash.alerts import RuleGroup, prometheus_rule\n\n"
                    "g = RuleGroup('X', 'g', '1m', rules=prometheus_rule('R', expr='up', above=1))\n"
                )
            },
            "alerts/single.py:3: rule group 'X/g': rules must be a list of rules: put it in [...]",
        ),
        (
            {
                "dashboards/legend.py": "from pydis_dash.grafana import metricity\n\np = metricity.stat('N', 'SELECT 1', legend='x')\n"
            },
            "dashboards/legend.py:3: panel 'N': legend= does not apply to SQL queries (they take format=)",
        ),
        (
            {
                "dashboards/note.py": "from pydis_dash.grafana import text\n\nnote = text('Read me', 'hi', sql='x.sql')\n"
            },
            "dashboards/note.py:3: panel 'Read me': unknown option(s) for a text panel: sql",
        ),
        (
            {"dashboards/row.py": "from pydis_dash.grafana import Row\n\nrow = Row('r', [], colapsed=True)\n"},
            "dashboards/row.py:3: TypeError: Row() got an unexpected keyword argument 'colapsed'",
        ),
        (
            {
                "dashboards/wide.py": (
                    "from pydis_dash.grafana import Dashboard, Row, prometheus\n\n"
                    "d = Dashboard(uid='a', title='A', rows=[Row('r', [\n"
                    "    prometheus.stat('Up', 'up', width=30),\n"
                    "])])\n"
                )
            },
            "dashboards/wide.py:4: panel 'Up': size 30x4 does not fit the 24-column grid",
        ),
        (
            {
                "dashboards/empty.py": "from pydis_dash.grafana import metricity\n\npanel = metricity.table('T', sql='e.sql')\n",
                "dashboards/e.sql": "\n",
            },
            "dashboards/empty.py:3: cannot read SQL file 'e.sql': the file is empty",
        ),
        (
            {
                "dashboards/metabase/q.py": (
                    "from pydis_dash.metabase import Question\n\n"
                    "q = Question(key='q', name='Q', collection=None, database='Metricity', sql='nope.sql')\n"
                )
            },
            "dashboards/metabase/q.py:3: question 'q': SQL file 'nope.sql' not found beside the definition",
        ),
        (
            {
                "dashboards/bot.py": (
                    "from pydis_dash.grafana import Dashboard\n"
                    "from pydis_dash.grafana.bot import BotDashboard, BotStore\n\n\n"
                    "@BotDashboard\n"
                    "def long(store: BotStore) -> Dashboard:\n"
                    "    return Dashboard(uid='b' * 38, title='Long')\n"
                )
            },
            f"dashboards/bot.py:7: dashboard '{'b' * 38}': its prometheus variant's uid '{'b' * 38}-prom' is over 40",
        ),
        (
            {
                "dashboards/metabase/u.py": (
                    "from pydis_dash.metabase import Question\n\n"
                    "q = Question(key='u', name='U', collection=None, database='Metricity', sql='u.sql')\n"
                ),
                "dashboards/metabase/u.sql": "SELECT 1\nWHERE x = {{user_id}}\n",
            },
            "dashboards/metabase/u.sql:1: question 'u': {{user_id}} is used in the SQL (line 2) but not declared",
        ),
        (
            {
                "dashboards/metabase/v.py": (
                    "from pydis_dash.metabase import NumberVariable\n\ntop = NumberVariable('top', default='7')\n"
                )
            },
            "dashboards/metabase/v.py:3: variable 'top': a NumberVariable default must be a number",
        ),
        (
            {
                "alerts/r.py": "from pydis_dash.alerts import sql_rule\n\nr = sql_rule('Slow', sql='nope.sql', above=1)\n"
            },
            "alerts/r.py:3: alert rule 'Slow': cannot read SQL file 'nope.sql': not found beside the definition",
        ),
        (
            {"datasources/spaced.yaml": "uid: my source\nname: X\ntype: prometheus\nurl: http://p\n"},
            "datasources/spaced.yaml: my source: uid must be 1-40 characters",
        ),
        (
            {"datasources/userinfo.yaml": "uid: x\nname: X\ntype: prometheus\nurl: http://me:Bearer abc@p\n"},
            "datasources/userinfo.yaml: x: url must not hold a password",
        ),
        (
            {"datasources/listed.yaml": "uid: x\nname: X\ntype: prometheus\nurl: http://p\njsonData: [a, b]\n"},
            "datasources/listed.yaml: x: `jsonData` must be a mapping of settings",
        ),
        (
            {
                "datasources/header.yaml": (
                    "uid: x\nname: X\ntype: prometheus\nurl: http://p\njsonData:\n  httpHeaderValue1: Bearer abc\n"
                )
            },
            "datasources/header.yaml: x: jsonData 'httpHeaderValue1' is a secret",
        ),
    ],
)
def test_author_mistakes_read_as_one_line_at_the_author_line(
    make_project: MakeProject, tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    project = make_project(files)
    code, output = build(project, tmp_path / "out")
    assert code == 1
    assert output.startswith(f"error: {expected}")
    assert len(output.strip().splitlines()) == 1
    assert str(project) not in output and "__init__" not in output and "Bearer abc" not in output


@pytest.mark.parametrize(
    "args",
    [["build", "--no-such-option"], ["validate", "--format", "yaml"], ["render"], ["no-such-command"]],
)
def test_usage_errors_exit_3_never_2(args: list[str]) -> None:
    """2 means "changes present" (diff --exit-code) only: a typo on the command line must not look like it."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3
    assert "Usage:" in result.output or "Error:" in result.output


def test_help_and_version_exit_0() -> None:
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["build", "--help"]).exit_code == 0
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and "pydis-dash" in version.output
