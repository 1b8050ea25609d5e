"""What both validation benchmarks share: ``pydis-dash validate`` on a generated tree, timed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _harness import Run, run_timed, tool


def validate_all_in(project: Path) -> tuple[Run, dict[str, Any]]:
    """Run ``pydis-dash validate --format json`` on ``project`` (engines started and stopped inside the
    timing: "all-in"); returns the run and its report's summary."""
    run = run_timed([tool("pydis-dash"), "--project", str(project), "validate", "--format", "json"], check=False)
    if run.returncode not in (0, 1):  # 1: findings, still a full run
        raise SystemExit(f"pydis-dash validate failed with {run.returncode}:\n{run.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads(run.stdout)["summary"]
    return run, summary
