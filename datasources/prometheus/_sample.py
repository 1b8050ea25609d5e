"""Sample series shapes for Python Discord's Prometheus: the site, its databases and the bot.

Loaded by pydis-dash (``check.sample_data`` of ``datasources/prometheus.yaml``) when it seeds the
throwaway Prometheus for ``validate`` and ``preview``. Traffic follows the community's rhythm (the
same one as the Metricity sample data: busiest at 19:00 UTC, quietest in the morning, busier at the
weekend); now and then an incident makes the site slow and its 5xx and exceptions climb.
"""

from __future__ import annotations

from collections.abc import Callable

from pydis_dash.sample import SampleContext
from pydis_dash.sample.series import Incidents, Rhythm, Series, Shape, incidents

# As ``activity()`` in datasources/metricity/_sample.py.
RHYTHM = Rhythm(peak_hour=19.0, swing=0.75, weekday=0.9, weekend=1.25)

# Average increase per second of the counters, by name prefix (the first match wins).
COUNTER_RATES: tuple[tuple[str, float], ...] = (
    ("django_http_requests", 3.0),
    ("django_http_responses", 3.0),
    ("django_http_exceptions", 0.02),
    ("django_db_execute", 12.0),
    ("django_db_new_connection_errors", 0.0005),
    ("django_db_errors", 0.002),
    ("django_db", 0.5),
    ("process_cpu_seconds", 0.15),
    ("python_gc", 2.0),
    ("pg_stat_database_xact", 40.0),
    ("pg_stat_database_blks", 900.0),
    ("pg_stat_database_tup", 700.0),
    ("pg_stat_database_deadlocks", 0.0002),
    ("pg_stat_database_conflicts", 0.0001),
    ("pg_stat_user_tables", 30.0),
    ("pg_statio_user_tables", 400.0),
    ("pg_stat_bgwriter", 5.0),
    ("bot_channel_messages", 0.15),
    ("bot_messages", 1.2),
    ("bot_command_calls", 0.02),
    ("bot_tag_usages", 0.01),
    ("bot_errors", 0.001),
    ("bot_", 0.005),
)
ERRORS = ("5", "exception", "error", "failed", "deadlock", "rollback")


def generate(ctx: SampleContext) -> Callable[[Series], Shape | None]:
    """The shape of each series; gauges not listed keep the range their series list declares."""
    trouble = incidents(ctx, "site", per_day=0.4)
    return lambda series: _shape(ctx, series, trouble)


def _shape(ctx: SampleContext, series: Series, trouble: Incidents) -> Shape | None:
    weight = 0.3 + 1.4 * ctx.rng(f"{series.name}{series.labels}").random()  # label sets differ in traffic
    if series.kind == "counter":
        rate = next((r for prefix, r in COUNTER_RATES if series.name.startswith(prefix)), 1.0) * weight
        if _is_error(series):
            return Shape(level=lambda t: rate * RHYTHM.at(t) * trouble.factor(t, 25.0), jitter=0.3)
        return Shape(level=lambda t: rate * RHYTHM.at(t), jitter=0.15)
    if series.kind == "histogram":
        median = 4000.0 if series.name.endswith("_bytes") else 0.004 if "_db_" in series.name else 0.06
        return Shape(
            level=lambda t: 3.0 * weight * RHYTHM.at(t),
            median=median * weight,
            spread=1.0,
            slowdown=lambda t: 1.0 if median > 1 else trouble.factor(t, 8.0),
        )
    if series.kind == "summary":  # how long a help post stays open, in seconds
        return Shape(level=lambda t: 0.004 * RHYTHM.at(t), median=1800.0, spread=0.9)
    return _gauge(series, trouble)


def _is_error(series: Series) -> bool:
    status = series.label("status")
    return status.startswith("5") if status else any(word in series.name for word in ERRORS[1:])


def _gauge(series: Series, trouble: Incidents) -> Shape | None:
    name = series.name
    if name == "process_resident_memory_bytes":
        return Shape(level=lambda t: 210e6 + 40e6 * RHYTHM.at(t), jitter=0.02)
    if name == "pg_stat_activity_count":
        busy = 12.0 if series.label("state") in ("active", "idle") else 1.0
        return Shape(level=lambda t: busy * RHYTHM.at(t) * trouble.factor(t, 3.0), jitter=0.2)
    if name in ("bot_guild_total_members",):
        return Shape(level=lambda t: 395_000 + t / 86_400 % 1000, jitter=0.0)
    if name == "bot_help_total_in_use":
        return Shape(level=lambda t: 14 * RHYTHM.at(t), jitter=0.15)
    if name == "pg_replication_lag_seconds":
        return Shape(level=lambda t: 0.2 * trouble.factor(t, 40.0), jitter=0.5)
    return None
