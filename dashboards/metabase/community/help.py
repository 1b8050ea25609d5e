"""Help forum (questions.md items 3 and 4): threads opened, how long they stay open, whether someone
other than the asker replied.

Help threads are threads of the help forum channel; its name is a variable (``python-help`` today).
Metricity stores no closing time, so a thread's duration is the time from its creation to its last
message.
"""

from pydis_dash.metabase import NumberVariable, Question, TextVariable

forum = TextVariable("forum", "Help forum channel", required=True, default="python-help")
weeks = NumberVariable("weeks", "Over the last (weeks)", required=True, default=12)

help_threads = Question(
    key="help-threads-per-week",
    name="Help threads per week, answered and time in use",
    collection="Community/Help",
    database="Metricity",
    sql="help_threads_per_week.sql",
    description=(
        "Threads opened in the help forum per week, how many got a message from someone other than the "
        "asker, and the median hours from opening to the last message."
    ),
    variables=[forum, weeks],
    display="combo",
)

unanswered_help_threads = Question(
    key="unanswered-help-threads",
    name="Recent help threads nobody answered",
    collection="Community/Help",
    database="Metricity",
    sql="unanswered_help_threads.sql",
    description="Help threads from the last days where only the asker wrote: candidates for a follow-up.",
    variables=[forum, NumberVariable("days", "Opened in the last (days)", required=True, default=3)],
    display="table",
)
