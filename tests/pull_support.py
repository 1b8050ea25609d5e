"""Helpers for the ``pull`` tests: a git-tracked scratch project, the CLI run with a secret check, and
the lines ``git diff`` shows changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from pydis_dash.cli import main


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
