"""Alerts on the Discord server itself, from the bot's statsd gauges (exported to Prometheus)."""

from pydis_dash.alerts import RuleGroup, prometheus_rule

# Python Discord gains a few members every ten minutes on an ordinary day; a raid brings dozens at once.
RAID_JOINS_IN_5M = 25

guild = RuleGroup(
    folder="Discord",
    name="guild",
    interval="1m",
    rules=[
        prometheus_rule(
            "Unusual member join rate (possible raid)",
            # bot_guild_total_members is a gauge set on every join and leave: its rise over 5 minutes is
            # the net number of joins.
            expr="delta(bot_guild_total_members[5m])",
            above=RAID_JOINS_IN_5M,
            for_="0s",
            severity="low",
            also_notify="moderators",
            summary='{{ $values.B.Value | printf "%.0f" }} more members than 5 minutes ago',
            description=f"More than {RAID_JOINS_IN_5M} net joins in 5 minutes: check the join log for a raid.",
            # The gauge pauses while the bot restarts; that is not a raid.
            no_data_state="OK",
        ),
    ],
)
