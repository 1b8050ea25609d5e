"""Anti-spam: recently joined members who behave unusually soon after joining (questions.md item 6)."""

from pydis_dash.metabase import NumberVariable, Question

recent_joiners = Question(
    key="recent-joiners-unusual-activity",
    name="Recently joined members with unusual activity",
    collection="Moderation/Anti-spam",
    database="Metricity",
    sql="recent_joiners_unusual_activity.sql",
    description=(
        "Members who joined in the last few days and, within their first hours, posted many messages "
        "or in many channels: typical of spam accounts and raids. Deleted messages count too, since "
        "spam is often deleted by the filters."
    ),
    variables=[
        NumberVariable("joined_within_days", "Joined within the last (days)", required=True, default=7),
        NumberVariable("first_hours", "Activity in their first (hours)", required=True, default=24),
        NumberVariable("min_messages", "At least this many messages", required=True, default=50),
        NumberVariable("min_channels", "Or in at least this many channels", required=True, default=5),
    ],
    display="table",
)
