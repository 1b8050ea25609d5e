-- Every live public channel with its activity over the period, quietest last (channels with no
-- message at all included). The category filter is a field filter on categories.name, so the
-- categories table is not aliased: Metabase writes the condition with the real table name.
SELECT
  c.name AS channel,
  coalesce(categories.name, '(no category)') AS category,
  count(m.id) AS messages,
  count(DISTINCT m.author_id) AS posters,
  max(m.created_at) AS last_message
FROM channels AS c
LEFT JOIN categories ON categories.id = c.category_id
LEFT JOIN messages AS m
  ON m.channel_id = c.id
  AND NOT m.is_deleted
  AND m.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
WHERE NOT c.is_staff
  AND NOT c.deleted
  [[AND {{category}}]]
GROUP BY c.name, categories.name
ORDER BY messages DESC, channel
