"""The notification policy tree: page-worthy alerts to devops on-call, the rest to low priority, and alerts
labelled ``additional_destination=moderators`` to the moderators as well.

pydis-dash owns the whole tree: edits made in Grafana's UI are replaced on the next deploy.
"""

from pydis_dash.alerts import NotificationPolicy, Route

policy = NotificationPolicy(
    receiver="devops low priority",
    group_by=["grafana_folder", "alertname"],
    group_wait="30s",
    group_interval="5m",
    repeat_interval="4h",
    routes=[
        # First, and with continue: moderators get their alerts in addition to the severity route below.
        Route(match={"additional_destination": "moderators"}, receiver="moderators", continue_=True),
        Route(match={"severity": "page"}, receiver="devops on-call", group_wait="10s", repeat_interval="1h"),
        Route(match={"severity": "low"}, receiver="devops low priority"),
    ],
)
