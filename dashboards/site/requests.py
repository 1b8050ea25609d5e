"""The site's requests from django-prometheus: rate by method, view and status; latency quantiles.

Questions.md items 16 (requests per second, 5xx rate) and 17 (p50/p95/p99 by view).
"""

from _pydis import prometheus, site_view

from pydis_dash.grafana import Dashboard, Row

view = site_view()

BY_VIEW = 'job="site", view=~"$view"'
LATENCY_BUCKETS = f"rate(django_http_requests_latency_seconds_by_view_method_bucket{{{BY_VIEW}}}[$__rate_interval])"


def quantile(q: float) -> str:
    """The q-quantile of request latency per view."""
    return f"histogram_quantile({q}, sum by (le, view) ({LATENCY_BUCKETS}))"


dashboard = Dashboard(
    uid="site-requests",
    title="Site requests",
    folder="Site and API",
    description="Traffic, errors and latency of pythondiscord.com and its API.",
    tags=["prometheus", "site"],
    time=("now-24h", "now"),
    refresh="1m",
    variables=[view],
    rows=[
        Row(
            "Traffic",
            [
                prometheus.stat(
                    "Requests per second",
                    'sum(rate(django_http_requests_total_by_method_total{job="site"}[5m]))',
                    unit="reqps",
                ),
                prometheus.stat(
                    "5xx responses per second",
                    'sum(rate(django_http_responses_total_by_status_total{job="site", status=~"5.."}[5m]))'
                    " or vector(0)",
                    unit="reqps",
                    thresholds=[(None, "green"), (0.01, "red")],
                ),
                prometheus.timeseries(
                    "Requests by method",
                    'sum by (method) (rate(django_http_requests_total_by_method_total{job="site"}[$__rate_interval]))',
                    legend="{{method}}",
                    unit="reqps",
                ),
                prometheus.timeseries(
                    "Requests by view",
                    "sum by (view) (rate(django_http_requests_total_by_view_transport_method_total"
                    f"{{{BY_VIEW}}}[$__rate_interval]))",
                    legend="{{view}}",
                    unit="reqps",
                ),
                prometheus.timeseries(
                    "Responses by status",
                    'sum by (status) (rate(django_http_responses_total_by_status_total{job="site"}[$__rate_interval]))',
                    legend="{{status}}",
                    unit="reqps",
                ),
            ],
        ),
        Row(
            "Latency",
            [
                prometheus.timeseries("p50 by view", quantile(0.5), legend="{{view}}", unit="s", width=8),
                prometheus.timeseries("p95 by view", quantile(0.95), legend="{{view}}", unit="s", width=8),
                prometheus.timeseries("p99 by view", quantile(0.99), legend="{{view}}", unit="s", width=8),
            ],
        ),
    ],
)
