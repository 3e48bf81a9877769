{#- The catalog as the events name it: one candidate per (title, artist name, duration). -#}
(
    SELECT title, artist_name, duration, song_id, artist_id
    FROM (
        SELECT title, artist_name, duration, song_id, artist_id,
               ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS rn
        FROM {{ schema }}.staging_songs
    ) c
    WHERE rn = 1
)
