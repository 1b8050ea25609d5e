"""Full deploy of N dashboards to a Grafana emulator with 20 ms per request: pydis-dash vs a POST loop.

Run: ``python bench/bench_deploy.py [--dashboards 500] [--latency 0.02] [--results PATH]``. Both start from an empty
Grafana. The peer POSTs each dashboard of the same build, one after another. pydis-dash plans (reads
live state) and applies, creating the folders too: once after a ``pydis-dash build`` of the tree
(the render cache warm, as in a CI job that builds or validates before deploying) and once with
nothing cached. Target: pydis-dash >= 6x faster than the loop.
"""

from __future__ import annotations

from _grafana import deploy_tree
from _harness import parse_options, record, report, run_timed


def main() -> None:
    """Deploy the same tree both ways against fresh emulators; print and record the ratio."""
    options = parse_options(__doc__, "--dashboards", 500, latency=0.02)
    with deploy_tree(options) as tree:
        with tree.live() as (server, env):
            tree.run_build(env)  # the render cache the warm deploy below uses
            peer = run_timed(tree.peer("post", server.url), env=env)
        with tree.live(cache=tree.project.parent / "cold-cache") as (server, env):
            cold = run_timed(tree.deploy(), env=env)
            created = len(server.dashboards)
        with tree.live() as (server, env):
            ours = run_timed(tree.deploy(), env=env)
    speedup, cold_speedup = peer.seconds / ours.seconds, peer.seconds / cold.seconds
    report(
        "deploy",
        [
            f"{options.size} dashboards, {options.latency * 1000:.0f} ms per request, empty Grafana",
            f"sequential POST loop:                     {peer.seconds:.2f} s",
            f"pydis-dash deploy after a build (warm):   {ours.seconds:.2f} s",
            f"pydis-dash deploy, nothing cached (cold): {cold.seconds:.2f} s  speed-up {cold_speedup:.1f}x"
            f" ({created} dashboards created)",
        ],
        speedup,
        "faster than the POST loop, warm cache (target >= 6x)",
    )
    record(
        options.results,
        "deploy",
        {
            "dashboards": options.size,
            "latency_seconds": options.latency,
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
