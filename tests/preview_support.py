"""A small project the preview tests share: one dashboard (rows, a collapsed row, a lint finding), one
Metabase question, one alert rule group with its routing. Written with the public authoring API."""

from __future__ import annotations

DASHBOARD = '''
"""A small dashboard exercising what preview draws."""

from pydis_dash.grafana import Dashboard, Row, graphite, sql, prometheus, variables

view = variables.custom("view", ["home", "about"], multi=True)

dashboard = Dashboard(
    uid="preview-test",
    title="Preview test",
    folder="Testing",
    variables=[view],
    rows=[
        Row(
            "Overview",
            [
                sql('metricity').stat(
                    "Messages",
                    sql="SELECT count(*) AS messages FROM messages",
                    unit="short",
                    thresholds=[(None, "green"), (80, "red")],
                ),
                prometheus('prometheus').timeseries(
                    "Requests", expr='sum(rate(django_http_requests_total{view=~"$view"}[5m]))', unit="reqps", width=18
                ),
                graphite('graphite').timeseries("Commands", target="sumSeries(stats.bot.commands.*.count)", unit="not-a-unit"),
                sql('metricity').table("Top channels", sql="SELECT name FROM channels", width=12, height=6),
            ],
        ),
        Row(
            "Details",
            [sql('metricity').stat("Members", sql="SELECT count(*) AS members FROM users", width=8, height=5)],
            collapsed=True,
        ),
    ],
)
'''

QUESTION = """
from pydis_dash.metabase import DateVariable, NumberVariable, Question, TextVariable

question = Question(
    key="member-messages",
    name="Messages of one member",
    collection="Moderation/Reviews",
    database="Metricity",
    sql="SELECT count(*) FROM messages WHERE author_id = {{user_id}} [[AND created_at >= {{since}}]] LIMIT {{n}}",
    variables=[
        TextVariable("user_id", "User ID", required=True),
        DateVariable("since", "Since"),
        NumberVariable("n", "Rows", default=25),
    ],
    display="scalar",
)
"""

ALERTS = """
from pydis_dash.alerts import NotificationPolicy, Route, RuleGroup, discord_contact_point, prometheus_rule

oncall = discord_contact_point("on-call", url_env="PREVIEW_TEST_ONCALL_WEBHOOK")
quiet = discord_contact_point("quiet", url_env="PREVIEW_TEST_QUIET_WEBHOOK")

policy = NotificationPolicy(
    receiver="quiet",
    group_by=["alertname"],
    routes=[Route(match={"severity": "page"}, receiver="on-call")],
)

site = RuleGroup(
    folder="Testing",
    name="site",
    interval="1m",
    rules=[
        prometheus_rule(
            "Site errors",
            expr='sum(increase(django_http_responses_total_by_status_total{status=~"5.."}[5m]))',
            above=3,
            for_="5m",
            severity="page",
            summary="errors",
        ),
    ],
)
"""

FILES = {
    "dashboards/testing/preview.py": DASHBOARD,
    "dashboards/metabase/reviews.py": QUESTION,
    "alerts/site.py": ALERTS,
}
