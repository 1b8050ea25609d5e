-- The 15 busiest public channels in the time range (questions.md item 8), named with their category.
SELECT
  c.name || coalesce(' (' || cat.name || ')', '') AS channel,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
LEFT JOIN categories AS cat ON cat.id = c.category_id
JOIN users AS u ON u.id = m.author_id
WHERE $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT u.bot
GROUP BY c.id, c.name, cat.name
ORDER BY messages DESC
LIMIT 15
