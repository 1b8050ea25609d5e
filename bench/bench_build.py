"""Build N dashboards x 20 panels: ``pydis-dash build`` vs grafanalib's ``generate-dashboards``.

Run: ``python bench/bench_build.py [--dashboards 1000] [--results PATH]``. Both tools load the same dashboards from
Python files, render them and write one JSON file each, in a child process of their own (start-up
included). Also measured: pydis-dash's peak RSS, and an incremental rebuild after one file changed.
Target: pydis-dash <= 1.2x grafanalib; rebuild after a one-file change <= 10% of the full build.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _harness import REPO_ROOT, parse_options, pydis_dash, record, report, run_timed, tool
from _trees import write_grafanalib_tree, write_pydis_tree

# Both tools run with their modules' bytecode compiled, as installed tools have it (pip compiles at
# install; grafanalib's in site-packages is). This machine sets PYTHONDONTWRITEBYTECODE, under which
# every run of the editable pydis-dash compiled its ~40 modules from source (0.05 s of CPU a run).
BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}  # empty: unset for the children


def main() -> None:
    """Generate both trees, time both builds, print and record the ratio."""
    options = parse_options(__doc__, "--dashboards", 1000)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = Path(tmp)
        project = write_pydis_tree(base / "pydis", options.size)
        peer_files = write_grafanalib_tree(base / "grafanalib", options.size)

        run_timed([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "pydis_dash")], env=BYTECODE)
        peer = run_timed([tool("generate-dashboards"), *map(str, peer_files)], env=BYTECODE)
        build = pydis_dash(project, "build", "--out", str(base / "out"))
        # An empty cache: the first build is a cold one.
        cache = {"PYDIS_DASH_CACHE_DIR": str(base / "cache"), **BYTECODE}
        ours = run_timed(build, env=cache)
        edited = project / "dashboards" / "bench" / "d0000.py"
        edited.write_text(edited.read_text().replace("Row 0", "Row zero", 1))
        rebuild = run_timed(build, env=cache)

    ratio = ours.seconds / peer.seconds
    rebuild_share = rebuild.seconds / ours.seconds
    report(
        "build",
        [
            f"{options.size} dashboards x 20 panels",
            f"grafanalib generate-dashboards: {peer.seconds:.2f} s  (CPU {peer.cpu_seconds:.2f} s)",
            f"pydis-dash build:               {ours.seconds:.2f} s  (CPU {ours.cpu_seconds:.2f} s,"
            f" peak RSS {ours.peak_rss_mb:.0f} MB)",
            f"rebuild after a one-file edit:  {rebuild.seconds:.2f} s = {rebuild_share:.0%} of the full build"
            f" (target <= 10%; CPU {rebuild.cpu_seconds:.2f} s = {rebuild.cpu_seconds / ours.cpu_seconds:.0%})",
            f"CPU ratio pydis-dash / grafanalib: {ours.cpu_seconds / peer.cpu_seconds:.2f}x",
        ],
        ratio,
        "pydis-dash / grafanalib (target <= 1.2x)",
    )
    record(
        options.results,
        "build",
        {
            "dashboards": options.size,
            "grafanalib_seconds": round(peer.seconds, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "ratio": round(ratio, 3),
            "target_ratio": 1.2,
            "peak_rss_mb": round(ours.peak_rss_mb, 1),
            "rebuild_seconds": round(rebuild.seconds, 3),
            "rebuild_share": round(rebuild_share, 3),
            "grafanalib_cpu_seconds": round(peer.cpu_seconds, 3),
            "pydis_dash_cpu_seconds": round(ours.cpu_seconds, 3),
            "rebuild_cpu_seconds": round(rebuild.cpu_seconds, 3),
        },
    )


if __name__ == "__main__":
    main()
