-- The event's activity per channel (questions.md item 9).
SELECT
  c.name AS channel,
  coalesce(cat.name, '(no category)') AS category,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters,
  min(m.created_at) AS first_message,
  max(m.created_at) AS last_message
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
LEFT JOIN categories AS cat ON cat.id = c.category_id
WHERE $__timeFilter(m.created_at)
  AND m.channel_id IN ($channel)
  AND NOT c.is_staff
  AND NOT m.is_deleted
GROUP BY c.id, c.name, cat.name
ORDER BY messages DESC
