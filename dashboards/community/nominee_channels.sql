-- The public channels one member posts in most during the time range (questions.md item 7, the
-- Grafana counterpart of the Metabase question "Channels a nominee frequents"). Channel names only:
-- no user names, no content. Staff channels are left out: the review is about public participation.
SELECT
  c.name AS channel,
  coalesce(cat.name, '(no category)') AS category,
  count(*) AS messages,
  min(m.created_at) AS first_message,
  max(m.created_at) AS last_message
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
LEFT JOIN categories AS cat ON cat.id = c.category_id
WHERE m.author_id = '$user_id'
  AND $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
GROUP BY c.name, cat.name
ORDER BY messages DESC
LIMIT 25
