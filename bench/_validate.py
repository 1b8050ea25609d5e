"""What both validation benchmarks share: ``pydis-dash validate`` on a generated tree, timed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from _harness import Run, pydis_dash, run_timed
from _trees import write_validation_tree


def validate_all_in(store: str, queries: int) -> tuple[Run, dict[str, Any]]:
    """Run ``pydis-dash validate --format json`` on a generated project of ``queries`` panels on
    ``store`` (engines started and stopped inside the timing: "all-in"); returns the run and its
    report's summary."""
    with tempfile.TemporaryDirectory(prefix=f"bench-validate-{store}-") as tmp:
        project = write_validation_tree(Path(tmp), store, queries)
        run = run_timed(pydis_dash(project, "validate", "--format", "json"), check=False)
    if run.returncode not in (0, 1):  # 1: findings, still a full run
        raise SystemExit(f"pydis-dash validate failed with {run.returncode}:\n{run.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads(run.stdout)["summary"]
    return run, summary


def warm_up(store: str) -> float:
    """Seconds of a one-panel ``validate`` run first, so that the timed run finds the engines' caches (the
    PostgreSQL template, Prometheus' seeded TSDB) as every run after the first on a machine does; the
    first run on a machine builds them (this warm-up's time shows what that costs)."""
    run, _ = validate_all_in(store, 1)
    return run.seconds
