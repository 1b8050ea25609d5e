"""Full deploy of N dashboards to a Grafana emulator with 20 ms per request: pydis-dash vs a POST loop.

Run: ``python bench/bench_deploy.py [--dashboards 500] [--latency 0.02]``. Both start from an empty
Grafana. The peer POSTs each dashboard of the same build, one after another. pydis-dash plans (reads
live state) and applies, creating the folders too: once after a ``pydis-dash build`` of the tree
(the render cache warm, as in a CI job that builds or validates before deploying) and once with
nothing cached. Target: pydis-dash >= 6x faster than the loop.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _grafana import configure, grafana
from _harness import BENCH_DIR, record, report, run_timed, tool
from _trees import write_pydis_tree


def main() -> None:
    """Deploy the same tree both ways against fresh emulators; print and record the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        project = write_pydis_tree(Path(tmp) / "project", args.dashboards)
        build = Path(tmp) / "build"
        deploy = [tool("pydis-dash"), "--project", str(project), "deploy", "--env", "bench"]
        with grafana(args.latency) as peer_server:
            env = configure(project, peer_server.url)
            # The build the peer posts; it also fills the render cache the warm deploy below uses.
            run_timed([tool("pydis-dash"), "--project", str(project), "build", "--out", str(build)], env=env)
            loop = [sys.executable, str(BENCH_DIR / "_peer_deploy.py"), "post", peer_server.url, str(build)]
            peer = run_timed(loop, env=env)
        with grafana(args.latency) as server:
            env = configure(project, server.url) | {"PYDIS_DASH_CACHE_DIR": str(Path(tmp) / "cold-cache")}
            cold = run_timed(deploy, env=env)
            created = len(server.dashboards)
        with grafana(args.latency) as server:
            env = configure(project, server.url)
            ours = run_timed(deploy, env=env)
    speedup, cold_speedup = peer.seconds / ours.seconds, peer.seconds / cold.seconds
    report(
        "deploy",
        [
            f"{args.dashboards} dashboards, {args.latency * 1000:.0f} ms per request, empty Grafana",
            f"sequential POST loop:                     {peer.seconds:.2f} s",
            f"pydis-dash deploy after a build (warm):   {ours.seconds:.2f} s  speed-up {speedup:.1f}x (target >= 6x)",
            f"pydis-dash deploy, nothing cached (cold): {cold.seconds:.2f} s  speed-up {cold_speedup:.1f}x"
            f" ({created} dashboards created)",
        ],
    )
    record(
        "deploy",
        {
            "dashboards": args.dashboards,
            "latency_seconds": args.latency,
            "post_loop_seconds": round(peer.seconds, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "pydis_dash_cold_seconds": round(cold.seconds, 3),
            "speedup": round(speedup, 2),
            "cold_speedup": round(cold_speedup, 2),
            "target_speedup": 6,
        },
    )


if __name__ == "__main__":
    main()
