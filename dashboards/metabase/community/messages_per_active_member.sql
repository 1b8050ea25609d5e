-- Public messages per active member, per week.
SELECT
  date_trunc('week', m.created_at) AS week,
  count(*) AS messages,
  count(DISTINCT m.author_id) AS active_members,
  round(count(*)::numeric / count(DISTINCT m.author_id), 1) AS messages_per_member
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN users AS u ON u.id = m.author_id
WHERE m.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{days}})
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT u.bot
GROUP BY 1
ORDER BY 1
