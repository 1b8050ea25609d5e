"""Help forum posts: opened and closed, time in use, answered vs unanswered (questions.md item 11)."""

from _pydis.bot import (
    HELP_ANSWERED,
    HELP_CLAIMED,
    HELP_CLOSED,
    HELP_DORMANT_INVOKE,
    HELP_IN_USE,
    HELP_IN_USE_TIME,
    HELP_UNANSWERED,
    BotDashboard,
)

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, mean, quantile, rate, total, value


@BotDashboard
def help_posts(store: BotStore) -> Dashboard:
    """One post per question in the python-help forum; "closed" counts every way a post goes dormant."""
    return Dashboard(
        uid="bot-help",
        title="Help posts",
        folder="Bot",
        description="Help forum posts from the bot's statsd metrics (bot.help.*).",
        tags=["bot"],
        time=("now-30d", "now"),
        rows=[
            Row(
                "Over the time range",
                [
                    store.stat("Posts opened", total(HELP_CLAIMED), unit="short"),
                    store.stat("Posts closed", total(HELP_CLOSED, split=False), unit="short"),
                    store.stat("Posts in use now", value(HELP_IN_USE), unit="short"),
                    store.piechart(
                        "Answered vs unanswered", total(HELP_ANSWERED), total(HELP_UNANSWERED), unit="short"
                    ),
                ],
            ),
            Row(
                "Over time",
                [
                    store.timeseries(
                        "Opened and closed per hour",
                        rate(HELP_CLAIMED, per="1h"),
                        rate(HELP_CLOSED, per="1h", split=False),
                        unit="short",
                    ),
                    store.timeseries("Posts in use", value(HELP_IN_USE), unit="short"),
                    store.timeseries(
                        "Time a post stays in use",
                        quantile(HELP_IN_USE_TIME, 0.5),
                        quantile(HELP_IN_USE_TIME, 0.9),
                        mean(HELP_IN_USE_TIME),
                        unit="s",
                        description="How long a post stayed open, measured when it closes.",
                    ),
                    store.timeseries(
                        "Answered vs unanswered per hour",
                        rate(HELP_ANSWERED, per="1h"),
                        rate(HELP_UNANSWERED, per="1h"),
                        unit="short",
                        description="Answered: someone other than the claimant wrote in the post before it closed.",
                    ),
                ],
            ),
            Row(
                "Closing",
                [
                    store.bargauge("Why posts closed", total(HELP_CLOSED), unit="short"),
                    store.bargauge("Closed by command, by whom", total(HELP_DORMANT_INVOKE), unit="short"),
                ],
            ),
        ],
    )
