-- The busiest public channels in the time range: keeps the set of topical channels current.
SELECT
  c.name AS channel,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE $__timeFilter(m.created_at)
  AND NOT c.is_staff
  AND NOT m.is_deleted
GROUP BY c.name
ORDER BY messages DESC
LIMIT 20
