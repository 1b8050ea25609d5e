"""Documentation lookups by package (questions.md item 13)."""

from _pydis.bot import DOC_FETCHES, BotDashboard

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, rate, top, total


@BotDashboard
def doc_lookups(store: BotStore) -> Dashboard:
    """Symbols looked up with the documentation command, per package."""
    return Dashboard(
        uid="bot-docs",
        title="Documentation lookups",
        folder="Bot",
        description="Documentation command lookups per package (bot.doc_fetches.<package>).",
        tags=["bot"],
        time=("now-30d", "now"),
        rows=[
            Row(
                "Packages",
                [
                    store.stat("Lookups", total(DOC_FETCHES, split=False), unit="short"),
                    store.bargauge("Top 20 packages", top(DOC_FETCHES, 20), unit="short", width=18, height=14),
                    store.timeseries(
                        "Lookups per hour by package", rate(DOC_FETCHES, per="1h"), unit="short", width=24
                    ),
                ],
            ),
        ],
    )
