-- The public channels one member posts in most (questions.md item 7). Staff channels are left out:
-- the review is about the member's public participation.
SELECT
  c.name AS channel,
  coalesce(cat.name, '(no category)') AS category,
  count(*) AS messages,
  min(m.created_at) AS first_message,
  max(m.created_at) AS last_message
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
LEFT JOIN categories AS cat ON cat.id = c.category_id
WHERE m.author_id = {{user_id}}
  AND NOT m.is_deleted
  AND NOT c.is_staff
  [[AND m.created_at >= {{since}}]]
GROUP BY c.name, cat.name
ORDER BY messages DESC
LIMIT 25
