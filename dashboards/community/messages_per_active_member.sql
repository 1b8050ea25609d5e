-- Messages per active member per day (questions.md item 8): public messages divided by the distinct
-- members who posted them. A drop means more quiet members, a spike a few loud voices.
SELECT
  $__timeGroupAlias(m.created_at, '1d'),
  round(count(*)::numeric / count(DISTINCT m.author_id), 1) AS messages_per_member
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
JOIN users AS u ON u.id = m.author_id
WHERE $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
  AND NOT u.bot
GROUP BY 1
ORDER BY 1
