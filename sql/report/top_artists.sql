{% import 'report/_scope.sql' as scope with context %}
-- The most played artists (only matched plays know their artist).
SELECT p.artist_id, a.name, COUNT(*) AS plays
FROM {{ schema }}.songplays p
LEFT JOIN {{ schema }}.artists a ON a.artist_id = p.artist_id
WHERE p.artist_id IS NOT NULL AND {{ scope.during('p.start_time') }}
GROUP BY p.artist_id, a.name
ORDER BY plays DESC, p.artist_id
LIMIT {{ top | int }}
