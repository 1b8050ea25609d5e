"""Event management (questions.md item 9): activity in a channel or a category during an event.

Staff set the dashboard's time range to the event, pick its category (or several) and, to narrow it
down, channels of those categories: the channel list follows the categories picked, and "All" means
every public channel of them. Channels outside any category cannot be picked here (the "Channel
activity" dashboard covers every public channel).
"""

from __future__ import annotations

from _pydis import METRICITY, metricity, metricity_category

from pydis_dash.grafana import Dashboard, Row, variables

category = metricity_category(multi=True, include_all=True)

# Grafana re-reads this list whenever $category changes (a chained variable).
channel = variables.query(
    "channel",
    METRICITY,
    "SELECT c.name AS __text, c.id AS __value FROM channels AS c "
    "WHERE NOT c.is_staff AND NOT c.deleted AND c.category_id IN ($category) ORDER BY c.name",
    label="Channel",
    multi=True,
    include_all=True,
    sample=("python-general", "267624335836053506"),
)

bucket = variables.interval("bucket", ("1h", "15m", "6h", "1d"), label="Bucket")

_SCOPE = " Public channels only (staff channels are excluded); deleted messages are left out."

dashboard = Dashboard(
    uid="community-events",
    title="Event activity",
    folder="Community",
    description=(
        "Activity in the chosen categories and channels during the dashboard's time range: set it to the "
        "event. Aggregates only; staff channels are excluded."
    ),
    tags=["metricity", "community", "events"],
    time=("now-7d", "now"),
    variables=[category, channel, bucket],
    rows=[
        Row(
            "During the time range",
            [
                metricity.stat(
                    "Event totals",
                    "event_summary.sql",
                    description=(
                        "Messages, people posting and channels with activity in the chosen channels during the "
                        "time range; first time: people who had never written in those channels before it." + _SCOPE
                    ),
                    unit="short",
                    width=24,
                    height=4,
                ),
                metricity.timeseries(
                    "Messages and people posting per $bucket",
                    "event_activity.sql",
                    description="Messages and distinct people posting in each bucket (the Bucket variable)." + _SCOPE,
                    unit="short",
                    width=24,
                ),
                metricity.bargauge(
                    "Messages per channel",
                    "event_channels.sql",
                    description="The chosen channels by messages during the time range." + _SCOPE,
                    unit="short",
                    height=10,
                    options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^messages$/", "values": True}},
                    transformations=[
                        {"id": "filterFieldsByName", "options": {"include": {"names": ["channel", "messages"]}}}
                    ],
                ),
                metricity.table(
                    "Channels in detail",
                    "event_channels.sql",
                    description="Messages, people posting, first and last message per channel." + _SCOPE,
                    width=12,
                    height=10,
                ),
            ],
        ),
    ],
)
