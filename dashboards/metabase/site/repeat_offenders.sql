-- Members with more than one infraction within a few days of each other (questions.md item 22), over a
-- recent period, with how many of each type they got. Notes and watches are staff bookkeeping, not
-- sanctions, so they are left out. The type filter is written by Metabase against the real table name,
-- hence api_infraction is not aliased.
WITH counted AS (
  SELECT
    user_id,
    CASE WHEN type = 'voice_ban' THEN 'voice_mute' ELSE type END AS type,
    inserted_at,
    inserted_at - lag(inserted_at) OVER (PARTITION BY user_id ORDER BY inserted_at) AS since_previous
  FROM api_infraction
  WHERE inserted_at >= now() - make_interval(days => {{days}})
    AND type NOT IN ('note', 'watch')
    [[AND {{type}}]]
),
offenders AS (
  SELECT user_id
  FROM counted
  GROUP BY user_id
  HAVING min(since_previous) <= make_interval(days => {{within_days}})
),
per_type AS (
  SELECT user_id, type, count(*) AS infractions
  FROM counted
  WHERE user_id IN (SELECT user_id FROM offenders)
  GROUP BY user_id, type
)
SELECT
  coalesce(u.name, '(unknown)') AS member,
  c.user_id::text AS user_id,
  u.in_guild,
  count(*) AS infractions,
  count(*) FILTER (WHERE c.since_previous <= make_interval(days => {{within_days}})) AS repeats,
  min(c.since_previous) AS shortest_gap,
  (
    SELECT string_agg(p.type || ' ' || p.infractions, ', ' ORDER BY p.infractions DESC, p.type)
    FROM per_type AS p
    WHERE p.user_id = c.user_id
  ) AS by_type,
  min(c.inserted_at) AS first_infraction,
  max(c.inserted_at) AS last_infraction
FROM counted AS c
JOIN offenders AS o ON o.user_id = c.user_id
LEFT JOIN api_user AS u ON u.id = c.user_id
GROUP BY c.user_id, u.name, u.in_guild
ORDER BY repeats DESC, infractions DESC, last_infraction DESC
