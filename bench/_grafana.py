"""A Grafana emulator for the deploy benchmarks: every request waits ``latency`` seconds first.

The emulator (tests/emulators/grafana.py, shaped to Grafana's published API) runs in this process;
pydis-dash and the peers run as child processes, so they compete for the CPU as they would against a
real server, and neither shares this process's interpreter lock.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _harness import BENCH_DIR, REPO_ROOT, Options, pydis_dash, run_timed
from _trees import write_pydis_tree

sys.path.insert(0, str(REPO_ROOT / "tests"))

from emulators.grafana import GrafanaEmulator
from emulators.http import Latency

TOKEN = "bench-token"
TOKEN_ENV = "BENCH_GRAFANA_TOKEN"


@contextmanager
def grafana(latency: float) -> Iterator[GrafanaEmulator]:
    """A running emulator that delays every request by ``latency`` seconds."""
    with GrafanaEmulator({TOKEN: "sa-pydis-dash"}) as emulator:
        assert isinstance(emulator, GrafanaEmulator)
        if latency:
            emulator.inject("*", r".*", Latency(latency), times=None)
        yield emulator


def configure(project: Path, url: str) -> dict[str, str]:
    """Point ``project`` at the emulator (environment ``bench``); returns the env vars a run needs
    (the render cache is the project's own, beside it: empty at the first run)."""
    (project / "pyproject.toml").write_text(
        f'[tool.pydis-dash.environments.bench]\ngrafana_url = "{url}"\ngrafana_token_env = "{TOKEN_ENV}"\n'
    )
    return {TOKEN_ENV: TOKEN, "PYDIS_DASH_REVISION": "bench", "PYDIS_DASH_CACHE_DIR": str(project.parent / "cache")}


@dataclass(frozen=True)
class DeployTree:
    """A generated project to deploy, where its build goes, and what both deploy benchmarks run on it."""

    project: Path
    build: Path
    latency: float

    @contextmanager
    def live(self, cache: Path | None = None) -> Iterator[tuple[GrafanaEmulator, dict[str, str]]]:
        """A fresh emulator with the project pointed at it, and the env vars a run needs (the render
        cache in ``cache`` when given, else the project's own)."""
        with grafana(self.latency) as server:
            env = configure(self.project, server.url)
            if cache is not None:
                env["PYDIS_DASH_CACHE_DIR"] = str(cache)
            yield server, env

    def deploy(self) -> list[str]:
        """``pydis-dash deploy`` of the project to the ``bench`` environment."""
        return pydis_dash(self.project, "deploy", "--env", "bench")

    def run_build(self, env: dict[str, str]) -> None:
        """Build the project (not timed): the files the peer loop posts; it also fills the render cache."""
        run_timed(pydis_dash(self.project, "build", "--out", str(self.build)), env=env)

    def peer(self, mode: str, url: str) -> list[str]:
        """The peer loop (``post`` or ``get-post``) over the build, against ``url``."""
        return [sys.executable, str(BENCH_DIR / "_peer_deploy.py"), mode, url, str(self.build)]


@contextmanager
def deploy_tree(options: Options) -> Iterator[DeployTree]:
    """``options.size`` generated dashboards in a project in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        yield DeployTree(write_pydis_tree(Path(tmp) / "project", options.size), Path(tmp) / "build", options.latency)
