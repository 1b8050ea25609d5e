"""PostgreSQL server health from postgres_exporter on the database host (questions.md item 19).

One PostgreSQL server holds the site's, Metricity's, Metabase's and the other services' databases; the
``datname`` variable narrows the per-database panels. The thresholds are those of the community's own
Postgres alerts: connections above 80 % of ``max_connections``, more than 3 deadlocks in a minute.
"""

from _pydis import PROMETHEUS, prometheus

from pydis_dash.grafana import Dashboard, Row, variables

datname = variables.query(
    "datname",
    PROMETHEUS,
    "label_values(pg_database_size_bytes, datname)",
    label="Database",
    multi=True,
    include_all=True,
    sample=("site", "site"),
    # The template databases only ever matter to CREATE DATABASE.
    regex="/^(?!template[01]$)/",
)

SERVER = 'job="postgres"'
BY_DATABASE = 'job="postgres", datname=~"$datname"'
# The locks that stall the applications: ACCESS EXCLUSIVE (ALTER TABLE, VACUUM FULL, LOCK TABLE) blocks
# every access, plain reads included; EXCLUSIVE (REFRESH MATERIALIZED VIEW CONCURRENTLY) all but reads.
DANGEROUS_LOCKS = 'mode=~"accessexclusivelock|exclusivelock"'

CONNECTIONS = f"sum by (instance) (pg_stat_activity_count{{{SERVER}}})"
MAX_CONNECTIONS = f"pg_settings_max_connections{{{SERVER}}}"


def per_database(metric: str, window: str = "$__rate_interval", *, by: str = "datname") -> str:
    """Per-second rate of a ``pg_stat_database_*`` counter, summed by ``by`` over the selected databases."""
    return f"sum by ({by}) (rate({metric}{{{BY_DATABASE}}}[{window}]))"


def named(expr: str, name: str) -> str:
    """``expr`` with a ``series`` label set to ``name``: several expressions then share one legend."""
    return f'label_replace({expr}, "series", "{name}", "", "")'


def rows_per_second(action: str) -> str:
    """Rows per second in the selected databases that were ``action`` (fetched, inserted...)."""
    return named(f"sum(rate(pg_stat_database_tup_{action}{{{BY_DATABASE}}}[$__rate_interval]))", action)


def cache_hit_ratio(window: str, *, by: str = "datname") -> str:
    """Share of block reads served from shared buffers rather than the disk or the OS cache."""
    hits = per_database("pg_stat_database_blks_hit", window, by=by)
    reads = per_database("pg_stat_database_blks_read", window, by=by)
    return f"{hits} / ({hits} + {reads})"


dashboard = Dashboard(
    uid="site-postgres",
    title="PostgreSQL server",
    folder="Site and API",
    description=(
        "Health of the PostgreSQL server behind the site, Metricity and Metabase, from postgres_exporter: "
        "availability, connections against max_connections, cache hits, transactions, rows, locks, sizes."
    ),
    tags=["prometheus", "postgresql"],
    time=("now-24h", "now"),
    refresh="1m",
    variables=[datname],
    rows=[
        Row(
            "Server",
            [
                prometheus.stat(
                    "Up",
                    f"min(pg_up{{{SERVER}}}) or vector(0)",
                    description="Whether postgres_exporter's last scrape could connect (down too when it has no data).",
                    thresholds=[(None, "red"), (1, "green")],
                    field_config={
                        "mappings": [
                            {
                                "type": "value",
                                "options": {"0": {"text": "down", "index": 0}, "1": {"text": "up", "index": 1}},
                            }
                        ]
                    },
                ),
                prometheus.gauge(
                    "Connections used",
                    f"{CONNECTIONS} / on (instance) {MAX_CONNECTIONS} * 100",
                    description="Connections open on the server, as a share of max_connections (alert: > 80 %).",
                    unit="percent",
                    min=0,
                    max=100,
                    thresholds=[(None, "green"), (60, "orange"), (80, "red")],
                ),
                prometheus.stat(
                    "Cache hit ratio (1h)",
                    cache_hit_ratio("1h", by="instance"),
                    description="Over the selected databases; below 99 % the working set has outgrown shared_buffers.",
                    unit="percentunit",
                    decimals=2,
                    thresholds=[(None, "red"), (0.95, "orange"), (0.99, "green")],
                ),
                prometheus.stat(
                    "Deadlocks (24h)",
                    f"sum(increase(pg_stat_database_deadlocks{{{BY_DATABASE}}}[24h])) or vector(0)",
                    decimals=0,
                    thresholds=[(None, "green"), (1, "orange"), (4, "red")],
                ),
                prometheus.timeseries(
                    "Connections vs max",
                    f"{named(CONNECTIONS, 'connections')} or {named(MAX_CONNECTIONS, 'max_connections')}",
                    legend="{{series}}",
                    unit="short",
                    description="Open connections in every state against max_connections.",
                ),
                prometheus.timeseries(
                    "Connections by database and state",
                    f"sum by (datname, state) (pg_stat_activity_count{{{BY_DATABASE}}})",
                    legend="{{datname}}: {{state}}",
                    unit="short",
                    description="'idle in transaction' that stays up holds locks and blocks vacuum.",
                ),
            ],
        ),
        Row(
            "Throughput",
            [
                prometheus.timeseries(
                    "Transactions per second",
                    f"{per_database('pg_stat_database_xact_commit')}"
                    f" + {per_database('pg_stat_database_xact_rollback')}",
                    legend="{{datname}}",
                    unit="ops",
                    description="Transactions ended per second, committed or rolled back.",
                ),
                prometheus.timeseries(
                    "Rollbacks per second",
                    per_database("pg_stat_database_xact_rollback"),
                    legend="{{datname}}",
                    unit="ops",
                    description="Rolled back transactions per second: errors, or clients that roll back by habit.",
                ),
                prometheus.timeseries(
                    "Cache hit ratio",
                    cache_hit_ratio("$__rate_interval"),
                    legend="{{datname}}",
                    unit="percentunit",
                    max=1,
                ),
                prometheus.timeseries(
                    "Rows per second",
                    " or ".join(rows_per_second(action) for action in ("fetched", "inserted", "updated", "deleted")),
                    legend="{{series}}",
                    unit="rowsps",
                    description="Rows fetched, inserted, updated and deleted in the selected databases.",
                ),
            ],
        ),
        Row(
            "Locks and deadlocks",
            [
                prometheus.timeseries(
                    "Dangerous locks",
                    f"sum by (datname, mode) (pg_locks_count{{{BY_DATABASE}, {DANGEROUS_LOCKS}}})",
                    legend="{{datname}}: {{mode}}",
                    unit="short",
                    description="ACCESS EXCLUSIVE locks block even reads of a table; EXCLUSIVE all but plain reads.",
                ),
                prometheus.timeseries(
                    "Deadlocks",
                    f"sum by (datname) (increase(pg_stat_database_deadlocks{{{BY_DATABASE}}}[$__rate_interval]))",
                    legend="{{datname}}",
                    unit="short",
                    decimals=0,
                    description="Deadlocks detected per graph interval (the alert pages at more than 3 in a minute).",
                ),
            ],
        ),
        Row(
            "Storage",
            [
                prometheus.timeseries(
                    "Database sizes",
                    f"sum by (datname) (pg_database_size_bytes{{{BY_DATABASE}}})",
                    legend="{{datname}}",
                    unit="bytes",
                ),
                prometheus.bargauge(
                    "Largest databases",
                    f"sort_desc(sum by (datname) (pg_database_size_bytes{{{BY_DATABASE}}}))",
                    legend="{{datname}}",
                    unit="bytes",
                    options={"orientation": "horizontal", "displayMode": "gradient"},
                ),
            ],
        ),
    ],
)
