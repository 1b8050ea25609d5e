-- Distinct people posting per channel over time (questions.md item 2).
SELECT
  $__timeGroupAlias(m.created_at, $__interval),
  c.name AS metric,
  count(DISTINCT m.author_id) AS posters
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE $__timeFilter(m.created_at)
  AND NOT c.is_staff
  AND m.channel_id IN ($channel)
GROUP BY 1, 2
ORDER BY 1
