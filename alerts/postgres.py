"""Alerts on the PostgreSQL servers (postgres_exporter), with the thresholds the community already uses."""

from pydis_dash.alerts import RuleGroup, prometheus_rule

postgres = RuleGroup(
    folder="PostgreSQL",
    name="postgres",
    interval="1m",
    rules=[
        prometheus_rule(
            "PostgreSQL is down",
            expr="pg_up",
            below=1,
            for_="0s",
            severity="page",
            summary="postgres_exporter on {{ $labels.instance }} cannot connect to PostgreSQL",
            # No pg_up at all means the exporter (or its host) is gone: as bad as a failed connection.
            no_data_state="Alerting",
        ),
        prometheus_rule(
            "PostgreSQL connections near the limit",
            expr=("sum by (instance) (pg_stat_activity_count) / on (instance) pg_settings_max_connections * 100"),
            above=80,
            for_="1m",
            severity="page",
            summary='{{ $labels.instance }} uses {{ $values.B.Value | printf "%.0f" }}% of max_connections',
            description="New connections will be refused at 100%: look for a leaking client or raise max_connections.",
        ),
        prometheus_rule(
            "PostgreSQL deadlocks",
            expr='increase(pg_stat_database_deadlocks{datname!~"template.*|postgres"}[1m])',
            above=3,
            for_="1m",
            severity="page",
            summary="More than 3 deadlocks in a minute in database {{ $labels.datname }}",
        ),
    ],
)
