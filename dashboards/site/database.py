"""The site's database access from django-prometheus's database wrapper (questions.md item 18).

Both of the site's ``DATABASES`` entries go through ``django_prometheus.db.backends.postgresql``, so every
``django_db_*`` series carries ``alias="default"`` (the site's own database) or ``alias="metricity"``.
"""

from _pydis import PROMETHEUS, prometheus

from pydis_dash.grafana import Dashboard, Row, variables

alias = variables.query(
    "alias",
    PROMETHEUS,
    "label_values(django_db_execute_total, alias)",
    label="Database alias",
    multi=True,
    include_all=True,
    sample=("default", "default"),
)

BY_ALIAS = 'job="site", alias=~"$alias"'


def per_alias(metric: str, *, by: str = "alias") -> str:
    """Per-second rate of a django-prometheus counter, summed by ``by`` over the selected aliases."""
    return f"sum by ({by}) (rate({metric}{{{BY_ALIAS}}}[$__rate_interval]))"


def duration_quantile(q: float) -> str:
    """The q-quantile of query duration per alias."""
    return f"histogram_quantile({q}, {per_alias('django_db_query_duration_seconds_bucket', by='le, alias')})"


MEAN_DURATION = (
    f"{per_alias('django_db_query_duration_seconds_sum')} / {per_alias('django_db_query_duration_seconds_count')}"
)


def labelled(expr: str, call: str) -> str:
    """``expr`` with a ``call`` label, so execute and executemany share one legend format."""
    return f'label_replace({expr}, "call", "{call}", "", "")'


EXECUTES_BY_CALL = (
    f"{labelled(per_alias('django_db_execute_total'), 'execute')}"
    f" or {labelled(per_alias('django_db_execute_many_total'), 'executemany')}"
)

dashboard = Dashboard(
    uid="site-database",
    title="Site database access",
    folder="Site and API",
    description=(
        "Queries the site runs on its databases (alias default = the site's own, metricity = Metricity), "
        "as counted by django-prometheus in the site's process: duration, volume, errors, new connections."
    ),
    tags=["prometheus", "site", "postgresql"],
    time=("now-24h", "now"),
    refresh="1m",
    variables=[alias],
    rows=[
        Row(
            "Overview",
            [
                prometheus.stat(
                    "Queries per second",
                    f"sum(rate(django_db_execute_total{{{BY_ALIAS}}}[5m]))",
                    unit="ops",
                ),
                prometheus.stat(
                    "p95 query duration",
                    "histogram_quantile(0.95, sum by (le) "
                    f"(rate(django_db_query_duration_seconds_bucket{{{BY_ALIAS}}}[5m])))",
                    unit="s",
                    thresholds=[(None, "green"), (0.1, "orange"), (1, "red")],
                ),
                prometheus.stat(
                    "Database errors per second",
                    f"sum(rate(django_db_errors_total{{{BY_ALIAS}}}[5m])) or vector(0)",
                    unit="ops",
                    thresholds=[(None, "green"), (0.01, "red")],
                ),
                prometheus.stat(
                    "New connections per second",
                    f"sum(rate(django_db_new_connections_total{{{BY_ALIAS}}}[5m]))",
                    unit="ops",
                ),
            ],
        ),
        Row(
            "Query duration",
            [
                prometheus.timeseries("p50 by alias", duration_quantile(0.5), legend="{{alias}}", unit="s", width=6),
                prometheus.timeseries("p95 by alias", duration_quantile(0.95), legend="{{alias}}", unit="s", width=6),
                prometheus.timeseries("p99 by alias", duration_quantile(0.99), legend="{{alias}}", unit="s", width=6),
                prometheus.timeseries("Mean by alias", MEAN_DURATION, legend="{{alias}}", unit="s", width=6),
            ],
        ),
        Row(
            "Executes and errors",
            [
                prometheus.timeseries(
                    "Executes by alias",
                    EXECUTES_BY_CALL,
                    legend="{{alias}}: {{call}}",
                    unit="ops",
                    description="Calls of cursor.execute() and cursor.executemany() per second.",
                ),
                prometheus.timeseries(
                    "Errors by alias and type",
                    per_alias("django_db_errors_total", by="alias, type"),
                    legend="{{alias}}: {{type}}",
                    unit="ops",
                    description="Database exceptions raised through the wrapper, by exception class.",
                ),
            ],
        ),
        Row(
            "Connections",
            [
                prometheus.timeseries(
                    "New connections by alias",
                    per_alias("django_db_new_connections_total"),
                    legend="{{alias}}",
                    unit="ops",
                    description=(
                        "Connections Django opened per second; a rise means connections are not being "
                        "reused (CONN_MAX_AGE) or the site is restarting."
                    ),
                ),
                prometheus.timeseries(
                    "Connection errors by alias",
                    per_alias("django_db_new_connection_errors_total"),
                    legend="{{alias}}",
                    unit="ops",
                    description="Failed attempts to connect: the database is down, full or refusing the site.",
                ),
            ],
        ),
    ],
)
