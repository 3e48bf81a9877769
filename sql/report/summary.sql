{% import 'report/_scope.sql' as scope with context %}
-- Totals of the report's days: plays, plays matched to a catalog song, users, sessions.
SELECT COUNT(*) AS plays,
       COUNT(p.song_id) AS matched,
       COUNT(DISTINCT p.user_id) AS users,
       COUNT(DISTINCT {{ scope.session_key('p') }}) AS sessions,
       MIN(p.start_time) AS first_play,
       MAX(p.start_time) AS last_play
FROM {{ schema }}.songplays p
WHERE {{ scope.during('p.start_time') }}
