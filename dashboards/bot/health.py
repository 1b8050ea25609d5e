"""Errors by kind, filter (anti-spam) activations and snekbox usage (questions.md item 15)."""

from _pydis.bot import ERRORS, EVENT_ERRORS, FILTERS, SNEKBOX_CHANNELS, SNEKBOX_RESULTS, SNEKBOX_ROLES, BotDashboard

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, rate, total


@BotDashboard
def health(store: BotStore) -> Dashboard:
    """What went wrong, what the filters caught, and how much code the bot evaluated."""
    return Dashboard(
        uid="bot-health",
        title="Errors, filters and snekbox",
        folder="Bot",
        description="Command and event errors (bot.errors.*), filter activations (bot.filters.*), "
        "code evaluations (bot.snekbox.*, bot.snekbox_usages.*).",
        tags=["bot"],
        time=("now-7d", "now"),
        rows=[
            Row(
                "Errors",
                [
                    store.stat("Command errors", total(ERRORS, split=False), unit="short"),
                    store.stat("Event listener errors", total(EVENT_ERRORS, split=False), unit="short"),
                    store.bargauge("Command errors by kind", total(ERRORS), unit="short"),
                    store.timeseries("Command errors per hour by kind", rate(ERRORS, per="1h"), unit="short"),
                    store.bargauge("Event listener errors by event", total(EVENT_ERRORS), unit="short"),
                ],
            ),
            Row(
                "Filters",
                [
                    store.bargauge("Activations by filter", total(FILTERS), unit="short"),
                    store.timeseries("Activations per hour by filter", rate(FILTERS, per="1h"), unit="short"),
                ],
            ),
            Row(
                "Snekbox",
                [
                    store.piechart("Evaluations by result", total(SNEKBOX_RESULTS), unit="short"),
                    store.bargauge("Evaluations by channel", total(SNEKBOX_CHANNELS), unit="short"),
                    store.bargauge("Evaluations by role", total(SNEKBOX_ROLES), unit="short"),
                    store.timeseries("Evaluations per hour by result", rate(SNEKBOX_RESULTS, per="1h"), unit="short"),
                ],
            ),
        ],
    )
