{% import 'report/_scope.sql' as scope with context %}
-- Plays per hour of day (UTC); hours without plays are filled in by the service.
SELECT CAST(EXTRACT(HOUR FROM p.start_time) AS INTEGER) AS hour, COUNT(*) AS plays
FROM {{ schema }}.songplays p
WHERE {{ scope.during('p.start_time') }}
GROUP BY 1
ORDER BY 1
