"""Definitions written to break the tool: exits, prints, alias bombs, symlinks out of the project, empty
projects. Each gets one clear error naming the file (or the project), a documented exit code, no traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]

GOOD = """
from pydis_dash.grafana import Dashboard, Row, prometheus

dashboard = Dashboard(uid="good", title="Good", rows=[Row("r", [prometheus.stat("Up", "up")])])
"""


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project), *args])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("import sys\n\nsys.exit(0)\n", "dashboards/quits.py:3: SystemExit(0): a definition must not exit the process"),
        ("import sys\n\n\nsys.exit(1)\n", "dashboards/quits.py:4: SystemExit(1)"),
        ("raise SystemExit\n", "dashboards/quits.py:1: SystemExit(None)"),
        ("exit()\n", "dashboards/quits.py:1: SystemExit(None)"),
        ("x = 1\nraise KeyboardInterrupt\n", "dashboards/quits.py:2: KeyboardInterrupt raised by the definition"),
    ],
)
@pytest.mark.parametrize("command", [["build", "--out", "OUT"], ["list"], ["validate", "--format", "github"]])
def test_a_definition_that_exits_is_reported_with_its_line(
    make_project: MakeProject, tmp_path: Path, body: str, expected: str, command: list[str]
) -> None:
    project = make_project({"dashboards/good.py": GOOD, "dashboards/quits.py": body})
    args = [str(tmp_path / "out") if part == "OUT" else part for part in command]
    result = run(project, *args)
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output and "Aborted!" not in result.output


def test_a_definition_that_exits_stops_deploy_before_any_server(make_project: MakeProject) -> None:
    project = make_project({"dashboards/quits.py": "import sys\nsys.exit(0)\n"})
    (project / "pydis-dash.toml").write_text(
        '[environments.x]\ngrafana_url = "http://127.0.0.1:9"\ngrafana_token_env = "NO_SUCH_TOKEN_VAR_11"\n'
    )
    result = run(project, "deploy", "--env", "x")
    assert result.exit_code == 1
    assert "dashboards/quits.py:2: SystemExit(0)" in result.output


def test_a_real_ctrl_c_while_loading_still_stops_the_run(make_project: MakeProject, tmp_path: Path) -> None:
    """Only a KeyboardInterrupt the definition raises itself is an author error; SIGINT stops the run."""
    marker = tmp_path / "loading"
    slow = f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep(60)\n"
    project = make_project({"dashboards/slow.py": slow})
    process = subprocess.Popen(
        [sys.executable, "-c", "from pydis_dash.cli import main; main()", "--project", str(project), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not marker.exists():
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 3
    assert "Aborted!" in stderr
    assert "dashboards/slow.py" not in stderr


def test_print_in_a_definition_does_not_corrupt_json_output(make_project: MakeProject) -> None:
    chatty = GOOD.replace('uid="good"', 'uid="chatty"') + '\nprint("hello from the definition")\n'
    project = make_project({"dashboards/chatty.py": chatty})
    result = CliRunner().invoke(main, ["--project", str(project), "list", "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)  # stdout alone is the JSON document
    assert {entry["uid"] for entry in listed} >= {"chatty"}
    assert "hello from the definition" in result.stderr


def test_print_while_rendering_goes_to_stderr(make_project: MakeProject) -> None:
    """Author code also runs at render time (a dashboard's extra hook): its prints stay off stdout too."""
    source = (
        "from pydis_dash.grafana import Dashboard\n\n"
        "class Loud(Dashboard):\n"
        "    def render(self, ctx):\n"
        "        print('rendering!')\n"
        "        return super().render(ctx)\n\n"
        "dashboard = Loud(uid='loud', title='Loud')\n"
    )
    project = make_project({"dashboards/loud.py": source})
    result = CliRunner().invoke(main, ["--project", str(project), "render", "loud"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["uid"] == "loud"
    assert "rendering!" in result.stderr


BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
    + ["uid: bomb", "name: Bomb", "type: prometheus", "url: http://p"]
)


def test_a_yaml_alias_bomb_is_refused_at_the_file(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"datasources/bomb.yaml": BOMB})
    result = run(project, "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "datasources/bomb.yaml:2: invalid YAML: aliases (*name) are not allowed" in result.output
    assert "MemoryError" not in result.output and "Traceback" not in result.output


def test_a_single_alias_is_refused_too(make_project: MakeProject, tmp_path: Path) -> None:
    text = "uid: &u aliased\nname: *u\ntype: prometheus\nurl: http://p\n"
    project = make_project({"datasources/alias.yaml": text})
    result = run(project, "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "datasources/alias.yaml:2: invalid YAML: aliases" in result.output


def _sql_panel(sql_name: str) -> str:
    return (
        "from pydis_dash.grafana import Dashboard, Row, metricity\n\n"
        f"dashboard = Dashboard(uid='x', title='X', rows=[Row('r', [metricity.table('T', sql={sql_name!r})])])\n"
    )


def test_a_sql_symlink_out_of_the_project_is_refused(make_project: MakeProject, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    project = make_project({"dashboards/x/board.py": _sql_panel("pw.sql")})
    os.symlink(outside, project / "dashboards/x/pw.sql")
    result = run(project, "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "dashboards/x/board.py:3: cannot read SQL file 'pw.sql': it resolves outside the project" in result.output
    assert "root:x:0:0" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_dotdot_sql_path_out_of_the_project_is_refused(make_project: MakeProject, tmp_path: Path) -> None:
    (tmp_path / "escape.sql").write_text("SELECT 1\n")
    project = make_project({"dashboards/board.py": _sql_panel("../../escape.sql")})
    result = run(project, "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "resolves outside the project" in result.output


def test_a_sql_symlink_inside_the_project_still_works(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project(
        {"dashboards/shared/q.sql": "SELECT 1 AS one\n", "dashboards/x/board.py": _sql_panel("q.sql")}
    )
    os.symlink(project / "dashboards/shared/q.sql", project / "dashboards/x/q.sql")
    result = run(project, "render", "x")
    assert result.exit_code == 0, result.output
    assert "SELECT 1 AS one" in result.output


@pytest.mark.parametrize("command", [["validate"], ["build", "--out", "OUT"], ["list"]])
def test_a_folder_that_is_no_project_exits_3(tmp_path: Path, command: list[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [str(tmp_path / "out") if part == "OUT" else part for part in command]
    result = run(empty, *args)
    assert result.exit_code == 3
    assert f"{empty} is not a pydis-dash project: it has none of datasources/, dashboards/, alerts/" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["build", "list", "validate", "render"])
def test_a_selector_matching_nothing_is_a_usage_error(make_project: MakeProject, command: str) -> None:
    project = make_project({"dashboards/good.py": GOOD})
    result = run(project, command, "nothing-like-this")
    assert result.exit_code == 3
    assert "selector 'nothing-like-this' matches no resource" in result.output
