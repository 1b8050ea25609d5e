"""Help forum threads from Metricity (questions.md items 3 and 4): how many are opened, how long until
they are closed, and how many get a message from someone other than the asker.

Every panel reads the same per-thread facts (``help_thread_facts.sql``) so that "answered" and "time to
close" mean one thing on the whole dashboard; each panel adds only its own ``SELECT``.
"""

from __future__ import annotations

from pathlib import Path

from _pydis import METRICITY, metricity

from pydis_dash.grafana import Dashboard, Row, variables

_FACTS = Path(__file__).with_name("help_thread_facts.sql").read_text(encoding="utf-8").strip()

# Threads exist in ordinary channels too; the help forum is the channel whose threads are help posts.
forum = variables.query(
    "forum",
    METRICITY,
    "SELECT DISTINCT c.name FROM channels AS c JOIN threads AS t ON t.parent_channel_id = c.id "
    "WHERE NOT c.is_staff AND NOT c.deleted ORDER BY 1",
    label="Help forum",
    sample=("python-help", "python-help"),
)

_CLOSE_TIME_NOTE = (
    " A thread counts as closed once it is archived or locked. Metricity records no closing time, so the "
    "time until closed runs from the thread's creation (threads.created_at) to its last message, which is "
    "normally the bot's closing message: a proxy, not the exact moment it was closed. Threads still open "
    "are left out of the times."
)


def _per_thread(select: str) -> str:
    """The per-thread facts followed by one panel's ``SELECT ... FROM per_thread``."""
    return f"{_FACTS}\n{select}"


_SUMMARY = _per_thread(
    """SELECT
  count(*) AS "Opened",
  count(*) FILTER (WHERE closed) AS "Closed",
  count(*) FILTER (WHERE answered) AS "Answered by someone else",
  CASE WHEN count(*) > 0 THEN round(100.0 * count(*) FILTER (WHERE answered) / count(*), 1) END AS "Answered share",
  round(avg(hours_to_close)::numeric, 1) AS "Average time to close",
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_to_close))::numeric, 1) AS "Median time to close"
FROM per_thread"""
)

_PER_DAY = _per_thread(
    """SELECT
  $__timeGroupAlias(created_at, '1d'),
  count(*) AS opened,
  count(*) FILTER (WHERE closed) AS closed,
  count(*) FILTER (WHERE answered) AS answered,
  round(100.0 * count(*) FILTER (WHERE answered) / count(*), 1) AS answered_percent,
  round(avg(hours_to_close)::numeric, 1) AS average_hours_to_close,
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_to_close))::numeric, 1) AS median_hours_to_close
FROM per_thread
GROUP BY 1
ORDER BY 1"""
)


def _fields(pattern: str) -> dict[str, object]:
    """Stat options showing only the summary columns matching ``pattern`` (a regex alternation)."""
    return {"reduceOptions": {"calcs": ["lastNotNull"], "fields": f"/^({pattern})$/", "values": False}}


def _only(*fields: str) -> list[dict[str, object]]:
    """Keep the time column and ``fields`` of the per-day query (each panel shows a few of its columns)."""
    return [{"id": "filterFieldsByName", "options": {"include": {"names": ["time", *fields]}}}]


dashboard = Dashboard(
    uid="community-help-threads",
    title="Help threads",
    folder="Community",
    description=(
        "Help forum posts: opened per day, time until closed, and how many got a reply from someone other "
        "than the asker. Aggregates only; staff channels are excluded."
    ),
    tags=["metricity", "community", "help"],
    time=("now-30d", "now"),
    variables=[forum],
    rows=[
        Row(
            "Help threads opened in the time range",
            [
                metricity.stat(
                    "Help threads",
                    _SUMMARY,
                    description=(
                        "Threads opened in the help forum during the time range, how many of them are "
                        "closed by now, and how many got a message from a member other than the asker "
                        "(and not a bot)." + _CLOSE_TIME_NOTE
                    ),
                    unit="short",
                    width=12,
                    options=_fields("Opened|Closed|Answered by someone else"),
                ),
                metricity.stat(
                    "Answered by someone other than the asker",
                    _SUMMARY,
                    description=(
                        "The share of threads opened in the time range in which a member other than the "
                        "asker (the author of the first message), and not a bot, wrote a message."
                    ),
                    unit="percent",
                    options=_fields("Answered share"),
                ),
                metricity.stat(
                    "Time until closed",
                    _SUMMARY,
                    description="Average and median over the threads opened in the time range." + _CLOSE_TIME_NOTE,
                    unit="h",
                    options=_fields("Average time to close|Median time to close"),
                ),
            ],
        ),
        Row(
            "Per day",
            [
                metricity.timeseries(
                    "Help threads opened per day",
                    _PER_DAY,
                    description=(
                        "Threads opened each day, how many of them are closed by now, and how many got a "
                        "message from someone other than the asker."
                    ),
                    unit="short",
                    width=8,
                    transformations=_only("opened", "closed", "answered"),
                ),
                metricity.timeseries(
                    "Time until closed",
                    _PER_DAY,
                    description="Average and median time until closed of the threads opened each day."
                    + _CLOSE_TIME_NOTE,
                    unit="h",
                    width=8,
                    transformations=_only("average_hours_to_close", "median_hours_to_close"),
                ),
                metricity.timeseries(
                    "Share answered by someone other than the asker",
                    _PER_DAY,
                    description=(
                        "Of the threads opened each day, the percentage in which a member other than the "
                        "asker (the author of the first message), and not a bot, wrote a message: are "
                        "people helping?"
                    ),
                    unit="percent",
                    min=0,
                    max=100,
                    width=8,
                    transformations=_only("answered_percent"),
                ),
            ],
        ),
    ],
)
