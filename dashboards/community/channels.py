"""Channel activity from Metricity: messages and distinct posters per channel (questions 1 and 2)."""

from _pydis import metricity, metricity_channel

from pydis_dash.grafana import Dashboard, Row

channel = metricity_channel(multi=True, include_all=True)

dashboard = Dashboard(
    uid="community-channels",
    title="Channel activity",
    folder="Community",
    description="Messages and people posting per public channel. Staff channels are excluded.",
    tags=["metricity", "community"],
    variables=[channel],
    rows=[
        Row(
            "Selected channels",
            [
                metricity.stat(
                    "Messages",
                    sql="SELECT count(*) AS messages FROM messages AS m "
                    "WHERE $__timeFilter(m.created_at) AND NOT m.is_deleted AND m.channel_id IN ($channel)",
                    unit="short",
                ),
                metricity.stat(
                    "People posting",
                    sql="SELECT count(DISTINCT m.author_id) AS posters FROM messages AS m "
                    "WHERE $__timeFilter(m.created_at) AND m.channel_id IN ($channel)",
                    unit="short",
                ),
                metricity.timeseries("Messages per channel", sql="channel_messages.sql", unit="short", width=12),
                metricity.timeseries("People posting per channel", sql="channel_posters.sql", unit="short"),
            ],
        ),
        Row(
            "All public channels",
            [
                metricity.bargauge(
                    "Busiest channels",
                    sql="top_channels.sql",
                    unit="short",
                    height=12,
                    options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^messages$/", "values": True}},
                ),
                metricity.table("Messages and posters by channel", sql="top_channels.sql", width=12, height=12),
            ],
        ),
    ],
)
