{% import 'report/_scope.sql' as scope with context %}
-- Per day (UTC): plays, sessions with a play that day, users with a play that day.
SELECT CAST(p.start_time AS DATE) AS day, COUNT(*) AS plays,
       COUNT(DISTINCT {{ scope.session_key('p') }}) AS sessions,
       COUNT(DISTINCT p.user_id) AS users
FROM {{ schema }}.songplays p
WHERE {{ scope.during('p.start_time') }}
GROUP BY CAST(p.start_time AS DATE)
ORDER BY 1
