-- sparkify --dry-run: load 2018-11-02 on redshift (schema songs); nothing was changed.
-- Not connected: assuming 1 log file of s3://sparkify-src/data/v1 is staged.
BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."sparkify_schema", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_file_latest", songs."users";

INSERT INTO songs.runs (run_id, command, days, started_at, status, source) VALUES ('<run_id>', 'load', '2018-11-02', TIMESTAMP '<now>', 'running', NULL);

COMMIT;

SELECT source_file FROM songs.staged_files WHERE kind = 'event' ORDER BY source_file;

BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."sparkify_schema", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_file_latest", songs."users";

SELECT count(*) FROM songs.staged_files WHERE kind = 'song' AND loaded_at IS NULL;

DELETE FROM songs.load_batch;

INSERT INTO songs.load_batch (source_file) VALUES ('log_data/2018/11/2018-11-02-events.json');

-- The NextSong events of the batch's files become plays. A file's load replaces exactly what that
-- file held before (songplay_sources), and every play it touched is derived again from the files
-- that still hold it: the row of the first one (by file name, then line), as a full load would.
-- songplay_id is a hash of the event, so an event repeated in several files is one play.
DROP TABLE IF EXISTS batch_plays;

-- An event repeated within a file is one play, from its first line. Repeats are rare: they are
-- found first, so the plays need no window over every row (a play finds at most one song here).
DROP TABLE IF EXISTS repeated_events;

CREATE TEMP TABLE repeated_events AS
SELECT user_id, session_id, item_in_session, ts, source_file, MIN(line_no) AS line_no
FROM songs.staging_events
WHERE page = 'NextSong'
  AND source_file IN (SELECT source_file FROM songs.load_batch)
GROUP BY user_id, session_id, item_in_session, ts, source_file
HAVING COUNT(*) > 1;

CREATE TEMP TABLE batch_plays AS
SELECT e.songplay_id, e.source_file, e.line_no, e.song, e.artist, e.length,
       (TIMESTAMP 'epoch' + (e.ts / 1000) * INTERVAL '1 second') AS start_time, e.user_id,
       e.level, c.song_id, c.artist_id, e.session_id, e.location, e.user_agent
FROM (
    SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|' || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
    FROM songs.staging_events s
    WHERE page = 'NextSong'
      AND source_file IN (SELECT source_file FROM songs.load_batch)
      AND NOT EXISTS (
          SELECT 1 FROM repeated_events r
          WHERE r.user_id = s.user_id AND r.session_id = s.session_id AND r.item_in_session = s.item_in_session
            AND r.ts = s.ts AND r.source_file = s.source_file AND r.line_no <> s.line_no
      )
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
           ON c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length;

DROP TABLE IF EXISTS repeated_events;

-- The plays the batch's files held before and hold now, and the times of those plays.
DROP TABLE IF EXISTS changed_plays;

CREATE TEMP TABLE changed_plays AS
SELECT songplay_id FROM songs.songplay_sources WHERE source_file IN (SELECT source_file FROM songs.load_batch)
UNION
SELECT songplay_id FROM batch_plays;

DROP TABLE IF EXISTS changed_times;

CREATE TEMP TABLE changed_times AS
SELECT start_time FROM songs.songplays WHERE songplay_id IN (SELECT songplay_id FROM changed_plays)
UNION
SELECT start_time FROM batch_plays;

DELETE FROM songs.songplay_sources
WHERE source_file IN (SELECT source_file FROM songs.load_batch);

INSERT INTO songs.songplay_sources
    (songplay_id, source_file, line_no, song, artist, length, start_time, user_id, level, song_id, artist_id,
     session_id, location, user_agent)
SELECT songplay_id, source_file, line_no, song, artist, length, start_time, user_id, level, song_id, artist_id,
       session_id, location, user_agent
FROM batch_plays;

DELETE FROM songs.songplays
WHERE songplay_id IN (SELECT songplay_id FROM changed_plays);

-- Each changed play from the first file (by name) that holds it, now: the batch's own plays and the
-- other files' rows of those plays. Only a play held by several files needs choosing (rare).
DROP TABLE IF EXISTS play_rows;

CREATE TEMP TABLE play_rows AS
SELECT songplay_id, source_file, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM batch_plays
UNION ALL
SELECT songplay_id, source_file, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM songs.songplay_sources
WHERE NOT (source_file IN (SELECT source_file FROM songs.load_batch))
  AND songplay_id IN (SELECT songplay_id FROM changed_plays);

DROP TABLE IF EXISTS first_files;

CREATE TEMP TABLE first_files AS
SELECT songplay_id, MIN(source_file) AS source_file
FROM play_rows
GROUP BY songplay_id
HAVING COUNT(*) > 1;

INSERT INTO songs.songplays
    (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM play_rows p
WHERE NOT EXISTS (
    SELECT 1 FROM first_files f WHERE f.songplay_id = p.songplay_id AND f.source_file <> p.source_file
);

DROP TABLE IF EXISTS play_rows;

DROP TABLE IF EXISTS first_files;

DROP TABLE IF EXISTS batch_plays;

DROP TABLE IF EXISTS changed_plays;

-- One row per distinct start_time of songplays (weekday counts from Sunday = 0): the times the
-- batch touched are derived again, so a time no play has any more goes too.
DELETE FROM songs."time"
WHERE start_time IN (SELECT start_time FROM changed_times)
  AND start_time NOT IN (SELECT start_time FROM songs.songplays);

INSERT INTO songs."time" (start_time, hour, day, week, month, year, weekday)
SELECT start_time,
       EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time), EXTRACT(WEEK FROM start_time),
       EXTRACT(MONTH FROM start_time), EXTRACT(YEAR FROM start_time), EXTRACT(DOW FROM start_time)
FROM (
    SELECT DISTINCT p.start_time
    FROM songs.songplays p
    WHERE p.start_time IN (SELECT start_time FROM changed_times)
) b
WHERE NOT EXISTS (SELECT 1 FROM songs."time" t WHERE t.start_time = b.start_time);

DROP TABLE IF EXISTS changed_times;

-- A user's row comes from their latest event (any page) in the loaded files, whatever order days
-- load in: user_file_latest keeps each user's latest event per file, a file's load replaces its
-- rows there, and every user it touched is derived again (a user no file has any more goes).
DROP TABLE IF EXISTS batch_users;

CREATE TEMP TABLE batch_users AS
SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level
FROM (
    SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (PARTITION BY user_id, source_file ORDER BY ts DESC, item_in_session DESC, level, first_name, last_name, gender) AS rn
    FROM songs.staging_events
    WHERE user_id <> ''
      AND source_file IN (SELECT source_file FROM songs.load_batch)
) e
WHERE rn = 1;

DROP TABLE IF EXISTS changed_users;

CREATE TEMP TABLE changed_users AS
SELECT user_id FROM songs.user_file_latest WHERE source_file IN (SELECT source_file FROM songs.load_batch)
UNION
SELECT user_id FROM batch_users;

DELETE FROM songs.user_file_latest
WHERE source_file IN (SELECT source_file FROM songs.load_batch);

INSERT INTO songs.user_file_latest
    (user_id, source_file, ts, item_in_session, first_name, last_name, gender, level)
SELECT user_id, source_file, ts, item_in_session, first_name, last_name, gender, level
FROM batch_users;

DELETE FROM songs.users
WHERE user_id IN (SELECT user_id FROM changed_users);

INSERT INTO songs.users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
    SELECT user_id, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC, item_in_session DESC, level, first_name, last_name, gender) AS rn
    FROM songs.user_file_latest
    WHERE user_id IN (SELECT user_id FROM changed_users)
) u
WHERE rn = 1;

DROP TABLE IF EXISTS batch_users;

DROP TABLE IF EXISTS changed_users;

UPDATE songs.staged_files SET loaded_at = TIMESTAMP '<now>' WHERE (kind = 'event' AND source_file IN (SELECT source_file FROM songs.load_batch)) OR (kind = 'song' AND loaded_at IS NULL);

SELECT count(*) FROM songs."songplays";

SELECT count(*) FROM songs."users";

SELECT count(*) FROM songs."songs";

SELECT count(*) FROM songs."artists";

SELECT count(*) FROM songs."time";

UPDATE songs.runs SET finished_at = TIMESTAMP '<now>', status = 'ok', error = NULL, counts = '{"seconds": {<timings>}, "files_loaded": 1, "rows_songplays": 0, "rows_users": 0, "rows_songs": 0, "rows_artists": 0, "rows_time": 0}' WHERE run_id = '<run_id>';

COMMIT;
