"""When members are around (questions.md item 5): members posting by hour of day and by day of week.

All times are UTC, as Metricity stores them. Public channels only; bots and deleted messages are left out.
"""

from __future__ import annotations

from _pydis import metricity

from pydis_dash.grafana import Dashboard, Row

_AVERAGING_NOTE = (
    " Averages over the time range: every clock hour (or day) with at least one message counts once. "
    "Public channels only (staff channels excluded); bots and deleted messages are left out. UTC."
)

dashboard = Dashboard(
    uid="community-activity-patterns",
    title="Activity by hour and weekday",
    folder="Community",
    description=(
        "When members are around (UTC): to plan events and staff coverage. Aggregates only; staff channels "
        "are excluded."
    ),
    tags=["metricity", "community"],
    time=("now-28d", "now"),
    rows=[
        Row(
            "Hour of day and day of week",
            [
                metricity.barchart(
                    "Members posting by hour of day (UTC)",
                    "activity_by_hour.sql",
                    description="Distinct members posting, and messages, within an hour, averaged per hour of day."
                    + _AVERAGING_NOTE,
                    unit="short",
                    width=16,
                    height=9,
                    options={"xField": "hour"},
                ),
                metricity.barchart(
                    "Members posting by day of week",
                    "activity_by_weekday.sql",
                    description="Distinct members posting, and messages, per day, averaged per weekday (1 = Monday)."
                    + _AVERAGING_NOTE,
                    unit="short",
                    width=8,
                    height=9,
                    options={"xField": "weekday"},
                ),
                metricity.table(
                    "Members posting per weekday and hour (UTC)",
                    "activity_week_grid.sql",
                    description=(
                        "Distinct members posting within an hour, averaged per weekday (rows, 1 = Monday) "
                        "and hour of day (columns): the busiest cells are the darkest." + _AVERAGING_NOTE
                    ),
                    height=10,
                    transformations=[
                        {
                            "id": "groupingToMatrix",
                            "options": {"columnField": "hour", "rowField": "weekday", "valueField": "average_members"},
                        }
                    ],
                    field_config={
                        "color": {"mode": "continuous-BlPu"},
                        # applyToRow (its default) singles out this cell type for the schema's oneOf.
                        "custom": {
                            "cellOptions": {"type": "color-background", "mode": "gradient", "applyToRow": False}
                        },
                    },
                ),
            ],
        ),
    ],
)
