-- Members who posted in a public channel, per day, week or month (DAU / WAU / MAU).
-- {{period}} is substituted as a quoted string, which is what date_trunc expects.
SELECT
  date_trunc({{period}}, m.created_at) AS period_start,
  count(DISTINCT m.author_id) AS active_members
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN users AS u ON u.id = m.author_id
WHERE m.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT u.bot
GROUP BY 1
ORDER BY 1
