"""Overall engagement from Metricity (questions.md item 8): active members per day, week and month,
new members and their retention, messages per active member, and the busiest (and quietest) channels
and categories: used to keep the set of topical channels current.

Public channels only (staff channels excluded); bots and deleted messages are left out of the counts.
"""

from __future__ import annotations

from _pydis import metricity

from pydis_dash.grafana import Dashboard, Row


def _active_members(period: str, column: str) -> str:
    """Distinct members posting per ``period`` (day, week, month; Grafana draws one point per period).

    The first period starts before the time range when needed so that it is counted whole; the last
    one is still running and so lower than it will be.
    """
    return f"""-- Active members per {period} (questions.md item 8).
SELECT
  date_trunc('{period}', m.created_at) AS time,
  count(DISTINCT m.author_id) AS {column}
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN users AS u ON u.id = m.author_id
WHERE m.created_at >= date_trunc('{period}', $__timeFrom()::timestamp)
  AND m.created_at < $__timeTo()::timestamp
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT u.bot
GROUP BY 1
ORDER BY 1"""


_ACTIVE = "An active member posted at least one (not deleted) message in a public channel; bots are left out."

dashboard = Dashboard(
    uid="community-engagement",
    title="Engagement",
    folder="Community",
    description=(
        "Active members, new members and their retention, messages per active member, and the busiest and "
        "quietest public channels. Aggregates only; staff channels are excluded."
    ),
    tags=["metricity", "community"],
    time=("now-90d", "now"),
    rows=[
        Row(
            "Members",
            [
                metricity.stat(
                    "In the time range",
                    "engagement_summary.sql",
                    description=_ACTIVE + " New members: joined the server in the time range (latest join).",
                    unit="short",
                    width=24,
                    height=4,
                ),
                metricity.timeseries(
                    "Daily active members",
                    _active_members("day", "daily_active"),
                    description=_ACTIVE + " Days in UTC; today is still running.",
                    unit="short",
                ),
                metricity.timeseries(
                    "Weekly and monthly active members",
                    _active_members("week", "weekly_active"),
                    _active_members("month", "monthly_active"),
                    description=(
                        _ACTIVE + " One point at the start of each week (Monday, UTC) and month; the first "
                        "is counted whole even when it starts before the time range, the last is still running."
                    ),
                    unit="short",
                    field_config={"custom": {"showPoints": "always"}},
                ),
                metricity.timeseries(
                    "New members per day",
                    "new_members.sql",
                    description=(
                        "Members who joined each day (UTC), and how many of them are still in the server. "
                        "A member who left and came back counts on the day they came back."
                    ),
                    unit="short",
                ),
                metricity.timeseries(
                    "Messages per active member per day",
                    "messages_per_active_member.sql",
                    description=(
                        "Public messages divided by the members who wrote them, per day: a drop means more "
                        "quiet members, a spike a few loud voices. " + _ACTIVE
                    ),
                    unit="short",
                    decimals=1,
                ),
                metricity.table(
                    "Retention of new members",
                    "new_member_retention.sql",
                    description=(
                        "Members who joined in week N (Monday to Sunday, UTC), and the percentage of them who "
                        "posted in a public channel in each of the four following weeks. A week that has not "
                        "ended yet is left empty."
                    ),
                    height=10,
                ),
            ],
        ),
        Row(
            "Channels and categories",
            [
                metricity.bargauge(
                    "Busiest public channels",
                    "busiest_channels.sql",
                    description="The 15 public channels with the most messages in the time range (bots left out).",
                    unit="short",
                    height=12,
                    options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^messages$/", "values": True}},
                ),
                metricity.bargauge(
                    "Busiest public categories",
                    "busiest_categories.sql",
                    description="Public categories by messages in the time range (bots left out).",
                    unit="short",
                    height=12,
                    options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^messages$/", "values": True}},
                ),
                metricity.table(
                    "Every public channel, quietest first",
                    "channel_ranking.sql",
                    description=(
                        "Every live public channel with its messages, people posting and last message in the "
                        "time range, channels with no message first: candidates for merging or archiving."
                    ),
                    height=12,
                ),
            ],
        ),
    ],
)
