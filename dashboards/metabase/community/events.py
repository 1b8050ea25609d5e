"""Event management (questions.md item 9): activity in a channel or category during an event.

Staff pick the event's channel (or its whole category) and its start and end; both filters are field
filters, so Metabase offers the channel and category names in a dropdown.
"""

from pydis_dash.metabase import DateVariable, FieldFilter, Question

event_variables = [
    FieldFilter("channel", "Channel", field="channels.name", widget_type="string/="),
    FieldFilter("category", "Category", field="categories.name", widget_type="string/="),
    DateVariable("starts", "Event starts (UTC)", required=True),
    DateVariable("ends", "Event ends (UTC)", required=True),
]

event_activity = Question(
    key="event-activity",
    name="Event activity per hour",
    collection="Community/Events",
    database="Metricity",
    sql="event_activity.sql",
    description="Messages and people posting per hour in the event's channel or category.",
    variables=event_variables,
    display="line",
    visualization_settings={"graph.dimensions": ["hour"], "graph.metrics": ["messages", "posters"]},
)

event_summary = Question(
    key="event-summary",
    name="Event summary",
    collection="Community/Events",
    database="Metricity",
    sql="event_summary.sql",
    description=(
        "Totals for the event: messages, people posting, and how many of them had never posted in "
        "those channels before the event."
    ),
    variables=event_variables,
    display="table",
)
