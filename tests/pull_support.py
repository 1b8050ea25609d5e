"""Helpers for the ``pull`` tests: a git-tracked scratch project, the CLI run with a secret check, and
the lines ``git diff`` shows changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from import_support import scratch_project

from pydis_dash.cli import main


def grafana_project(root: Path, url: str, token: str, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed scratch project holding ``files`` (path -> text) and the repo's data sources, whose
    environment ``test`` is the Grafana at ``url`` (``token`` in the environment, data source passwords
    set, no default environment)."""
    scratch_project(root)
    with (root / "pyproject.toml").open("a") as config:
        config.write(f'\n[tool.pydis-dash.environments.test]\ngrafana_url = "{url}"\n')
        config.write('grafana_token_env = "TEST_GRAFANA_TOKEN"\n')
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    for name, value in {
        "TEST_GRAFANA_TOKEN": token,
        "PYDIS_METRICITY_DB_PASSWORD": "pw-1",
        "PYDIS_SITE_DB_PASSWORD": "pw-2",
        "PYDIS_DASH_REVISION": "abc123",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYDIS_DASH_ENV", raising=False)
    commit_all(root)
    return root


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its standard output."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(root: Path) -> None:
    """Make ``root`` a git repository with everything in it committed (what ``pull`` compares with)."""
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "definitions")


def run(root: Path, *args: str, secrets: tuple[str, ...] = ()) -> Result:
    """``pydis-dash --project ROOT ARGS...``; fails the test if any of ``secrets`` appears in its output."""
    result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
    for secret in secrets:
        assert secret not in result.output and secret not in result.stderr
    return result


def changed_lines(root: Path) -> list[str]:
    """The removed and added lines of ``git diff`` (uncommitted changes), without file headers."""
    return [
        line for line in git(root, "diff", "-U0").splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
