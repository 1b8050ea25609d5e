-- Not a query on its own: the WITH clause every help-thread panel starts with (help_threads.py
-- appends each panel's SELECT over `per_thread`), so "answered" and "time to close" mean the same
-- thing in every panel. Questions.md items 3 and 4.
--
-- per_thread: one row per thread of the chosen help forum opened in the time range.
--   closed:         archived or locked.
--   answered:       a non-bot member other than the asker (author of the thread's first message)
--                   wrote a message that is not deleted.
--   hours_to_close: closed threads only. Metricity stores no closing time, so this runs from
--                   threads.created_at to the thread's last message (the bot's closing message,
--                   when there is one).
WITH help_threads AS (
  SELECT t.id, t.created_at, t.archived OR t.locked AS closed
  FROM threads AS t
  JOIN channels AS forum ON forum.id = t.parent_channel_id
  WHERE $__timeFilter(t.created_at)
    AND forum.name = '$forum'
    AND NOT forum.is_staff
),
thread_messages AS (
  SELECT
    m.thread_id,
    m.author_id,
    m.created_at,
    m.is_deleted,
    u.bot,
    first_value(m.author_id) OVER (PARTITION BY m.thread_id ORDER BY m.created_at, m.id) AS asker
  FROM messages AS m
  JOIN help_threads AS h ON h.id = m.thread_id
  JOIN users AS u ON u.id = m.author_id
),
per_thread AS (
  SELECT
    h.created_at,
    h.closed,
    coalesce(bool_or(tm.author_id <> tm.asker AND NOT tm.bot AND NOT tm.is_deleted), false) AS answered,
    CASE WHEN h.closed THEN extract(epoch FROM max(tm.created_at) - h.created_at) / 3600 END AS hours_to_close
  FROM help_threads AS h
  LEFT JOIN thread_messages AS tm ON tm.thread_id = h.id
  GROUP BY h.id, h.created_at, h.closed
)
