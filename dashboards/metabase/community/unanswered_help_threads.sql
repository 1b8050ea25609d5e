-- Recent help threads in which only the asker (author of the first message) wrote.
WITH recent AS (
  SELECT t.id, t.name, t.created_at, t.archived
  FROM threads AS t
  JOIN channels AS forum ON forum.id = t.parent_channel_id
  WHERE forum.name = {{forum}}
    AND t.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
),
authors AS (
  SELECT
    m.thread_id,
    count(*) AS messages,
    count(DISTINCT m.author_id) AS distinct_authors
  FROM messages AS m
  JOIN recent AS r ON r.id = m.thread_id
  WHERE NOT m.is_deleted
  GROUP BY m.thread_id
)
SELECT
  r.id AS thread_id,
  r.name AS title,
  r.created_at,
  r.archived,
  coalesce(a.messages, 0) AS messages
FROM recent AS r
LEFT JOIN authors AS a ON a.thread_id = r.id
WHERE coalesce(a.distinct_authors, 0) <= 1
ORDER BY r.created_at DESC
