"""A Grafana emulator for the deploy benchmarks: every request waits ``latency`` seconds first.

The emulator (tests/emulators/grafana.py, shaped to Grafana's published API) runs in this process;
pydis-dash and the peers run as child processes, so they compete for the CPU as they would against a
real server, and neither shares this process's interpreter lock.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _harness import REPO_ROOT

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
