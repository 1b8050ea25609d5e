-- Totals for the event (questions.md item 9): messages, people posting, channels with activity, and
-- how many of the people posting had never written in those channels before the time range.
WITH event_messages AS (
  SELECT m.author_id, m.channel_id
  FROM messages AS m
  JOIN channels AS c ON c.id = m.channel_id
  WHERE $__timeFilter(m.created_at)
    AND m.channel_id IN ($channel)
    AND NOT c.is_staff
    AND NOT m.is_deleted
)
SELECT
  count(*) AS "Messages",
  count(DISTINCT e.author_id) AS "People posting",
  count(DISTINCT e.channel_id) AS "Channels with activity",
  count(DISTINCT e.author_id) FILTER (WHERE NOT EXISTS (
    SELECT 1
    FROM messages AS earlier
    WHERE earlier.author_id = e.author_id
      AND earlier.channel_id IN ($channel)
      AND earlier.created_at < $__timeFrom()::timestamp
  )) AS "First time in these channels"
FROM event_messages AS e
