"""Shared fixtures. Engine fixtures (one server per session) live in their own plugin modules."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from emulators.metabase import MetabaseEmulator

REPO_ROOT = Path(__file__).resolve().parent.parent
_PYCACHE = shutil.ignore_patterns("__pycache__")

pytest_plugins: list[str] = ["fixtures_postgres", "fixtures_prometheus", "fixtures_graphite"]


@pytest.fixture(scope="session", autouse=True)
def render_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The incremental build's cache lives in the session's temporary folder, not the user's ~/.cache."""
    previous = os.environ.get("PYDIS_DASH_CACHE_DIR")
    directory = tmp_path_factory.mktemp("render-cache")
    os.environ["PYDIS_DASH_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("PYDIS_DASH_CACHE_DIR", None)
    else:
        os.environ["PYDIS_DASH_CACHE_DIR"] = previous


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a throwaway project: ``{"dashboards/x.py": "source", ...}`` -> project root.

    Data sources are copied from the repo so helper panels resolve, unless the files override them.
    """

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "project"
        # With the folders beside them: the schemas, series lists and sample generators their check settings name.
        shutil.copytree(REPO_ROOT / "datasources", root / "datasources", ignore=_PYCACHE, dirs_exist_ok=True)
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content).lstrip())
        return root

    return make


@pytest.fixture(scope="module")
def metabase_server() -> Iterator[MetabaseEmulator]:
    """One Metabase emulator per test module; tests reset its state with ``metabase_server.reset``."""
    with MetabaseEmulator() as running:
        yield running
