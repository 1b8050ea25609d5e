-- Headline numbers for one member over the time range (questions.md item 7): messages, public
-- channels posted in, and the weeks in which they posted at all.
SELECT
  count(*) AS "Messages",
  count(DISTINCT m.channel_id) AS "Channels",
  count(DISTINCT date_trunc('week', m.created_at)) AS "Weeks with a message"
FROM messages AS m
JOIN channels AS c ON c.id = m.channel_id
WHERE m.author_id = '$user_id'
  AND $__timeFilter(m.created_at)
  AND NOT m.is_deleted
  AND NOT c.is_staff
