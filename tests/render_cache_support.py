"""What the render cache's and the incremental build's tests share: a project whose definition files
say when they run, and a helper module some of them import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

HELPER = """
from pydis_dash.grafana import prometheus

def requests(title):
    return prometheus('Prometheus').stat(title, "sum(rate(django_http_requests_total_by_method_total[5m]))", unit="reqps")
"""


def dashboard(name: str, uses_helper: bool = False, title: str | None = None) -> str:
    """A definition file printing ``executed NAME`` when it runs; its dashboard is in folder "Shared"."""
    panel = "requests('Requests')" if uses_helper else "prometheus('Prometheus').stat('Up', 'up')"
    return f'''
from pydis_dash.grafana import Dashboard, prometheus
{"from _helpers import requests" if uses_helper else ""}
print("executed {name}")
dashboard = Dashboard(uid="{name}", title="{title or name.title()}", folder="Shared", panels=[{panel}])
'''


def cached_project(
    make_project: Callable[[dict[str, str]], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
) -> Path:
    """A project with ``dashboards/_helpers.py`` and ``files``, its render cache in a folder of its own."""
    monkeypatch.setenv("PYDIS_DASH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PYDIS_DASH_CACHE", raising=False)
    return make_project({"dashboards/_helpers.py": HELPER, **files})


def executed(capsys: pytest.CaptureFixture[str]) -> set[str]:
    """Which definition files ran since the last call (each prints its name to stderr while loading)."""
    return {line.split()[1] for line in capsys.readouterr().err.splitlines() if line.startswith("executed ")}
