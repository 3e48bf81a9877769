-- The catalog changed: every loaded play finds its song again with the same rule a load uses, so
-- the star schema stays what a full load of the loaded files would make (the cost of a full load,
-- paid only when song_data changes).
{% import 'load/_song_match.sql' as song_match with context %}
{% set match = match | default('exact') %}
DROP TABLE IF EXISTS rematched;

CREATE TEMP TABLE rematched AS
SELECT songplay_id, source_file, song_id, artist_id
FROM (
    SELECT e.songplay_id, e.source_file, c.song_id, c.artist_id,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id, e.source_file ORDER BY e.line_no
                        {{- song_match.preference(match) }}) AS rn
    FROM {{ schema }}.songplay_sources e
    {{ song_match.join(match, tolerance | default(0)) }}
) x
WHERE rn = 1;

UPDATE {{ schema }}.songplay_sources
SET song_id = r.song_id, artist_id = r.artist_id
FROM rematched r
WHERE r.songplay_id = songplay_sources.songplay_id AND r.source_file = songplay_sources.source_file;

UPDATE {{ schema }}.songplays
SET song_id = s.song_id, artist_id = s.artist_id
FROM (
    SELECT songplay_id, song_id, artist_id,
           ROW_NUMBER() OVER (PARTITION BY songplay_id ORDER BY source_file, line_no) AS rn
    FROM {{ schema }}.songplay_sources
) s
WHERE s.rn = 1 AND s.songplay_id = songplays.songplay_id;

DROP TABLE IF EXISTS rematched;
