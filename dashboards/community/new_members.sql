-- Members who joined per day (questions.md item 8), and how many of them are still in the server.
-- users.joined_at is the latest join: a member who left and came back counts on the day they came back.
SELECT
  $__timeGroupAlias(u.joined_at, '1d'),
  count(*) AS joined,
  count(*) FILTER (WHERE u.in_guild) AS still_members
FROM users AS u
WHERE $__timeFilter(u.joined_at)
  AND NOT u.bot
GROUP BY 1
ORDER BY 1
