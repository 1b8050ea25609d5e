"""Bot command usage from the bot's statsd counters in Graphite (questions.md item 10)."""

from pydis_dash.grafana import Dashboard, Row, graphite, variables

command = variables.bot_command()

dashboard = Dashboard(
    uid="bot-commands",
    title="Bot command usage",
    folder="Bot",
    description="How often each bot command is used (stats_counts.bot.commands.<command>).",
    tags=["graphite", "bot"],
    time=("now-30d", "now"),
    variables=[command],
    rows=[
        Row(
            "Overview",
            [
                graphite.stat("Commands run", "sumSeries(stats_counts.bot.commands.*)",
                              unit="short", options={"reduceOptions": {"calcs": ["sum"]}}),
                graphite.bargauge(
                    "Top 20 commands",
                    "aliasByNode(limit(sortByTotal(stats_counts.bot.commands.*), 20), 3)",
                    unit="short",
                    width=18,
                    height=14,
                    options={"reduceOptions": {"calcs": ["sum"]}},
                ),
            ],
        ),
        Row(
            "Selected commands",
            [
                graphite.timeseries(
                    "Uses per interval",
                    "aliasByNode(summarize(stats_counts.bot.commands.$command, '1h', 'sum', false), 3)",
                    unit="short",
                    width=24,
                ),
            ],
        ),
    ],
)
