"""Validate N PromQL panels, all-in: ``pydis-dash validate`` vs a sequential /api/v1/query loop.

Run: ``python bench/bench_validate_promql.py [--queries 1000] [--results PATH]``. pydis-dash's time covers
everything (start-up, loading, rendering, starting Prometheus, checking, stopping). The peer sends
the same N queries, one after another, to a Prometheus already started on the same seeded series:
its time is the loop alone. Target: pydis-dash <= 1 ms per query, all-in.
"""

from __future__ import annotations

import requests
from _harness import REPO_ROOT, parse_options, record, report, time_each
from _trees import validation_query
from _validate import validate_all_in, warm_up

from pydis_dash.validate.engines.prometheus_server import PrometheusServer


def peer_loop(count: int) -> tuple[float, float]:
    """(seconds for the loop, seconds Prometheus took to start) for ``count`` sequential queries."""
    series = (REPO_ROOT / "datasources" / "prometheus" / "series.txt").read_text()
    with PrometheusServer(series_text=series) as server, requests.Session() as session:

        def query(number: int) -> None:
            response = session.get(
                f"{server.url}/api/v1/query",
                params={"query": validation_query("prometheus", number), "time": str(server.evaluation_time)},
                timeout=10,
            )
            response.raise_for_status()

        return time_each(count, query), server.startup_seconds


def main() -> None:
    """Time both; print and record ms per query."""
    options = parse_options(__doc__, "--queries", 1000)
    count = options.size
    warm = warm_up("prometheus")
    ours, summary = validate_all_in("prometheus", count)
    peer_seconds, startup = peer_loop(count)
    ours_ms, peer_ms = ours.seconds / count * 1000, peer_seconds / count * 1000
    report(
        "validate PromQL",
        [
            f"{count} PromQL panels ({summary['queries'].get('promql')} checked)",
            f"warm-up validate of 1 panel first (engine caches, as after any first run): {warm:.2f} s",
            f"sequential /api/v1/query loop: {peer_ms:.2f} ms/query (Prometheus start {startup:.2f} s not counted)",
            f"pydis-dash validate, all-in:   {ours_ms:.2f} ms/query ({ours.seconds:.2f} s)  (target <= 1 ms)",
        ],
        ours_ms / peer_ms,
        "the sequential loop's time per query (pydis-dash all-in)",
    )
    record(
        options.results,
        "validate_promql",
        {
            "queries": count,
            "warm_up_seconds": round(warm, 3),
            "query_loop_ms_per_query": round(peer_ms, 3),
            "prometheus_start_seconds": round(startup, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "pydis_dash_ms_per_query": round(ours_ms, 3),
            "target_ms_per_query": 1.0,
        },
    )


if __name__ == "__main__":
    main()
