"""``pydis-dash preview`` on the command line: serving, exporting, and its exit codes."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from preview_support import FILES

from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(FILES)


def test_export_writes_every_page_and_exits_0(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["--project", str(project), "preview", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / "grafana-dashboard/preview-test.html").is_file()
    assert (out / "static/preview.css").is_file()
    assert "wrote 14 page(s)" in result.output  # the index and 13 resources


def test_export_of_a_broken_project_writes_the_error_page_and_exits_1(
    make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project({**FILES, "dashboards/testing/preview.py": "dashboard = (\n"})
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["--project", str(project), "preview", "--export", str(out)])
    assert result.exit_code == 1
    assert "error: dashboards/testing/preview.py:1: syntax error" in result.output
    assert "dashboards/testing/preview.py:1" in (out / "index.html").read_text()


def test_export_with_data_whose_sample_generator_fails_writes_the_pages_and_exits_1(
    make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project(FILES)
    (project / "datasources/metricity/_sample.py").write_text("def generate(ctx):\n    raise ValueError('no rows')\n")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["--project", str(project), "preview", "--export", str(out), "--data"])
    assert result.exit_code == 1, result.output  # a broken generator is the definitions' fault
    assert "_sample.py" in result.output and "no rows" in result.output
    assert (out / "grafana-dashboard/preview-test.html").is_file()


def test_export_with_selectors_shows_only_the_selection(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["--project", str(project), "preview", "--export", str(out), str(project / "alerts")]
    )
    assert result.exit_code == 0, result.output
    assert not (out / "grafana-dashboard").exists() and (out / "grafana-rule-group").is_dir()


def test_a_port_in_use_is_an_environment_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--project", str(project), "preview", "--port", str(port)])
    assert result.exit_code == 3
    assert f"port {port} on 127.0.0.1 is in use" in result.output


def test_an_unknown_environment_is_an_environment_error(project: Path) -> None:
    (project / "pydis-dash.toml").write_text('[environments.staging]\ngrafana_url = "https://grafana.invalid"\n')
    result = CliRunner().invoke(main, ["--project", str(project), "preview", "--env", "nowhere", "--export", "x"])
    assert result.exit_code == 3
    assert "unknown environment 'nowhere'" in result.output and "known: staging" in result.output


def test_preview_serves_on_loopback_until_stopped(project: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from pydis_dash.cli import main; main()",
        "--project",
        str(project),
        "preview",
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline(), process.stderr.readline()]
        assert lines[0].startswith("built 13 resources; 1 error(s)"), lines
        assert lines[1].startswith("preview at http://127.0.0.1:"), lines
        url = lines[1].split()[2]
        index = requests.get(url, timeout=10)
        assert index.status_code == 200 and "Preview test" in index.text
    finally:
        process.terminate()
        process.wait(timeout=10)
