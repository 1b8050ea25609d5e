-- How many members are around at each hour of the day (UTC) (questions.md item 5): for every clock
-- hour in the time range, the distinct members who posted in a public channel, averaged per hour of day.
-- Bots and deleted messages are left out; hours without any message do not count towards the average.
WITH per_hour AS (
  SELECT
    date_trunc('hour', m.created_at) AS hour_start,
    count(DISTINCT m.author_id) AS members,
    count(*) AS messages
  FROM messages AS m
  JOIN channels AS c ON c.id = m.channel_id
  JOIN users AS u ON u.id = m.author_id
  WHERE $__timeFilter(m.created_at)
    AND NOT m.is_deleted
    AND NOT c.is_staff
    AND NOT u.bot
  GROUP BY 1
)
SELECT
  to_char(hour_start, 'HH24') AS hour,
  round(avg(members), 1) AS average_members,
  round(avg(messages), 1) AS average_messages
FROM per_hour
GROUP BY 1
ORDER BY 1
