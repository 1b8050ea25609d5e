"""Nomination review (questions.md item 7): where one member posts and how regularly.

The Grafana counterpart of the Metabase questions in ``dashboards/metabase/moderation/nominations.py``:
staff paste the nominee's Discord user id into the "User ID" box. Only channel names and counts are
shown, never a user name; staff channels are left out. The dashboard lives in the Moderation folder so
its permissions can be limited to staff.
"""

from __future__ import annotations

from _pydis import metricity

from pydis_dash.grafana import Dashboard, Row, variables

# Empty until staff enter an id, so opening the dashboard shows nobody's activity by default.
# Grafana's SQL data source escapes quotes in a single value, so '$user_id' cannot break out of the literal.
user_id = variables.textbox("user_id", "", label="User ID")

dashboard = Dashboard(
    uid="moderation-nominee-review",
    title="Nominee review",
    folder="Moderation",
    description=(
        "For one member (user id): the public channels they post in most and their messages per week. "
        "Staff channels are excluded."
    ),
    tags=["metricity", "moderation"],
    time=("now-1y", "now"),
    variables=[user_id],
    rows=[
        Row(
            "Activity of the member in the time range",
            [
                metricity.stat(
                    "Messages, channels and active weeks",
                    "nominee_summary.sql",
                    description="Messages in public channels, distinct channels, and weeks with at least one message.",
                    unit="short",
                    width=24,
                    height=4,
                ),
                metricity.timeseries(
                    "Messages per week",
                    "nominee_weekly.sql",
                    description="Messages and distinct public channels per week (weeks start on Monday, UTC).",
                    unit="short",
                    width=24,
                    field_config={"custom": {"drawStyle": "bars", "fillOpacity": 60}},
                ),
                metricity.bargauge(
                    "Channels they post in most",
                    "nominee_channels.sql",
                    description="The 25 public channels with the most messages from this member.",
                    unit="short",
                    height=12,
                    options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^messages$/", "values": True}},
                    # One bar per channel, named by the channel alone (the table shows the rest).
                    transformations=[
                        {"id": "filterFieldsByName", "options": {"include": {"names": ["channel", "messages"]}}}
                    ],
                ),
                metricity.table(
                    "Channels with first and last message",
                    "nominee_channels.sql",
                    description="The same channels with their category and the member's first and last message there.",
                    width=12,
                    height=12,
                ),
            ],
        ),
    ],
)
