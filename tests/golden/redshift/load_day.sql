-- sparkify --dry-run: load 2018-11-02 on redshift (schema songs); nothing was changed.
-- Not connected: assuming 1 log file(s) of s3://sparkify-src/data/v1 are staged.
BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_latest", songs."users";

INSERT INTO songs.runs (run_id, command, days, started_at, status) VALUES ('<run_id>', 'load', '2018-11-02', TIMESTAMP '<now>', 'running');

COMMIT;

SELECT source_file FROM songs.staged_files WHERE kind = 'event' ORDER BY source_file;

BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_latest", songs."users";

SELECT count(*) FROM songs.staged_files WHERE kind = 'song' AND loaded_at IS NULL;

DELETE FROM songs.load_batch;

INSERT INTO songs.load_batch (source_file) VALUES ('log_data/2018/11/2018-11-02-events.json');

-- The NextSong events of the batch's files become songplays. Reloading a file first removes what
-- it produced before; songplay_id is a hash of the event, so a repeated event is one play.
DROP TABLE IF EXISTS batch_plays;

CREATE TEMP TABLE batch_plays AS
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, source_file
FROM (
    SELECT e.songplay_id, (TIMESTAMP 'epoch' + (e.ts / 1000) * INTERVAL '1 second') AS start_time, e.user_id, e.level,
           c.song_id, c.artist_id, e.session_id, e.location, e.user_agent, e.source_file,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id ORDER BY e.source_file, e.line_no) AS rn
    FROM (
        SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                      || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
        FROM songs.staging_events
        WHERE page = 'NextSong'
          AND source_file IN (SELECT source_file FROM songs.load_batch)
    ) e
    LEFT JOIN (
    SELECT title, artist_name, duration, song_id, artist_id
    FROM (
        SELECT title, artist_name, duration, song_id, artist_id,
               ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS rn
        FROM songs.staging_songs
    ) c
    WHERE rn = 1
)
 c
           ON c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length
) x
WHERE rn = 1;

DELETE FROM songs.songplays
WHERE songplay_id IN (
    SELECT songplay_id FROM songs.songplay_sources
    WHERE source_file IN (SELECT source_file FROM songs.load_batch)
);

DELETE FROM songs.songplay_sources
WHERE source_file IN (SELECT source_file FROM songs.load_batch);

-- An event that also sits in another, already loaded file keeps its first row.
DELETE FROM batch_plays
WHERE songplay_id IN (SELECT songplay_id FROM songs.songplays);

INSERT INTO songs.songplay_sources (songplay_id, source_file)
SELECT songplay_id, source_file FROM batch_plays;

INSERT INTO songs.songplays
    (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM batch_plays;

-- One row per distinct start_time of songplays; weekday counts from Sunday = 0.
INSERT INTO songs."time" (start_time, hour, day, week, month, year, weekday)
SELECT start_time,
       EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time), EXTRACT(WEEK FROM start_time),
       EXTRACT(MONTH FROM start_time), EXTRACT(YEAR FROM start_time), EXTRACT(DOW FROM start_time)
FROM (SELECT DISTINCT start_time FROM batch_plays) b
WHERE NOT EXISTS (SELECT 1 FROM songs."time" t WHERE t.start_time = b.start_time);

DROP TABLE IF EXISTS batch_plays;

-- A user's row comes from their latest event overall (any page), whatever order days load in:
-- user_latest keeps that event, and the batch replaces it only with a later one.
DROP TABLE IF EXISTS batch_users;

CREATE TEMP TABLE batch_users AS
SELECT user_id, ts, item_in_session, first_name, last_name, gender, level
FROM (
    SELECT user_id, ts, item_in_session, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (
               PARTITION BY user_id
               ORDER BY ts DESC, item_in_session DESC, level, first_name, last_name, gender
           ) AS rn
    FROM songs.staging_events
    WHERE user_id <> ''
      AND source_file IN (SELECT source_file FROM songs.load_batch)
) e
WHERE rn = 1;

DELETE FROM songs.user_latest
WHERE user_id IN (
    SELECT b.user_id
    FROM batch_users b
    JOIN songs.user_latest l ON l.user_id = b.user_id
    WHERE b.ts > l.ts OR (b.ts = l.ts AND b.item_in_session >= l.item_in_session)
);

INSERT INTO songs.user_latest (user_id, ts, item_in_session, first_name, last_name, gender, level)
SELECT user_id, ts, item_in_session, first_name, last_name, gender, level
FROM batch_users b
WHERE NOT EXISTS (SELECT 1 FROM songs.user_latest l WHERE l.user_id = b.user_id);

DELETE FROM songs.users
WHERE user_id IN (SELECT user_id FROM batch_users);

INSERT INTO songs.users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM songs.user_latest
WHERE user_id IN (SELECT user_id FROM batch_users);

DROP TABLE IF EXISTS batch_users;

UPDATE songs.staged_files SET loaded_at = TIMESTAMP '<now>' WHERE (kind = 'event' AND source_file IN (SELECT source_file FROM songs.load_batch)) OR (kind = 'song' AND loaded_at IS NULL);

SELECT count(*) FROM songs."songplays";

SELECT count(*) FROM songs."users";

SELECT count(*) FROM songs."songs";

SELECT count(*) FROM songs."artists";

SELECT count(*) FROM songs."time";

UPDATE songs.runs SET finished_at = TIMESTAMP '<now>', status = 'ok', error = NULL, counts = '{"seconds": {<timings>}, "files_loaded": 1, "rows_songplays": 0, "rows_users": 0, "rows_songs": 0, "rows_artists": 0, "rows_time": 0}' WHERE run_id = '<run_id>';

COMMIT;
