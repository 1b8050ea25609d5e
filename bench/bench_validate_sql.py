"""Validate N SQL panels, all-in: ``pydis-dash validate`` vs ``EXPLAIN`` of each on one connection.

Run: ``python bench/bench_validate_sql.py [--queries 1000] [--results PATH]``. pydis-dash's time covers everything
(start-up, loading, rendering, starting PostgreSQL with the schemas, checking, stopping). The peer is
the floor of any SQL check: ``EXPLAIN`` of the same N queries, one after another, on one connection
to a cluster already started with the same schemas (its time is the loop alone).
Target: pydis-dash <= 2 s all-in.
"""

from __future__ import annotations

import psycopg
from _harness import REPO_ROOT, parse_options, record, report, time_each
from _trees import validation_query
from _validate import validate_all_in, warm_up

from pydis_dash.validate.engines.postgres import PostgresCluster


def explain_loop(count: int) -> tuple[float, float]:
    """(seconds for the EXPLAIN loop, seconds the cluster took to start) for ``count`` queries."""
    schema = REPO_ROOT / "datasources" / "metricity" / "schema.sql"
    with (
        PostgresCluster({"metricity": schema}) as cluster,
        psycopg.connect(cluster.reader_dsns()["metricity"]) as connection,
    ):
        seconds = time_each(
            count, lambda number: connection.execute(f"EXPLAIN {validation_query('metricity', number)}").fetchall()
        )
        return seconds, cluster.startup_seconds


def main() -> None:
    """Time both; print and record the totals."""
    options = parse_options(__doc__, "--queries", 1000)
    count = options.size
    warm = warm_up("metricity")
    ours, summary = validate_all_in("metricity", count)
    floor, startup = explain_loop(count)
    report(
        "validate SQL",
        [
            f"{count} SQL panels ({summary['queries'].get('sql')} checked)",
            f"warm-up validate of 1 panel first (engine caches, as after any first run): {warm:.2f} s",
            f"EXPLAIN loop on one connection: {floor:.2f} s (cluster start {startup:.2f} s not counted)",
            f"pydis-dash validate, all-in:    {ours.seconds:.2f} s  (target <= 2 s)",
        ],
        ours.seconds / floor,
        "the EXPLAIN floor (pydis-dash all-in)",
    )
    record(
        options.results,
        "validate_sql",
        {
            "queries": count,
            "warm_up_seconds": round(warm, 3),
            "explain_loop_seconds": round(floor, 3),
            "cluster_start_seconds": round(startup, 3),
            "pydis_dash_seconds": round(ours.seconds, 3),
            "target_seconds": 2.0,
        },
    )


if __name__ == "__main__":
    main()
