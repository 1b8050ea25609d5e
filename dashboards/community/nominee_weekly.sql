-- One member's messages and distinct public channels per ISO week (Monday to Sunday, UTC)
-- (questions.md items 7 and 20): how steady their participation is.
SELECT
  date_trunc('week', m.created_at) AS time,
  count(*) AS messages,
  count(DISTINCT m.channel_id) AS channels
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE m.author_id = '$user_id'
  AND $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
GROUP BY 1
ORDER BY 1
