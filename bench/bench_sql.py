"""Validating 1,000 SQL queries: one server + one connection per database, vs a connection per query.

Run: ``python bench/bench_sql.py [--queries N]``. Prints the cluster start time, both timings and
their ratio. No asserts: this measures, CI does not gate on it.

The naive peer is what a straightforward implementation does: open a connection for each query,
check it the same way, close. Both run against the same throwaway cluster, so the difference is
only connection handling.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql import SqlEngine
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, Variable

REPO_ROOT = Path(__file__).resolve().parent.parent
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    count = parser.parse_args().queries
    queries = make_queries(count)

    schemas = {uid: REPO_ROOT / "datasources" / uid / "schema.sql" for uid in ("metricity", "site-db")}
    with PostgresCluster(schemas) as cluster:
        print(f"cluster start: {cluster.startup_seconds:.3f} s")
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

    same = "same" if shared_findings == naive_findings else "DIFFERENT"
    print(f"{count} queries, {len(shared_findings)} findings ({same} in both)")
    print(f"one connection per database: {shared:.3f} s ({shared / count * 1000:.2f} ms/query)")
    print(f"one connection per query:    {naive:.3f} s ({naive / count * 1000:.2f} ms/query)")
    print(f"ratio (naive / shared):      {naive / shared:.1f}x")


if __name__ == "__main__":
    main()
