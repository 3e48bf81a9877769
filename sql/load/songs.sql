-- The catalog is replaced whole from staging: one row per song_id, chosen by a fixed order
-- so the same records in any file order give the same row.
DELETE FROM {{ schema }}.songs;

INSERT INTO {{ schema }}.songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, year, duration
FROM (
    SELECT song_id, title, artist_id, year, duration,
           ROW_NUMBER() OVER (
               PARTITION BY song_id
               ORDER BY title, artist_id, year, duration, source_file, line_no
           ) AS rn
    FROM {{ schema }}.staging_songs
) s
WHERE rn = 1;
