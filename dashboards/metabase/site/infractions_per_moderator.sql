-- Who issues the infractions, and which kinds (questions.md item 21). Automated infractions (filters,
-- anti-spam) are issued as the bot's own user and show up as the bot's name.
SELECT
  coalesce(moderator.name, '(unknown)') AS moderator,
  i.actor_id::text AS moderator_id,
  count(*) AS infractions,
  count(*) FILTER (WHERE i.type = 'note') AS notes,
  count(*) FILTER (WHERE i.type = 'warning') AS warnings,
  count(*) FILTER (WHERE i.type = 'watch') AS watches,
  count(*) FILTER (WHERE i.type = 'timeout') AS timeouts,
  count(*) FILTER (WHERE i.type = 'kick') AS kicks,
  count(*) FILTER (WHERE i.type = 'ban') AS bans,
  count(*) FILTER (WHERE i.type = 'superstar') AS superstars,
  count(*) FILTER (WHERE i.type IN ('voice_ban', 'voice_mute')) AS voice_mutes,
  count(*) FILTER (WHERE i.active) AS still_active,
  max(i.inserted_at) AS last_issued
FROM api_infraction AS i
LEFT JOIN api_user AS moderator ON moderator.id = i.actor_id
WHERE i.inserted_at >= now() - make_interval(days => {{days}})
GROUP BY moderator.name, i.actor_id
ORDER BY infractions DESC
