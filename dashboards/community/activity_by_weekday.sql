-- How many members post on each day of the week (questions.md item 5): for every day in the time
-- range, the distinct members who posted in a public channel, averaged per weekday (UTC days).
WITH per_day AS (
  SELECT
    date_trunc('day', m.created_at) AS day,
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
  to_char(day, 'ID Dy') AS weekday,
  round(avg(members), 1) AS average_members,
  round(avg(messages), 1) AS average_messages
FROM per_day
GROUP BY 1
ORDER BY 1
