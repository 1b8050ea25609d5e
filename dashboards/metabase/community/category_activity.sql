-- Public categories by messages over the period.
SELECT
  cat.name AS category,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters,
  count(DISTINCT m.channel_id) AS active_channels
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN categories AS cat ON cat.id = c.category_id
WHERE m.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT cat.deleted
GROUP BY cat.name
ORDER BY messages DESC
