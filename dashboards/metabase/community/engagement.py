"""Overall engagement (questions.md items 5 and 8): active members, new members and their retention,
messages per active member, and which channels and categories are busy or quiet.

Used by staff to keep the set of topical channels current. Staff channels, bots and deleted messages
are left out of every count.
"""

from pydis_dash.metabase import FieldFilter, NumberVariable, Question, TextVariable

days = NumberVariable("days", "Over the last (days)", required=True, default=90)

active_members = Question(
    key="active-members",
    name="Active members per day, week or month",
    collection="Community/Engagement",
    database="Metricity",
    sql="active_members.sql",
    description="Members who posted at least once in a public channel, per period (DAU/WAU/MAU).",
    variables=[
        TextVariable("period", "Period: day, week or month", required=True, default="day"),
        days,
    ],
    display="line",
    visualization_settings={"graph.dimensions": ["period_start"], "graph.metrics": ["active_members"]},
)

new_member_retention = Question(
    key="new-member-retention",
    name="New members per week and how many stay",
    collection="Community/Engagement",
    database="Metricity",
    sql="new_member_retention.sql",
    description=(
        "Members who joined each week, how many posted in their first week, and how many still posted "
        "three to five weeks after joining."
    ),
    variables=[NumberVariable("weeks", "Over the last (weeks)", required=True, default=26)],
    display="combo",
)

messages_per_active_member = Question(
    key="messages-per-active-member",
    name="Messages per active member per week",
    collection="Community/Engagement",
    database="Metricity",
    sql="messages_per_active_member.sql",
    description="How much the average active member writes: a drop means lurkers, a spike means a few loud voices.",
    variables=[days],
    display="line",
)

channel_ranking = Question(
    key="channel-activity-ranking",
    name="Public channels from busiest to quietest",
    collection="Community/Engagement",
    database="Metricity",
    sql="channel_activity_ranking.sql",
    description=(
        "Every public channel with its messages and posters over the period, quietest last: "
        "candidates for merging or archiving are at the bottom. Filter by category if needed."
    ),
    variables=[days, FieldFilter("category", "Category", field="categories.name", widget_type="string/=")],
    display="table",
)

category_activity = Question(
    key="category-activity",
    name="Messages and posters per category",
    collection="Community/Engagement",
    database="Metricity",
    sql="category_activity.sql",
    description="Public categories by messages over the period.",
    variables=[days],
    display="bar",
)

activity_by_hour = Question(
    key="activity-by-hour",
    name="Active members by hour of day and day of week",
    collection="Community/Engagement",
    database="Metricity",
    sql="activity_by_hour.sql",
    description="When members are around (UTC): useful to plan events and staff coverage.",
    variables=[days],
    display="table",
)
