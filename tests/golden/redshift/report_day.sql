-- sparkify --dry-run: report 2018-11-02, top 5 on redshift (schema songs); nothing was changed.
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
WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00';

-- The most played catalog songs (only matched plays know their song).
SELECT p.song_id, s.title, a.name AS artist, COUNT(*) AS plays
FROM songs.songplays p
LEFT JOIN songs.songs s ON s.song_id = p.song_id
LEFT JOIN songs.artists a ON a.artist_id = s.artist_id
WHERE p.song_id IS NOT NULL AND p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY p.song_id, s.title, a.name
ORDER BY plays DESC, p.song_id
LIMIT 5;

-- The most played artists (only matched plays know their artist).
SELECT p.artist_id, a.name, COUNT(*) AS plays
FROM songs.songplays p
LEFT JOIN songs.artists a ON a.artist_id = p.artist_id
WHERE p.artist_id IS NOT NULL AND p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY p.artist_id, a.name
ORDER BY plays DESC, p.artist_id
LIMIT 5;

-- Plays per hour of day (UTC); hours without plays are filled in by the service.
SELECT CAST(EXTRACT(HOUR FROM p.start_time) AS INTEGER) AS hour, COUNT(*) AS plays
FROM songs.songplays p
WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY 1
ORDER BY 1;

-- Plays per weekday, Sunday = 0 (as in the time table).
SELECT CAST(EXTRACT(DOW FROM p.start_time) AS INTEGER) AS weekday, COUNT(*) AS plays
FROM songs.songplays p
WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY 1
ORDER BY 1;

-- Free vs paid: plays at each level, and users by the level of their last play in the report's days
-- (a user whose level changed counts once, at the level they had last).
SELECT l.level, l.plays, COALESCE(u.users, 0) AS users
FROM (
    SELECT p.level, COUNT(*) AS plays
    FROM songs.songplays p
    WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
    GROUP BY p.level
) l
LEFT JOIN (
    SELECT level, COUNT(*) AS users
    FROM (
        SELECT p.user_id, p.level,
               ROW_NUMBER() OVER (PARTITION BY p.user_id ORDER BY p.start_time DESC, p.level DESC) AS rn
        FROM songs.songplays p
        WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
    ) last_play
    WHERE rn = 1
    GROUP BY level
) u ON u.level = l.level
ORDER BY l.level;

-- The most active users: plays and sessions in the report's days; level is the user's current one.
SELECT p.user_id, u.first_name, u.last_name, u.level, COUNT(*) AS plays,
       COUNT(DISTINCT p.session_id) AS sessions
FROM songs.songplays p
LEFT JOIN songs.users u ON u.user_id = p.user_id
WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY p.user_id, u.first_name, u.last_name, u.level
ORDER BY plays DESC, p.user_id
LIMIT 5;

-- Per day (UTC): plays, sessions with a play that day, users with a play that day.
SELECT CAST(p.start_time AS DATE) AS day, COUNT(*) AS plays,
       COUNT(DISTINCT p.user_id || '|' || CAST(p.session_id AS VARCHAR(16))) AS sessions,
       COUNT(DISTINCT p.user_id) AS users
FROM songs.songplays p
WHERE p.start_time >= TIMESTAMP '2018-11-02 00:00:00' AND p.start_time < TIMESTAMP '2018-11-03 00:00:00'
GROUP BY CAST(p.start_time AS DATE)
ORDER BY 1;

SELECT source FROM songs.runs WHERE source IS NOT NULL ORDER BY started_at DESC LIMIT 1;
