"""Every benchmark still runs: each ``bench/bench_*.py`` on a tiny input, its results in a temp file.

The benchmarks are not run by anything else in CI, so an authoring-API change once broke their
generated trees silently. This runs each one end to end (its peer included) at a size of two or
three, and checks what it promises: exit 0, a ``ratio: N.NNx`` line, and its entry in the results
file it was pointed at, holding the sizes it was given. Timings are never asserted (speed lives in
bench/, not in tests); only that they were recorded as numbers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO_ROOT / "bench"
RATIO_LINE = re.compile(r"^\s+ratio: \d+\.\d\dx \S", re.MULTILINE)


@dataclass(frozen=True)
class Smoke:
    """How to run one benchmark small, and what its results entry must then hold."""

    args: tuple[str, ...]
    key: str  # its entry in the results file
    sizes: dict[str, Any]  # fields that echo the arguments given
    numbers: tuple[str, ...]  # fields that must be measured numbers


SMOKES = {
    "bench_build.py": Smoke(
        ("--dashboards", "3"),
        "build",
        {"dashboards": 3},
        (
            "grafanalib_seconds",
            "pydis_dash_seconds",
            "ratio",
            "peak_rss_mb",
            "rebuild_seconds",
            "rebuild_share",
            "grafanalib_cpu_seconds",
            "pydis_dash_cpu_seconds",
            "rebuild_cpu_seconds",
        ),
    ),
    "bench_deploy.py": Smoke(
        ("--dashboards", "2", "--latency", "0.002"),
        "deploy",
        {"dashboards": 2, "latency_seconds": 0.002},
        ("post_loop_seconds", "pydis_dash_seconds", "pydis_dash_cold_seconds", "speedup", "cold_speedup"),
    ),
    "bench_noop_deploy.py": Smoke(
        ("--dashboards", "2", "--latency", "0.002"),
        "noop_deploy",
        {"dashboards": 2, "latency_seconds": 0.002, "pydis_dash_writes": 0},
        ("get_post_loop_seconds", "pydis_dash_seconds", "pydis_dash_reads"),
    ),
    "bench_validate_sql.py": Smoke(
        ("--queries", "3"),
        "validate_sql",
        {"queries": 3},
        ("explain_loop_seconds", "cluster_start_seconds", "pydis_dash_seconds"),
    ),
    "bench_validate_promql.py": Smoke(
        ("--queries", "3"),
        "validate_promql",
        {"queries": 3},
        ("query_loop_ms_per_query", "prometheus_start_seconds", "pydis_dash_seconds", "pydis_dash_ms_per_query"),
    ),
    "bench_sql.py": Smoke(
        ("--queries", "5"),
        "sql_engine",
        # Five queries cycle once through the templates, one of which is wrong: one finding, both ways.
        {"queries": 5, "findings": 1, "same_findings": True},
        ("cluster_start_seconds", "shared_connection_seconds", "connection_per_query_seconds", "ratio"),
    ),
    "bench_preview_data.py": Smoke(
        ("--panels", "2"),
        "preview_data",
        {"panels": 2, "charts_drawn": 2},
        ("engine_start_seconds", "peer_without_data_seconds"),
    ),
}


def test_every_benchmark_has_a_smoke_run() -> None:
    assert sorted(SMOKES) == sorted(path.name for path in BENCH_DIR.glob("bench_*.py"))


@pytest.mark.parametrize("name", sorted(SMOKES))
def test_benchmark_runs_small_and_records_its_results(name: str, tmp_path: Path) -> None:
    smoke = SMOKES[name]
    results = tmp_path / "results.json"
    committed = (BENCH_DIR / "results.json").read_bytes()
    run = subprocess.run(
        [sys.executable, str(BENCH_DIR / name), *smoke.args, "--results", str(results)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert RATIO_LINE.search(run.stdout), run.stdout
    entry = json.loads(results.read_text())[smoke.key]
    assert {field: entry.get(field) for field in smoke.sizes} == smoke.sizes
    for field in smoke.numbers:
        assert isinstance(entry.get(field), int | float) and entry[field] >= 0, (field, entry)
    assert {"load_average", "cpus", "when"} <= entry.keys()
    # --results sent the numbers elsewhere: the committed results are left alone.
    assert (BENCH_DIR / "results.json").read_bytes() == committed
