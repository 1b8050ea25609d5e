-- Public categories by messages in the time range (questions.md item 8).
SELECT
  cat.name AS category,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters,
  count(DISTINCT m.channel_id) AS active_channels
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN categories AS cat ON cat.id = c.category_id
JOIN users AS u ON u.id = m.author_id
WHERE $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT cat.deleted
  AND NOT u.bot
GROUP BY cat.id, cat.name
ORDER BY messages DESC
