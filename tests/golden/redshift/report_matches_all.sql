-- sparkify --dry-run: report matches all days on redshift (schema songs); nothing was changed.
-- Not connected: every table reads as empty.
-- Each statement runs in a read-only transaction of its own.
-- Totals of the report's days: plays, plays matched to a catalog song, users, sessions.
SELECT COUNT(*) AS plays,
       COUNT(p.song_id) AS matched,
       COUNT(DISTINCT p.user_id) AS users,
       COUNT(DISTINCT p.user_id || '|' || CAST(p.session_id AS VARCHAR(16))) AS sessions,
       MIN(p.start_time) AS first_play,
       MAX(p.start_time) AS last_play
FROM songs.songplays p
WHERE 1 = 1;

-- services/matching.py fills it in the same session.
DROP TABLE IF EXISTS match_repairs;

CREATE TEMP TABLE match_repairs (
    original VARCHAR(1024) NOT NULL,
    fixed    VARCHAR(1024) NOT NULL
);

SELECT DISTINCT txt
FROM (
    SELECT song AS txt, source_file FROM songs.staging_events WHERE page = 'NextSong'
    UNION ALL
    SELECT artist AS txt, source_file FROM songs.staging_events WHERE page = 'NextSong'
) t
WHERE OCTET_LENGTH(txt) <> LENGTH(txt)
ORDER BY txt;

-- the key is songplay_id, computed as in load/songplays.sql. Needs the temp table match_repairs.
SELECT songplay_id, start_time, user_id, song, artist, length, song_fixed, artist_fixed,
       song_id, artist_id, title, artist_name, duration
FROM (
    SELECT e.songplay_id, p.start_time, p.user_id, e.song, e.artist, e.length,
           COALESCE(rs.fixed, e.song) AS song_fixed, COALESCE(ra.fixed, e.artist) AS artist_fixed,
           c.song_id, c.artist_id, c.title, c.artist_name, c.duration,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id ORDER BY e.source_file, e.line_no,
                        CASE WHEN c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length
                             THEN 0 ELSE 1 END,
                        ABS(c.duration - e.length), c.song_id, c.artist_id) AS rn
    FROM (
        SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                      || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
        FROM songs.staging_events
        WHERE page = 'NextSong'
    ) e
    JOIN songs.songplays p ON p.songplay_id = e.songplay_id
    LEFT JOIN match_repairs rs ON rs.original = e.song
    LEFT JOIN match_repairs ra ON ra.original = e.artist
    LEFT JOIN (
        SELECT title, artist_name, duration, song_id, artist_id,
               LOWER(REPLACE(title, '_ ', ', ')) AS title_key, LOWER(REPLACE(artist_name, '_ ', ', ')) AS artist_key
        FROM songs.staging_songs
    ) c
           ON c.title_key = LOWER(REPLACE(COALESCE(rs.fixed, e.song), '_ ', ', '))
          AND c.artist_key = LOWER(REPLACE(COALESCE(ra.fixed, e.artist), '_ ', ', '))
          AND ABS(c.duration - e.length) <= 3.000000
    WHERE p.song_id IS NULL AND 1 = 1
) x
WHERE rn = 1 AND song_id IS NOT NULL
ORDER BY start_time, songplay_id;
