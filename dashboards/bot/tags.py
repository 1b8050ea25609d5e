"""Tag requests, for a chosen set of tags (questions.md item 12)."""

from _pydis.bot import TAG_USAGES, BotDashboard

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, rate, top, total


@BotDashboard
def tags(store: BotStore) -> Dashboard:
    """How often each tag is requested; the Tag variable narrows the lower row."""
    tag = store.variable("tag", TAG_USAGES, sample="pep8", label="Tag", multi=True)
    selected = TAG_USAGES.select("$tag")
    return Dashboard(
        uid="bot-tags",
        title="Tag requests",
        folder="Bot",
        description="Tag requests from the bot's statsd counters (bot.tags.usages.<tag>; grouped tags excluded).",
        tags=["bot"],
        time=("now-30d", "now"),
        variables=[tag],
        rows=[
            Row(
                "All tags",
                [
                    store.stat("Tag requests", total(TAG_USAGES, split=False), unit="short"),
                    store.bargauge("Top 20 tags", top(TAG_USAGES, 20), unit="short", width=18, height=14),
                ],
            ),
            Row(
                "Selected tags",
                [
                    store.bargauge("Requests of the selected tags", total(selected), unit="short"),
                    store.timeseries("Requests per hour", rate(selected, per="1h"), unit="short"),
                ],
            ),
        ],
    )
