-- Members around per weekday and hour (UTC), as a 7 x 24 grid (questions.md item 5): the distinct
-- members posting in public channels in each clock hour, averaged over the weeks of the time range.
-- One row per (weekday, hour); the panel turns them into a grid (groupingToMatrix).
WITH per_hour AS (
  SELECT
    date_trunc('hour', m.created_at) AS hour_start,
    count(DISTINCT m.author_id) AS members
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
  to_char(hour_start, 'ID Dy') AS weekday,
  to_char(hour_start, 'HH24') AS hour,
  round(avg(members), 1) AS average_members
FROM per_hour
GROUP BY 1, 2
ORDER BY 1, 2
