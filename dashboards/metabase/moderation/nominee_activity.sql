-- One member's messages and distinct channels per week (questions.md item 20, Metricity part).
SELECT
  date_trunc('week', m.created_at) AS week,
  count(*) AS messages,
  count(DISTINCT m.channel_id) AS channels
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE m.author_id = {{user_id}}
  AND NOT m.is_deleted
  AND NOT c.is_staff
  [[AND m.created_at >= {{since}}]]
GROUP BY 1
ORDER BY 1
