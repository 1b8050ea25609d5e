-- Members who joined each week; of them, who posted in their first week and who still posted
-- three to five weeks after joining. users.joined_at is the latest join, so a member who left and
-- came back counts in the week they came back.
SELECT
  date_trunc('week', u.joined_at) AS week,
  count(*) AS new_members,
  count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM messages AS m
    WHERE m.author_id = u.id
      AND m.created_at >= u.joined_at
      AND m.created_at < u.joined_at + interval '7 days'
  )) AS posted_in_first_week,
  count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM messages AS m
    WHERE m.author_id = u.id
      AND m.created_at >= u.joined_at + interval '21 days'
      AND m.created_at < u.joined_at + interval '35 days'
  )) AS still_posting_after_a_month
FROM users AS u
WHERE u.joined_at >= (now() AT TIME ZONE 'UTC') - make_interval(weeks => {{weeks}})
  AND NOT u.bot
GROUP BY 1
ORDER BY 1
