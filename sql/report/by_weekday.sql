{% import 'report/_scope.sql' as scope with context %}
-- Plays per weekday, Sunday = 0 (as in the time table).
SELECT CAST(EXTRACT(DOW FROM p.start_time) AS INTEGER) AS weekday, COUNT(*) AS plays
FROM {{ schema }}.songplays p
WHERE {{ scope.during('p.start_time') }}
GROUP BY 1
ORDER BY 1
