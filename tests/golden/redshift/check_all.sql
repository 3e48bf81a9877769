-- sparkify --dry-run: check on redshift (schema songs); nothing was changed.
SELECT COUNT(*) FROM (
SELECT CAST('songplays' AS VARCHAR(64)) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM songs."songplays"
) c
WHERE c.n = 0
) failing;

SELECT COUNT(*) FROM (
SELECT *
FROM songs."songplays"
WHERE songplay_id IS NULL
) failing;

SELECT COUNT(*) FROM (
SELECT songplay_id, COUNT(*) AS copies
FROM songs."songplays"
WHERE songplay_id IS NOT NULL
GROUP BY songplay_id
HAVING COUNT(*) > 1
) failing;

SELECT COUNT(*) FROM (
SELECT CAST('users' AS VARCHAR(64)) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM songs."users"
) c
WHERE c.n = 0
) failing;

SELECT COUNT(*) FROM (
SELECT *
FROM songs."users"
WHERE user_id IS NULL
) failing;

SELECT COUNT(*) FROM (
SELECT user_id, COUNT(*) AS copies
FROM songs."users"
WHERE user_id IS NOT NULL
GROUP BY user_id
HAVING COUNT(*) > 1
) failing;

SELECT COUNT(*) FROM (
SELECT CAST('songs' AS VARCHAR(64)) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM songs."songs"
) c
WHERE c.n = 0
) failing;

SELECT COUNT(*) FROM (
SELECT *
FROM songs."songs"
WHERE song_id IS NULL
) failing;

SELECT COUNT(*) FROM (
SELECT song_id, COUNT(*) AS copies
FROM songs."songs"
WHERE song_id IS NOT NULL
GROUP BY song_id
HAVING COUNT(*) > 1
) failing;

SELECT COUNT(*) FROM (
SELECT CAST('artists' AS VARCHAR(64)) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM songs."artists"
) c
WHERE c.n = 0
) failing;

SELECT COUNT(*) FROM (
SELECT *
FROM songs."artists"
WHERE artist_id IS NULL
) failing;

SELECT COUNT(*) FROM (
SELECT artist_id, COUNT(*) AS copies
FROM songs."artists"
WHERE artist_id IS NOT NULL
GROUP BY artist_id
HAVING COUNT(*) > 1
) failing;

SELECT COUNT(*) FROM (
SELECT CAST('time' AS VARCHAR(64)) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM songs."time"
) c
WHERE c.n = 0
) failing;

SELECT COUNT(*) FROM (
SELECT *
FROM songs."time"
WHERE start_time IS NULL
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, COUNT(*) AS copies
FROM songs."time"
WHERE start_time IS NOT NULL
GROUP BY start_time
HAVING COUNT(*) > 1
) failing;

SELECT COUNT(*) FROM (
SELECT c.songplay_id, c.user_id
FROM songs."songplays" c
WHERE c.user_id IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM songs."users" p WHERE p.user_id = c.user_id
  )
) failing;

SELECT COUNT(*) FROM (
SELECT c.songplay_id, c.start_time
FROM songs."songplays" c
WHERE c.start_time IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM songs."time" p WHERE p.start_time = c.start_time
  )
) failing;

SELECT COUNT(*) FROM (
SELECT c.songplay_id, c.song_id
FROM songs."songplays" c
WHERE c.song_id IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM songs."songs" p WHERE p.song_id = c.song_id
  )
) failing;

SELECT COUNT(*) FROM (
SELECT c.songplay_id, c.artist_id
FROM songs."songplays" c
WHERE c.artist_id IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM songs."artists" p WHERE p.artist_id = c.artist_id
  )
) failing;

SELECT COUNT(*) FROM (
SELECT songplay_id, level
FROM songs."songplays"
WHERE (level NOT IN ('free', 'paid') OR level IS NULL)
) failing;

SELECT COUNT(*) FROM (
SELECT user_id, level
FROM songs."users"
WHERE (level NOT IN ('free', 'paid') OR level IS NULL)
) failing;

SELECT COUNT(*) FROM (
SELECT user_id, gender
FROM songs."users"
WHERE (gender NOT IN ('M', 'F'))
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, hour
FROM songs."time"
WHERE (hour IS NULL OR hour < 0 OR hour > 23)
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, day
FROM songs."time"
WHERE (day IS NULL OR day < 1 OR day > 31)
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, week
FROM songs."time"
WHERE (week IS NULL OR week < 1 OR week > 53)
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, month
FROM songs."time"
WHERE (month IS NULL OR month < 1 OR month > 12)
) failing;

SELECT COUNT(*) FROM (
SELECT start_time, weekday
FROM songs."time"
WHERE (weekday IS NULL OR weekday < 0 OR weekday > 6)
) failing;

SELECT COUNT(*) FROM (
SELECT l.source_file, f.next_song_rows AS staged_plays, l.loaded_plays
FROM (
    SELECT ss.source_file, COUNT(sp.songplay_id) AS loaded_plays
    FROM songs.songplay_sources ss
    LEFT JOIN songs.songplays sp ON sp.songplay_id = ss.songplay_id
    GROUP BY ss.source_file
) l
LEFT JOIN songs.staged_files f ON f.source_file = l.source_file AND f.kind = 'event'
WHERE (f.next_song_rows IS NULL OR f.next_song_rows <> l.loaded_plays)
  AND (f.loaded_at IS NOT NULL OR f.source_file IS NULL)
) failing;

SELECT COUNT(*) FROM (
SELECT f.source_file, f.next_song_rows AS staged_plays
FROM songs.staged_files f
WHERE f.kind = 'event'
  AND f.next_song_rows > 0
  AND NOT EXISTS (SELECT 1 FROM songs.songplay_sources ss WHERE ss.source_file = f.source_file)
) failing;

SELECT COUNT(*) FROM (
SELECT latest_start_time
FROM (SELECT MAX(start_time) AS latest_start_time FROM songs.songplays) f
WHERE latest_start_time IS NULL OR latest_start_time < TIMESTAMP '<now>'
) failing;

SELECT latest_start_time
FROM (SELECT MAX(start_time) AS latest_start_time FROM songs.songplays) f;

SELECT COUNT(*) FROM (
SELECT plays, matched, rate
FROM (
    SELECT COUNT(*) AS plays, COUNT(song_id) AS matched,
           CAST(COUNT(song_id) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS rate
    FROM songs.songplays
) r
WHERE rate < 0.0
) failing;

SELECT plays, matched, rate
FROM (
    SELECT COUNT(*) AS plays, COUNT(song_id) AS matched,
           CAST(COUNT(song_id) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS rate
    FROM songs.songplays
) r;
