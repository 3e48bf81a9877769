{% import 'report/_scope.sql' as scope with context %}
-- The most active users: plays and sessions in the report's days; level is the user's current one.
SELECT p.user_id, u.first_name, u.last_name, u.level, COUNT(*) AS plays,
       COUNT(DISTINCT p.session_id) AS sessions
FROM {{ schema }}.songplays p
LEFT JOIN {{ schema }}.users u ON u.user_id = p.user_id
WHERE {{ scope.during('p.start_time') }}
GROUP BY p.user_id, u.first_name, u.last_name, u.level
ORDER BY plays DESC, p.user_id
LIMIT {{ top | int }}
