-- Totals for the event, and how many posters were new to the event's channels.
WITH event_messages AS (
  SELECT m.author_id, m.channel_id
  FROM messages AS m
  JOIN channels ON channels.id = m.channel_id
  LEFT JOIN categories ON categories.id = channels.category_id
  WHERE m.created_at >= {{starts}}
    AND m.created_at < {{ends}}
    AND NOT m.is_deleted
    AND NOT channels.is_staff
    [[AND {{channel}}]]
    [[AND {{category}}]]
)
SELECT
  count(*) AS messages,
  count(DISTINCT e.author_id) AS posters,
  count(DISTINCT e.channel_id) AS channels,
  count(DISTINCT e.author_id) FILTER (WHERE NOT EXISTS (
    SELECT 1 FROM messages AS earlier
    WHERE earlier.author_id = e.author_id
      AND earlier.channel_id = e.channel_id
      AND earlier.created_at < {{starts}}
  )) AS first_time_posters
FROM event_messages AS e
