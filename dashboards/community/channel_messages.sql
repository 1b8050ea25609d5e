-- Messages per channel over time (questions.md item 1). Staff channels are never shown.
SELECT
  $__timeGroupAlias(m.created_at, $__interval),
  c.name AS metric,
  count(*) AS messages
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE $__timeFilter(m.created_at)
  AND NOT c.is_staff
  AND NOT m.is_deleted
  AND m.channel_id IN ($channel)
GROUP BY 1, 2
ORDER BY 1
