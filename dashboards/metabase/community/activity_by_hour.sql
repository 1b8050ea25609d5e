-- Distinct members posting and messages per weekday and hour (UTC) over the period
-- (questions.md item 5). isodow: 1 = Monday ... 7 = Sunday.
SELECT
  extract(isodow FROM m.created_at)::int AS weekday,
  extract(hour FROM m.created_at)::int AS hour_utc,
  count(DISTINCT m.author_id) AS members,
  count(*) AS messages
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE m.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
  AND NOT m.is_deleted
  AND NOT c.is_staff
GROUP BY 1, 2
ORDER BY 1, 2
