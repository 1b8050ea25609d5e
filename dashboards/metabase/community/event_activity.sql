-- Messages and distinct posters per hour in the chosen channel and/or category during the event.
-- Field filters name the real tables (channels, categories), so those are not aliased.
SELECT
  date_trunc('hour', m.created_at) AS hour,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS posters
FROM messages AS m
JOIN channels ON channels.id = m.channel_id
LEFT JOIN categories ON categories.id = channels.category_id
WHERE m.created_at >= {{starts}}
  AND m.created_at < {{ends}}
  AND NOT m.is_deleted
  AND NOT channels.is_staff
  [[AND {{channel}}]]
  [[AND {{category}}]]
GROUP BY 1
ORDER BY 1
