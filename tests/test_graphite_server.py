"""Starting and stopping graphite-web: missing venv, failed start, clean stop, settings, metric list."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import requests
from bundled_sources import GRAPHITE_METRICS

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.validate.engines.graphite import GraphiteEngine
from pydis_dash.validate.engines.graphite_server import (
    GraphiteServer,
    graphite_python,
    local_settings,
)


def fake_venv(root: Path, script: str) -> Path:
    """A venv whose ``bin/python`` is a shell script standing in for graphite-web."""
    python = root / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n" + script)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return root / "venv"


def test_missing_venv_names_the_setup_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYDIS_DASH_GRAPHITE_VENV", str(tmp_path / "absent"))
    with pytest.raises(EnvironmentProblem) as caught, GraphiteServer(GRAPHITE_METRICS):
        pass
    assert str(caught.value) == (
        f"graphite-web not installed: run ci/setup-graphite (no {tmp_path / 'absent' / 'bin' / 'python'})"
    )
    assert caught.value.exit_code is ExitCode.ENVIRONMENT


def test_venv_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = fake_venv(tmp_path, "exit 0\n")
    monkeypatch.setenv("PYDIS_DASH_GRAPHITE_VENV", str(venv))
    assert graphite_python() == venv / "bin" / "python"


def test_failed_start_shows_the_log_tail_and_cleans_up(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path, 'echo "django.db.utils.OperationalError: disk full" >&2\nexit 4\n')
    server = GraphiteServer(GRAPHITE_METRICS, venv=venv)
    with pytest.raises(EnvironmentProblem) as caught:
        server.start()
    assert str(caught.value) == (
        "graphite-web exited with status 4 while starting; last lines of its log:\n"
        "django.db.utils.OperationalError: disk full"
    )
    assert server.log_path is None  # the temporary directory is gone


def test_start_timeout(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path, "exec sleep 30\n")
    with pytest.raises(EnvironmentProblem) as caught, GraphiteServer(GRAPHITE_METRICS, venv=venv, start_timeout=0.2):
        pass
    assert str(caught.value).startswith("graphite-web did not start within 0.2 s; last lines of its log:")


def test_stop_ends_the_child_and_removes_its_files(tmp_path: Path) -> None:
    # Follows the child's protocol: announce a port, then wait for stdin to close.
    pid_file = tmp_path / "pid"
    venv = fake_venv(tmp_path, f'echo $$ > {pid_file}\necho "READY 4321"\ncat >/dev/null\n')
    with GraphiteServer(GRAPHITE_METRICS, venv=venv) as server:
        assert server.url == "http://127.0.0.1:4321"
        workdir = server.log_path.parent if server.log_path else None
        settings = (workdir / "settings" / "local_settings.py").read_text() if workdir else ""
        assert "ENFORCE_INPUT_VALIDATION = True" in settings
    pid = int(pid_file.read_text())
    assert workdir is not None and not workdir.exists()
    assert server.url == ""
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_local_settings(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(local_settings(tmp_path), namespace)
    assert namespace["WHISPER_DIR"] == str(tmp_path / "whisper")
    assert namespace["STORAGE_DIR"] == str(tmp_path)
    assert namespace["ENFORCE_INPUT_VALIDATION"] is True
    assert namespace["MEMCACHE_HOSTS"] == []
    assert namespace["DATABASES"] == {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "graphite.db")}
    }
    assert local_settings(tmp_path) != local_settings(tmp_path)  # a fresh secret key every time


def test_metric_list_is_seeded(graphite_engine: GraphiteEngine) -> None:
    """Every shipped path, and nothing else, is a leaf of the running Graphite's tree."""
    lines = GRAPHITE_METRICS.read_text().splitlines()
    paths = sorted(line for line in lines if line and not line.startswith("#"))
    leaves = []
    for depth in range(1, 9):
        pattern = ".".join(["*"] * depth)
        params = {"query": pattern, "format": "completer"}
        found = requests.get(f"{graphite_engine.url}/metrics/find", params=params, timeout=10).json()
        leaves += [node["path"] for node in found["metrics"] if node["is_leaf"] == "1"]
    assert sorted(leaves) == paths
    assert max(path.count(".") for path in paths) < 8  # deeper paths would escape the loop above


def test_setup_script_is_idempotent() -> None:
    """A second run keeps the venv that the first one (ci/setup-graphite) made."""
    script = Path(__file__).resolve().parent.parent / "ci" / "setup-graphite"
    done = subprocess.run([str(script)], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("already installed in " + str(graphite_python().parent.parent))
