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
    assert result.exit_code == 1
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
