"""Helpers for the import tests: an independent build of generated files, ruff on them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources

REPO_ROOT = Path(__file__).resolve().parent.parent
IMPORT_DATA = REPO_ROOT / "tests" / "data" / "import"


def load_json(relative: str) -> Any:
    """A test input under tests/data/import/."""
    return json.loads((IMPORT_DATA / relative).read_text(encoding="utf-8"))


def scratch_project(root: Path) -> Path:
    """A project with the repo's data sources and ruff settings, and nothing else."""
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def write_files(root: Path, files: dict[Path, str]) -> None:
    """Write generated files (project-relative) under ``root``."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def built(root: Path, kind: Kind, uid: str) -> Resource:
    """The resource ``kind/uid`` as ``pydis-dash build`` renders the project at ``root``."""
    for resource in load_resources(root):
        if resource.kind == kind and resource.ref.uid == uid:
            return resource
    raise AssertionError(f"{kind.value}/{uid} not built")


def ruff_problems(root: Path, paths: list[Path]) -> list[str]:
    """What ``ruff check`` and ``ruff format --check`` say about ``paths`` (empty when clean)."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    problems = []
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = subprocess.run(
            [find_ruff_bin(), *command, *map(str, paths)], cwd=root, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            problems.append(done.stdout + done.stderr)
    return problems
