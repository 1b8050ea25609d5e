"""Shared pieces of the benchmarks: timing a command in a child process, and recording results.

Each benchmark runs pydis-dash and its peer in the same run, on the same generated input, and
records both timings (and the ratio) under its own key in ``bench/results.json`` (or the file
``--results`` names). Nothing here asserts a speed: the numbers are reported, never gated on (the
machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results.json"
BIN_DIR = Path(sys.executable).parent


@dataclass(frozen=True)
class Options:
    """What every benchmark's command line gives it."""

    size: int  # dashboards, queries or panels: what the benchmark's size option counts
    results: Path  # the JSON file its numbers are recorded in
    latency: float  # seconds injected before every emulated request (deploy benchmarks only)


def parse_options(doc: str, size_option: str, default_size: int, latency: float | None = None) -> Options:
    """Parse a benchmark's command line: its size option (``--dashboards``...), ``--results PATH``
    and, when ``latency`` (the default) is given, ``--latency SECONDS``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(size_option, dest="size", type=int, default=default_size, metavar="N")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="JSON file to record the numbers in (default: %(default)s)"
    )
    if latency is not None:
        parser.add_argument("--latency", type=float, default=latency, help="seconds per request (default: %(default)s)")
    args = parser.parse_args()
    return Options(args.size, args.results, getattr(args, "latency", 0.0))


@dataclass(frozen=True)
class Run:
    """One child process: its wall time, CPU time (user + system: steadier than wall time on a shared
    machine) and peak resident memory."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    returncode: int


def run_timed(
    args: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None, check: bool = True
) -> Run:
    """Run ``args`` to completion; wall time from start to exit, peak RSS from the kernel (``wait4``)."""
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=cwd, env=full_env, stdout=out, stderr=err, text=True)
        # wait4 (not Popen.wait) hands back the child's own rusage: its peak RSS, not the maximum
        # over every child this process ever had.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        result = Run(seconds, cpu, usage.ru_maxrss / 1024, out.read(), err.read(), process.returncode)
    if check and result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-3000:]
        raise SystemExit(f"{Path(args[0]).name} failed with {result.returncode}:\n{output}")
    return result


def tool(name: str) -> str:
    """A console script installed beside this Python (``pydis-dash``, ``generate-dashboards``)."""
    return str(BIN_DIR / name)


def pydis_dash(project: Path, *args: str) -> list[str]:
    """The command line running ``pydis-dash`` on ``project`` with ``args`` (its bytecode compiled first)."""
    compile_bytecode()
    return [tool("pydis-dash"), "--project", str(project), *args]


@functools.cache
def compile_bytecode() -> None:
    """Compile pydis-dash's modules to bytecode once, as installing it does (pip compiles every module of
    a wheel at install time). This repo is installed editable, and where ``PYTHONDONTWRITEBYTECODE`` is
    set (this machine sets it) every run would compile its ~150 modules from source again, 0.1-0.15 s of
    start-up no installed pydis-dash pays; the peers, installed from wheels, have their bytecode."""
    compileall.compile_dir(REPO_ROOT / "pydis_dash", quiet=1)


def time_each(count: int, action: Callable[[int], object]) -> float:
    """Seconds taken by ``action(0)`` ... ``action(count - 1)``, one after another (a peer's loop)."""
    began = time.perf_counter()
    for number in range(count):
        action(number)
    return time.perf_counter() - began


def record(results: Path, benchmark: str, values: Mapping[str, Any]) -> None:
    """Store ``values`` under ``benchmark`` in ``results`` (other benchmarks' entries are kept)."""
    existing: dict[str, Any] = json.loads(results.read_text()) if results.exists() else {}
    existing[benchmark] = {
        **values,
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")


def report(benchmark: str, lines: Sequence[str], ratio: float, meaning: str) -> None:
    """Print a benchmark's numbers, one per line, with the load they were measured under, ending with
    its ratio line: ``ratio: 1.23x <meaning>`` (the line a reader, and the smoke test, looks for)."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"== {benchmark} (load average {load} on {os.cpu_count()} cpus)")
    for line in lines:
        print(f"   {line}")
    print(f"   ratio: {ratio:.2f}x {meaning}")
