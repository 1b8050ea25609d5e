"""Alerts as code: Grafana-managed alert rules, contact points, the notification policy tree, mute timings.

    from pydis_dash.alerts import RuleGroup, prometheus_rule

    group = RuleGroup(folder="Site and API", name="django", interval="1m", rules=[
        prometheus_rule("Site p95 latency high", expr="histogram_quantile(0.95, ...)", above=1.0,
                        for_="15m", severity="low", summary="p95 latency above 1 s for 15 minutes"),
    ])

Rules: :func:`prometheus_rule`, :func:`graphite_rule`, :func:`sql_rule` in a :class:`RuleGroup`.
Destinations: :func:`discord_contact_point`, :func:`webhook_contact_point`, :func:`email_contact_point`
(secrets come from environment variables). Routing: one :class:`NotificationPolicy` of :class:`Route`
branches. Quiet hours: :class:`MuteTiming` of :class:`TimeInterval`. See ``docs/alerts.md``.
"""

from pydis_dash.alerts.contact_points import (
    ContactPoint,
    discord_contact_point,
    email_contact_point,
    webhook_contact_point,
)
from pydis_dash.alerts.group import RuleGroup
from pydis_dash.alerts.mute_timings import MuteTiming, TimeInterval
from pydis_dash.alerts.policy import NotificationPolicy, Route
from pydis_dash.alerts.rules import AlertRule, graphite_rule, prometheus_rule, sql_rule

__all__ = [
    "AlertRule",
    "ContactPoint",
    "MuteTiming",
    "NotificationPolicy",
    "Route",
    "RuleGroup",
    "TimeInterval",
    "discord_contact_point",
    "email_contact_point",
    "graphite_rule",
    "prometheus_rule",
    "sql_rule",
    "webhook_contact_point",
]
