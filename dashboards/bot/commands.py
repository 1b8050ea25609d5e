"""Bot command usage, top 20 (questions.md item 10), for Graphite and Prometheus."""

from _pydis.bot import COMMANDS, BotDashboard

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, rate, top, total


@BotDashboard
def commands(store: BotStore) -> Dashboard:
    """How often each command completes; the Command variable narrows the lower row."""
    command = store.variable("command", COMMANDS, sample="help", label="Command", multi=True, include_all=True)
    return Dashboard(
        uid="bot-commands",
        title="Bot command usage",
        folder="Bot",
        description="How often each bot command is used (bot.commands.<command>).",
        tags=["bot"],
        time=("now-30d", "now"),
        variables=[command],
        rows=[
            Row(
                "Overview",
                [
                    store.stat("Commands run", total(COMMANDS, split=False), unit="short"),
                    store.bargauge("Top 20 commands", top(COMMANDS, 20), unit="short", width=18, height=14),
                ],
            ),
            Row(
                "Selected commands",
                [
                    store.timeseries(
                        "Uses per hour", rate(COMMANDS.select("$command"), per="1h"), unit="short", width=24
                    ),
                ],
            ),
        ],
    )
