"""The revision written into every saved version: CI variables first, then git, else ``unknown``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from pydis_dash.revision import REVISION_VARIABLES, current_revision, deploy_message


@pytest.fixture(autouse=True)
def no_ci_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in REVISION_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def test_a_ci_variable_wins_and_is_shortened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123")
    assert deploy_message(tmp_path) == "pydis-dash 0123456789ab"


def test_outside_a_repository_the_revision_is_unknown(tmp_path: Path) -> None:
    assert current_revision(tmp_path) == "unknown"


def test_a_hanging_git_gives_unknown_instead_of_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def hang(*args: Any, **kwargs: Any) -> None:
        raise subprocess.TimeoutExpired(cmd="git", timeout=10)

    monkeypatch.setattr(subprocess, "run", hang)
    assert current_revision(tmp_path) == "unknown"
