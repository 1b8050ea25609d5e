"""Nomination review: where a nominee talks and how active they are (questions.md items 7 and 20).

Staff paste the nominee's Discord user id into the "User ID" box. The site database's nomination and
infraction history is a separate database, so it is asked separately (see the site questions).
"""

from pydis_dash.metabase import DateVariable, Question, TextVariable

user_id = TextVariable("user_id", "User ID", required=True)
since = DateVariable("since", "Since (optional)")

nominee_channels = Question(
    key="nominee-channels",
    name="Channels a nominee frequents",
    collection="Moderation/Nominations",
    database="Metricity",
    sql="nominee_channels.sql",
    description="The public channels a member posts in most, to aid a nomination review.",
    variables=[user_id, since],
    display="row",
    visualization_settings={"graph.dimensions": ["channel"], "graph.metrics": ["messages"]},
)

nominee_activity = Question(
    key="nominee-activity",
    name="A nominee's activity per week",
    collection="Moderation/Nominations",
    database="Metricity",
    sql="nominee_activity.sql",
    description="Messages and channels posted in per week by one member, to see how steady they are.",
    variables=[user_id, since],
    display="line",
    visualization_settings={"graph.dimensions": ["week"], "graph.metrics": ["messages", "channels"]},
)
