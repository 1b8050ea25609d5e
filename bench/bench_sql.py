"""Validating 1,000 SQL queries: one server + one connection per database, vs a connection per query.

Run: ``python bench/bench_sql.py [--queries N] [--results PATH]``. Prints the cluster start time, both
timings and their ratio, and records them. No asserts: this measures, CI does not gate on it.

The naive peer is what a straightforward implementation does: open a connection for each query,
check it the same way, close. Both run against the same throwaway cluster, so the difference is
only connection handling.
"""

from __future__ import annotations

import time
from pathlib import Path

from _harness import REPO_ROOT, parse_options, record, report

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql import SqlEngine
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, Variable

TEMPLATES = [
    (
        "SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS messages FROM messages "
        "WHERE $__timeFilter(created_at) AND channel_id IN ($channels) GROUP BY 1 ORDER BY 1",
        ResultShape.TIME_SERIES,
        TemplateSyntax.GRAFANA,
        "metricity",
    ),
    (
        "SELECT count(*) FROM users WHERE in_guild AND NOT bot",
        ResultShape.SINGLE_VALUE,
        TemplateSyntax.GRAFANA,
        "metricity",
    ),
    (
        "SELECT c.name, count(*) FROM messages m JOIN channels c ON c.id = m.channel_id GROUP BY 1",
        ResultShape.TABLE,
        TemplateSyntax.GRAFANA,
        "metricity",
    ),
    ("SELECT count(*) FROM userz", ResultShape.TABLE, TemplateSyntax.GRAFANA, "metricity"),  # an error
    (
        "SELECT type, count(*) FROM api_infraction WHERE active [[AND inserted_at > {{since}}]] GROUP BY 1",
        ResultShape.TABLE,
        TemplateSyntax.METABASE,
        "site-db",
    ),
]
VARIABLES = (Variable("channels", "query", multi=True, sample="20"), Variable("since", "date"))


def make_queries(count: int) -> list[Query]:
    """``count`` queries cycling through realistic templates (a few with errors)."""
    resource = Resource(
        Ref(Kind.GRAFANA_DASHBOARD, "bench"), "Bench", {"panels": []}, SourceLocation(Path("bench.py"), 1)
    )
    queries = []
    for i in range(count):
        text, shape, syntax, uid = TEMPLATES[i % len(TEMPLATES)]
        queries.append(
            Query(
                resource,
                f"/panels/{i}/targets/0/rawSql",
                Language.SQL,
                text,
                syntax,
                VARIABLES,
                uid,
                shape,
                f"Panel {i}",
                "A",
            )
        )
    return queries


def main() -> None:
    """Run the benchmark and print the numbers."""
    options = parse_options(__doc__, "--queries", 1000)
    count = options.size
    queries = make_queries(count)

    schemas = {uid: REPO_ROOT / "datasources" / uid / "schema.sql" for uid in ("metricity", "site-db")}
    with PostgresCluster(schemas) as cluster:
        startup = cluster.startup_seconds
        dsns = cluster.reader_dsns()

        began = time.perf_counter()
        engine = SqlEngine(dsns)
        shared_findings = engine.check(queries)
        engine.close()
        shared = time.perf_counter() - began

        began = time.perf_counter()
        naive_findings = []
        for query in queries:
            per_query = SqlEngine(dsns)
            naive_findings += per_query.check([query])
            per_query.close()
        naive = time.perf_counter() - began

    same = shared_findings == naive_findings
    report(
        "SQL engine",
        [
            f"{count} queries, {len(shared_findings)} findings ({'same' if same else 'DIFFERENT'} in both)",
            f"cluster start:               {startup:.3f} s",
            f"one connection per database: {shared:.3f} s ({shared / count * 1000:.2f} ms/query)",
            f"one connection per query:    {naive:.3f} s ({naive / count * 1000:.2f} ms/query)",
        ],
        naive / shared,
        "faster with one connection per database than one per query",
    )
    record(
        options.results,
        "sql_engine",
        {
            "queries": count,
            "findings": len(shared_findings),
            "same_findings": same,
            "cluster_start_seconds": round(startup, 3),
            "shared_connection_seconds": round(shared, 3),
            "connection_per_query_seconds": round(naive, 3),
            "ratio": round(naive / shared, 2),
        },
    )


if __name__ == "__main__":
    main()
