-- Help threads per week: opened, answered by someone other than the asker, median hours in use.
-- The asker is the author of a thread's first message.
WITH help_threads AS (
  SELECT t.id, t.created_at
  FROM threads AS t
  JOIN channels AS forum ON forum.id = t.parent_channel_id
  WHERE forum.name = {{forum}}
    AND t.created_at >= (now() AT TIME ZONE 'UTC') - make_interval(weeks => {{weeks}})
),
thread_messages AS (
  SELECT
    m.thread_id,
    m.author_id,
    m.created_at,
    first_value(m.author_id) OVER (PARTITION BY m.thread_id ORDER BY m.created_at, m.id) AS asker
  FROM messages AS m
  JOIN help_threads AS h ON h.id = m.thread_id
),
per_thread AS (
  SELECT
    h.id,
    h.created_at,
    bool_or(tm.author_id <> tm.asker) AS answered,
    max(tm.created_at) - h.created_at AS in_use
  FROM help_threads AS h
  LEFT JOIN thread_messages AS tm ON tm.thread_id = h.id
  GROUP BY h.id, h.created_at
)
SELECT
  date_trunc('week', created_at) AS week,
  count(*) AS threads,
  count(*) FILTER (WHERE answered) AS answered,
  round(100.0 * count(*) FILTER (WHERE answered) / count(*), 1) AS answered_percent,
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM in_use)) / 3600)::numeric, 1)
    AS median_hours_in_use
FROM per_thread
GROUP BY 1
ORDER BY 1
