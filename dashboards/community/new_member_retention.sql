-- Retention of new members (questions.md item 8): members who joined in ISO week N (Monday to Sunday,
-- UTC) and the share of them (%) who posted in a public channel in week N+1, N+2, N+3 and N+4.
-- Cohorts are the weeks overlapping the time range (the first one whole). A later week that has not
-- ended yet shows no value rather than a falsely low one. Bots and deleted messages are left out.
-- users.joined_at is the latest join: a member who came back counts in the week they came back.
WITH cohort AS (
  SELECT u.id, date_trunc('week', u.joined_at) AS week
  FROM users AS u
  WHERE u.joined_at >= date_trunc('week', $__timeFrom()::timestamp)
    AND u.joined_at < $__timeTo()::timestamp
    AND NOT u.bot
),
cohort_size AS (
  SELECT week, count(*) AS joined
  FROM cohort
  GROUP BY week
),
posted AS (
  -- The weeks after joining in which each new member posted.
  SELECT DISTINCT
    cohort.week,
    cohort.id,
    (extract(epoch FROM date_trunc('week', m.created_at) - cohort.week) / 604800)::int AS n
  FROM cohort
  JOIN messages AS m ON m.author_id = cohort.id
  JOIN channels AS c ON c.id = m.channel_id
  WHERE m.created_at >= cohort.week + interval '1 week'
    AND m.created_at < cohort.week + interval '5 weeks'
    AND NOT m.is_deleted
    AND NOT c.is_staff
),
retained AS (
  SELECT week, n, count(*) AS members
  FROM posted
  GROUP BY week, n
),
shares AS (
  -- Every cohort with each of its four later weeks, whether or not anyone posted in it.
  SELECT
    s.week,
    s.joined,
    later.n,
    CASE
      WHEN s.week + (later.n + 1) * interval '1 week' <= (now() AT TIME ZONE 'UTC')
      THEN round(100.0 * coalesce(r.members, 0) / s.joined, 1)
    END AS percent
  FROM cohort_size AS s
  CROSS JOIN generate_series(1, 4) AS later(n)
  LEFT JOIN retained AS r ON r.week = s.week AND r.n = later.n
)
SELECT
  week AS joined_in_week,
  joined AS new_members,
  max(percent) FILTER (WHERE n = 1) AS "posted in week N+1",
  max(percent) FILTER (WHERE n = 2) AS "posted in week N+2",
  max(percent) FILTER (WHERE n = 3) AS "posted in week N+3",
  max(percent) FILTER (WHERE n = 4) AS "posted in week N+4"
FROM shares
GROUP BY week, joined
ORDER BY week
