"""No-op deploy of N dashboards already live (20 ms per request): pydis-dash vs a GET+POST loop.

Run: ``python bench/bench_noop_deploy.py [--dashboards 500] [--latency 0.02] [--results PATH]``. The tree is deployed
once first (not timed); then pydis-dash deploys it again (nothing to write) and the peer GETs and
POSTs every dashboard of the same build. pydis-dash's render cache is the one the first deploy
filled. Target: pydis-dash's no-op deploy <= 1 s, 0 writes.
"""

from __future__ import annotations

from _grafana import deploy_tree
from _harness import parse_options, record, report, run_timed


def main() -> None:
    """Deploy once, then time the no-op deploy and the peer loop on the same live state."""
    options = parse_options(__doc__, "--dashboards", 500, latency=0.02)
    with deploy_tree(options) as tree, tree.live() as (server, env):
        tree.run_build(env)
        run_timed(tree.deploy(), env=env)
        server.reset_log()
        ours = run_timed(tree.deploy(), env=env)
        writes = len(server.writes())
        reads = len(server.requests)
        peer = run_timed(tree.peer("get-post", server.url), env=env)
    report(
        "no-op deploy",
        [
            f"{options.size} dashboards already live, {options.latency * 1000:.0f} ms per request",
            f"GET+POST loop:        {peer.seconds:.2f} s",
            f"pydis-dash deploy:    {ours.seconds:.2f} s  ({reads - writes} reads, {writes} writes)  (target: <= 1 s)",
        ],
        peer.seconds / ours.seconds,
        "faster than the GET+POST loop",
    )
    record(
        options.results,
        "noop_deploy",
        {
            "dashboards": options.size,
            "latency_seconds": options.latency,
            "get_post_loop_seconds": round(peer.seconds, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "pydis_dash_reads": reads - writes,
            "pydis_dash_writes": writes,
            "target_seconds": 1.0,
        },
    )


if __name__ == "__main__":
    main()
