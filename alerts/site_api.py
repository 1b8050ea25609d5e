"""Alerts on pythondiscord.com (django-prometheus), with the thresholds the community already uses.

Errors and latency come from the site's own metrics; views that are slow by design (GitHub proxies,
the pages that render many tags) are left out of the latency rules, as in the infra repo's rules.
"""

from pydis_dash.alerts import RuleGroup, prometheus_rule

# Views that are slow by design: they wait on GitHub or render every tag.
SLOW_BY_DESIGN = (
    'view!="api:github-artifacts", view!="api:github-webhook-filter", view!="home:home", view!="content:tag"'
)
P95_LATENCY = (
    "histogram_quantile(0.95, "
    f"rate(django_http_requests_latency_seconds_by_view_method_bucket{{{SLOW_BY_DESIGN}}}[5m]))"
)

django = RuleGroup(
    folder="Site and API",
    name="django",
    interval="1m",
    rules=[
        prometheus_rule(
            "Site answers with 5xx errors",
            expr='sum(increase(django_http_responses_total_by_status_total{status=~"5.."}[5m]))',
            above=0,
            for_="5m",
            severity="page",
            summary='The site answered {{ $values.B.Value | printf "%.0f" }} requests with a 5xx status in 5 minutes',
            description="Any server error is worth a look: check the site's logs for the traceback.",
            # No 5xx series at all is the healthy case, not missing data.
            no_data_state="OK",
        ),
        prometheus_rule(
            "Site p95 latency elevated",
            expr=P95_LATENCY,
            above=1.0,
            for_="15m",
            severity="low",
            summary="p95 latency of {{ $labels.view }} ({{ $labels.method }}) above 1 s for 15 minutes",
        ),
        prometheus_rule(
            "Site p95 latency high",
            expr=P95_LATENCY,
            above=10.0,
            for_="15m",
            severity="page",
            summary="p95 latency of {{ $labels.view }} ({{ $labels.method }}) above 10 s for 15 minutes",
        ),
    ],
)
