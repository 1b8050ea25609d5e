-- One member's whole infraction history, newest first (questions.md item 20), hidden ones (notes,
-- shadow infractions) included: these questions are for staff only.
SELECT
  i.id AS infraction,
  i.inserted_at AS issued_at,
  i.type,
  CASE
    WHEN i.active THEN 'active'
    WHEN i.expires_at IS NOT NULL AND i.expires_at <= now() THEN 'expired'
    WHEN i.type IN ('note', 'warning', 'kick') THEN 'one-off'
    ELSE 'ended early'
  END AS status,
  i.expires_at,
  i.expires_at - i.inserted_at AS duration,
  i.hidden,
  i.reason,
  coalesce(moderator.name, '(unknown)') AS moderator,
  i.actor_id::text AS moderator_id,
  i.jump_url
FROM api_infraction AS i
LEFT JOIN api_user AS moderator ON moderator.id = i.actor_id
-- Staff paste an id, or a mention like <@123456789012345678>: keep the digits. Text that holds none
-- finds nothing rather than failing on the cast.
WHERE i.user_id = CAST(nullif(regexp_replace({{user_id}}, '\D', '', 'g'), '') AS bigint)
  [[AND i.inserted_at >= {{since}}]]
ORDER BY i.inserted_at DESC
