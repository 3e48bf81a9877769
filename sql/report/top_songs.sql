{% import 'report/_scope.sql' as scope with context %}
-- The most played catalog songs (only matched plays know their song).
SELECT p.song_id, s.title, a.name AS artist, COUNT(*) AS plays
FROM {{ schema }}.songplays p
LEFT JOIN {{ schema }}.songs s ON s.song_id = p.song_id
LEFT JOIN {{ schema }}.artists a ON a.artist_id = s.artist_id
WHERE p.song_id IS NOT NULL AND {{ scope.during('p.start_time') }}
GROUP BY p.song_id, s.title, a.name
ORDER BY plays DESC, p.song_id
LIMIT {{ top | int }}
