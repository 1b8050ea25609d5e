"""Moderation workload from the site database's infractions (questions.md item 21).

Infractions per type per week, per acting moderator, and active against expired, for staff only.
"""

from pydis_dash.metabase import DateVariable, NumberVariable, Question

COLLECTION = "Moderation/Infractions"

infractions_per_week = Question(
    key="site-infractions-per-week",
    name="Infractions per type per week",
    collection=COLLECTION,
    database="Site",
    sql="infractions_per_week.sql",
    description="Infractions issued each week, stacked by type, automated ones (filters, anti-spam) included.",
    variables=[NumberVariable("weeks", "Weeks back", required=True, default=26)],
    display="bar",
    visualization_settings={
        "graph.dimensions": ["week", "type"],
        "graph.metrics": ["infractions"],
        "stackable.stack_type": "stacked",
    },
)

infractions_per_moderator = Question(
    key="site-infractions-per-moderator",
    name="Infractions per moderator",
    collection=COLLECTION,
    database="Site",
    sql="infractions_per_moderator.sql",
    description=(
        "How many infractions each moderator issued in the last days, by type, and how many are still "
        "active. Automated infractions are listed under the bot's name."
    ),
    variables=[NumberVariable("days", "Last (days)", required=True, default=30)],
    display="table",
)

infractions_by_status = Question(
    key="site-infractions-by-status",
    name="Active and expired infractions by type",
    collection=COLLECTION,
    database="Site",
    sql="infractions_by_status.sql",
    description=(
        "Per type: still active, expired (ran out), ended early (pardoned or replaced before running out, "
        "or a permanent one lifted) and one-offs (notes, warnings, kicks, which are never active)."
    ),
    variables=[DateVariable("since", "Issued since (optional)")],
    display="bar",
    visualization_settings={
        "graph.dimensions": ["type"],
        "graph.metrics": ["active", "expired", "ended_early", "one_off"],
        "stackable.stack_type": "stacked",
    },
)
