-- Messages and people posting per $bucket in the event's channels during the dashboard's time range
-- (questions.md item 9). $channel holds the channels picked (by default every public channel of the
-- picked categories).
SELECT
  $__timeGroupAlias(m.created_at, $bucket),
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE $__timeFilter(m.created_at)
  AND m.channel_id IN ($channel)
  AND NOT c.is_staff
  AND NOT m.is_deleted
GROUP BY 1
ORDER BY 1
