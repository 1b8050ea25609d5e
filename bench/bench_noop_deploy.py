"""No-op deploy of N dashboards already live (20 ms per request): pydis-dash vs a GET+POST loop.

Run: ``python bench/bench_noop_deploy.py [--dashboards 500] [--latency 0.02]``. The tree is deployed
once first (not timed); then pydis-dash deploys it again (nothing to write) and the peer GETs and
POSTs every dashboard of the same build. pydis-dash's render cache is the one the first deploy
filled. Target: pydis-dash's no-op deploy <= 1 s, 0 writes.
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
    """Deploy once, then time the no-op deploy and the peer loop on the same live state."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-noop-") as tmp:
        project = write_pydis_tree(Path(tmp) / "project", args.dashboards)
        build = Path(tmp) / "build"
        deploy = [tool("pydis-dash"), "--project", str(project), "deploy", "--env", "bench"]
        with grafana(args.latency) as server:
            env = configure(project, server.url)
            run_timed([tool("pydis-dash"), "--project", str(project), "build", "--out", str(build)], env=env)
            run_timed(deploy, env=env)
            server.reset_log()
            ours = run_timed(deploy, env=env)
            writes = len(server.writes())
            reads = len(server.requests)
            peer = run_timed(
                [sys.executable, str(BENCH_DIR / "_peer_deploy.py"), "get-post", server.url, str(build)], env=env
            )
    report(
        "no-op deploy",
        [
            f"{args.dashboards} dashboards already live, {args.latency * 1000:.0f} ms per request",
            f"GET+POST loop:        {peer.seconds:.2f} s",
            f"pydis-dash deploy:    {ours.seconds:.2f} s  ({reads - writes} reads, {writes} writes)",
            f"ratio to the loop:    {peer.seconds / ours.seconds:.1f}x faster  (target: <= 1 s)",
        ],
    )
    record(
        "noop_deploy",
        {
            "dashboards": args.dashboards,
            "latency_seconds": args.latency,
            "get_post_loop_seconds": round(peer.seconds, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "pydis_dash_reads": reads - writes,
            "pydis_dash_writes": writes,
            "target_seconds": 1.0,
        },
    )


if __name__ == "__main__":
    main()
