"""Guild member count and Nitro boosts (questions.md item 14)."""

from _pydis.bot import BOOST_AMOUNT, BOOST_TIER, GUILD_MEMBERS, BotDashboard

from pydis_dash.grafana import Dashboard, Row
from pydis_dash.grafana.bot import BotStore, value


@BotDashboard
def guild(store: BotStore) -> Dashboard:
    """Members are counted on every join and leave; boosts once an hour."""
    return Dashboard(
        uid="bot-guild",
        title="Guild members and boosts",
        folder="Bot",
        description="Member count and server boosts from the bot's statsd gauges (bot.guild.*, bot.boost.*).",
        tags=["bot"],
        time=("now-90d", "now"),
        rows=[
            Row(
                "Now",
                [
                    store.stat("Members", value(GUILD_MEMBERS), unit="short"),
                    store.stat("Boosts", value(BOOST_AMOUNT), unit="short"),
                    store.stat("Boost tier", value(BOOST_TIER), unit="none", decimals=0),
                ],
            ),
            Row(
                "Over time",
                [
                    store.timeseries("Members", value(GUILD_MEMBERS), unit="short"),
                    store.timeseries("Boosts", value(BOOST_AMOUNT), unit="short"),
                ],
            ),
        ],
    )
