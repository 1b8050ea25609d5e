-- Per infraction type, how many members got that same type again within a few days (questions.md
-- item 22): a high share for timeouts says timeouts do not deter. Notes and watches are left out, as in
-- the repeat offenders list.
WITH typed AS (
  SELECT i.user_id, CASE WHEN i.type = 'voice_ban' THEN 'voice_mute' ELSE i.type END AS type, i.inserted_at
  FROM api_infraction AS i
  WHERE i.inserted_at >= now() - make_interval(days => {{days}})
    AND i.type NOT IN ('note', 'watch')
),
counted AS (
  SELECT
    user_id,
    type,
    inserted_at - lag(inserted_at) OVER (PARTITION BY user_id, type ORDER BY inserted_at) AS since_previous
  FROM typed
),
per_type AS (
  SELECT
    type,
    count(*) AS infractions,
    count(DISTINCT user_id) AS members,
    count(DISTINCT user_id) FILTER (WHERE since_previous <= make_interval(days => {{within_days}})) AS repeat_members,
    count(*) FILTER (WHERE since_previous <= make_interval(days => {{within_days}})) AS repeat_infractions
  FROM counted
  GROUP BY type
)
SELECT
  type,
  infractions,
  members,
  repeat_members,
  repeat_infractions,
  round(100.0 * repeat_members / members, 1) AS repeat_members_percent
FROM per_type
ORDER BY repeat_members DESC, infractions DESC
