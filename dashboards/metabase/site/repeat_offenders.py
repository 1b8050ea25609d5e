"""Repeat offenders: members with more than one infraction within 30 days, by type (questions.md item 22)."""

from pydis_dash.metabase import FieldFilter, NumberVariable, Question

days = NumberVariable("days", "Infractions in the last (days)", required=True, default=180)
within_days = NumberVariable("within_days", "Repeated within (days)", required=True, default=30)

repeat_offenders = Question(
    key="site-repeat-offenders",
    name="Repeat offenders",
    collection="Moderation/Infractions",
    database="Site",
    sql="repeat_offenders.sql",
    description=(
        "Members who got another infraction within 30 days (by default) of a previous one, with their "
        "infractions by type. Notes and watches do not count. Narrow to some types with the Type filter."
    ),
    variables=[
        days,
        within_days,
        FieldFilter("type", "Type", field="api_infraction.type", widget_type="string/="),
    ],
    display="table",
)

repeat_offences_by_type = Question(
    key="site-repeat-offences-by-type",
    name="Repeat offences by type",
    collection="Moderation/Infractions",
    database="Site",
    sql="repeat_offences_by_type.sql",
    description=(
        "Per infraction type: the members who got that same type again within 30 days (by default), "
        "and their share of everyone who got it."
    ),
    variables=[days, within_days],
    display="table",
)
