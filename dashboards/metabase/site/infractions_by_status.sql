-- Active against expired infractions, by type (questions.md item 21), for infractions issued since a
-- date. Notes, warnings and kicks are never active: they are one-offs. An inactive infraction that had
-- not yet run out (or never would, being permanent) was ended early: pardoned, or replaced by another.
SELECT
  CASE WHEN i.type = 'voice_ban' THEN 'voice_mute' ELSE i.type END AS type,
  count(*) FILTER (WHERE i.active) AS active,
  count(*) FILTER (WHERE NOT i.active AND i.expires_at <= now()) AS expired,
  count(*) FILTER (
    WHERE NOT i.active AND i.type NOT IN ('note', 'warning', 'kick') AND (i.expires_at IS NULL OR i.expires_at > now())
  ) AS ended_early,
  count(*) FILTER (
    WHERE NOT i.active AND i.type IN ('note', 'warning', 'kick') AND (i.expires_at IS NULL OR i.expires_at > now())
  ) AS one_off,
  count(*) AS total
FROM api_infraction AS i
WHERE TRUE
  [[AND i.inserted_at >= {{since}}]]
GROUP BY 1
ORDER BY total DESC
