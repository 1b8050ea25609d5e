"""Nomination review from the site database: the nominations and the infraction history of one member
(questions.md item 20).

The site database is separate from Metricity, so the nominee's channels and activity are the Metricity
questions of the same collection (``dashboards/metabase/moderation/nominations.py``); all four take the
nominee's Discord user id in the same "User ID" box.
"""

from pydis_dash.metabase import DateVariable, Question, TextVariable

# Text, not a number: Metabase's number widget goes through JavaScript numbers and would round a
# snowflake above 2^53. PostgreSQL casts the quoted id to bigint when comparing it with user_id.
user_id = TextVariable("user_id", "User ID", required=True)

nominee_nominations = Question(
    key="site-nominee-nominations",
    name="A nominee's nominations and reasons",
    collection="Moderation/Nominations",
    database="Site",
    sql="nominee_nominations.sql",
    description=(
        "Every talent-pool nomination of one member, one row per staff member who nominated them, with "
        "their reason, whether it was reviewed, how it ended and a link to the vote thread."
    ),
    variables=[user_id],
    display="table",
)

nominee_infractions = Question(
    key="site-nominee-infractions",
    name="A nominee's infraction history",
    collection="Moderation/Nominations",
    database="Site",
    sql="nominee_infractions.sql",
    description=(
        "All infractions of one member, newest first, including notes and hidden ones, with the "
        "moderator, the reason and whether each is still active, expired or ended early."
    ),
    variables=[user_id, DateVariable("since", "Since (optional)")],
    display="table",
)
