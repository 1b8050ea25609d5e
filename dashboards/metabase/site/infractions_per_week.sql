-- Infractions issued per week, by type (questions.md item 21). 'voice_ban' rows were rewritten to
-- 'voice_mute' in 2021 but the value is still allowed: both count as voice_mute.
SELECT
  date_trunc('week', i.inserted_at) AS week,
  CASE WHEN i.type = 'voice_ban' THEN 'voice_mute' ELSE i.type END AS type,
  count(*) AS infractions
FROM api_infraction AS i
WHERE i.inserted_at >= date_trunc('week', now()) - make_interval(weeks => {{weeks}})
GROUP BY 1, 2
ORDER BY 1, 2
