-- Every talent-pool nomination of one member, one row per staff member's entry (questions.md item 20).
-- Nominators are on api_nominationentry, not on the nomination; LEFT JOIN keeps a nomination that has
-- no entry. Ids are cast to text: Metabase would print the snowflakes with separators or round them.
SELECT
  n.id AS nomination,
  CASE WHEN n.active THEN 'open' ELSE 'ended' END AS status,
  n.inserted_at AS nominated_at,
  e.inserted_at AS entry_at,
  coalesce(nominator.name, '(unknown)') AS nominator,
  e.actor_id::text AS nominator_id,
  nullif(e.reason, '') AS reason,
  n.reviewed,
  n.ended_at,
  nullif(n.end_reason, '') AS end_reason,
  -- The staff vote's thread, openable from Metabase (267624335836053506 is the Python Discord guild).
  'https://discord.com/channels/267624335836053506/' || n.thread_id AS vote_thread
FROM api_nomination AS n
LEFT JOIN api_nominationentry AS e ON e.nomination_id = n.id
LEFT JOIN api_user AS nominator ON nominator.id = e.actor_id
-- Staff paste an id, or a mention like <@123456789012345678>: keep the digits. Text that holds none
-- finds nothing rather than failing on the cast.
WHERE n.user_id = CAST(nullif(regexp_replace({{user_id}}, '\D', '', 'g'), '') AS bigint)
ORDER BY n.inserted_at DESC, e.inserted_at
