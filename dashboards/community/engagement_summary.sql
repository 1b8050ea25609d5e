-- Headline engagement numbers for the time range (questions.md item 8).
WITH public_messages AS (
  SELECT m.author_id
  FROM messages AS m
  JOIN channels AS c ON c.id = m.channel_id
  JOIN users AS u ON u.id = m.author_id
  WHERE $__timeFilter(m.created_at)
    AND NOT m.is_deleted
    AND NOT c.is_staff
    AND NOT u.bot
)
SELECT
  (SELECT count(DISTINCT author_id) FROM public_messages) AS "Active members",
  (SELECT count(*) FROM users AS u WHERE $__timeFilter(u.joined_at) AND NOT u.bot) AS "New members",
  -- greatest(..., 1): no active member means no message either, so 0 rather than a division by zero.
  (SELECT round(count(*)::numeric / greatest(count(DISTINCT author_id), 1), 1) FROM public_messages)
    AS "Messages per active member"
