-- Members who joined recently and, soon after joining, posted a lot or across many channels.
-- Timestamps in Metricity are naive UTC, so "now" is taken in UTC too.
SELECT
  users.id AS user_id,
  users.name AS username,
  users.joined_at,
  users.created_at AS account_created_at,
  count(*) AS messages,
  count(*) FILTER (WHERE m.is_deleted) AS deleted_messages,
  count(DISTINCT m.channel_id) AS channels,
  min(m.created_at) - users.joined_at AS first_message_after_joining
FROM users
JOIN messages AS m ON m.author_id = users.id
WHERE users.joined_at >= (now() AT TIME ZONE 'UTC') - make_interval(days => {{joined_within_days}})
  AND NOT users.bot
  AND m.created_at >= users.joined_at
  AND m.created_at < users.joined_at + make_interval(hours => {{first_hours}})
GROUP BY users.id, users.name, users.joined_at, users.created_at
HAVING count(*) >= {{min_messages}}
    OR count(DISTINCT m.channel_id) >= {{min_channels}}
ORDER BY messages DESC
LIMIT 200
