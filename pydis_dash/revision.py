"""The revision of the definitions being deployed, written into every saved version as ``pydis-dash <sha>``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: Every version pydis-dash saves has the message ``pydis-dash <revision>``.
MESSAGE_PREFIX = "pydis-dash"
#: Variables CI systems set to the commit being built; the first one set wins over asking git.
REVISION_VARIABLES = ("PYDIS_DASH_REVISION", "GITHUB_SHA", "CI_COMMIT_SHA")


def current_revision(project_dir: Path) -> str:
    """The short commit of ``project_dir`` (``-dirty`` with uncommitted changes), or ``unknown``."""
    for variable in REVISION_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value[:12]
    try:
        sha = _git(project_dir, "rev-parse", "--short=12", "HEAD")
        dirty = _git(project_dir, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):  # no git, not a repository, or git hung (timeout)
        return "unknown"
    return f"{sha}-dirty" if dirty else sha


def deploy_message(project_dir: Path) -> str:
    """``pydis-dash <revision>``: the version message that marks a save as ours."""
    return f"{MESSAGE_PREFIX} {current_revision(project_dir)}"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=10)
    return done.stdout.strip()
