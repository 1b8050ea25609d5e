-- Every live public channel with its activity in the time range, quietest first, including channels
-- with no message at all (questions.md item 8): candidates for merging or archiving are at the top.
SELECT
  c.name AS channel,
  coalesce(cat.name, '(no category)') AS category,
  count(m.id) AS messages,
  count(DISTINCT m.author_id) AS posters,
  max(m.created_at) AS last_message
FROM channels AS c
LEFT JOIN categories AS cat ON cat.id = c.category_id
LEFT JOIN messages AS m
  ON m.channel_id = c.id
  AND NOT m.is_deleted
  AND $__timeFilter(m.created_at)
WHERE NOT c.is_staff
  AND NOT c.deleted
GROUP BY c.id, c.name, cat.name
ORDER BY messages, channel
