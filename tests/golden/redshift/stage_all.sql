-- sparkify --dry-run: stage all days on redshift (schema songs); nothing was changed.
BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."sparkify_schema", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_file_latest", songs."users";

INSERT INTO songs.runs (run_id, command, days, started_at, status) VALUES ('<run_id>', 'stage', 'all days', TIMESTAMP '<now>', 'running');

COMMIT;

SELECT source_file, size_bytes, modified FROM songs.staged_files WHERE kind = 'song';

-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- The copy table's columns are named like the JSON keys (in lower case), so JSON 'auto ignorecase'
-- maps every key to its column, and take the staging table's types, so a value that does not fit
-- is a COPY error with file and line instead of a silent cut.
DROP TABLE IF EXISTS copy_songs;

CREATE TEMP TABLE copy_songs DISTSTYLE EVEN AS
SELECT
    artist_id AS artist_id,
    artist_latitude AS artist_latitude,
    artist_location AS artist_location,
    artist_longitude AS artist_longitude,
    artist_name AS artist_name,
    duration AS duration,
    num_songs AS num_songs,
    song_id AS song_id,
    title AS title,
    year AS year,
    source_file,
    CAST(NULL AS VARCHAR(256)) AS reject_reason
FROM songs.staging_songs
WHERE 1 = 0;

DROP TABLE IF EXISTS copy_song_rejects;

CREATE TEMP TABLE copy_song_rejects (LIKE songs.rejects);

DROP TABLE IF EXISTS copy_song_files;

CREATE TEMP TABLE copy_song_files (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);

INSERT INTO copy_song_files (source_file, size_bytes, modified) VALUES ('song_data/A/A/A/TRAAAAK128F9318786.json', 494, 'c8b8879b09cef254a810379f89cbd467'), ('song_data/A/B/C/TRABCDE128F00000.json', 213, 'bae8aa9e359f45a98e458108df4e3e07');

-- the song catalog: Redshift reads the objects from S3 itself, in parallel across slices.
COPY copy_songs (artist_id, artist_latitude, artist_location, artist_longitude, artist_name, duration, num_songs, song_id, title, year)
FROM 's3://sparkify-src/data/v1/song_data/'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
FORMAT AS JSON 'auto ignorecase'
REGION 'us-west-2'
MAXERROR 0
COMPUPDATE OFF STATUPDATE OFF;

-- Where the rows came from (COPY has no file-name column): the file, or the prefix, bound as a parameter.
UPDATE copy_songs SET source_file = 'song_data/' WHERE source_file IS NULL;

-- What the last COPY skipped or failed on: file, line, column and reason. STL on provisioned
-- clusters; the SYS views where STL is not available (Redshift Serverless).
INSERT INTO copy_song_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT SUBSTRING(TRIM(filename), 27), line_number, NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256), TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE query = pg_last_copy_id();

SELECT COUNT(*) FROM copy_song_rejects;

-- COPY loads a missing key as NULL: a required field that is missing or null rejects its row, as
-- do the rules DuckDB staging applies too. Rejected rows are kept aside, never turned into NULLs.
UPDATE copy_songs SET reject_reason = CASE
    WHEN artist_id IS NULL THEN 'field artist_id is missing or null'
    WHEN song_id IS NULL THEN 'field song_id is missing or null'
    WHEN artist_latitude NOT BETWEEN -90.0 AND 90.0 THEN 'field artist_latitude is out of range'
    WHEN artist_longitude NOT BETWEEN -180.0 AND 180.0 THEN 'field artist_longitude is out of range'
    WHEN num_songs NOT BETWEEN 0 AND 2147483647 THEN 'field num_songs is out of range'
    WHEN year NOT BETWEEN 0 AND 2100 THEN 'field year is out of range'
END;

INSERT INTO copy_song_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, NULL, NULL, reject_reason, NULL, GETDATE()
FROM copy_songs
WHERE reject_reason IS NOT NULL;

SELECT (SELECT COUNT(*) FROM copy_songs WHERE reject_reason IS NULL), (SELECT COUNT(*) FROM copy_song_rejects);

-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- The copy table's columns are named like the JSON keys (in lower case), so JSON 'auto ignorecase'
-- maps every key to its column, and take the staging table's types, so a value that does not fit
-- is a COPY error with file and line instead of a silent cut.
DROP TABLE IF EXISTS copy_events;

CREATE TEMP TABLE copy_events DISTSTYLE EVEN AS
SELECT
    artist AS artist,
    auth AS auth,
    first_name AS firstname,
    gender AS gender,
    item_in_session AS iteminsession,
    last_name AS lastname,
    length AS length,
    level AS level,
    location AS location,
    method AS method,
    page AS page,
    registration AS registration,
    session_id AS sessionid,
    song AS song,
    status AS status,
    ts AS ts,
    user_agent AS useragent,
    user_id AS userid,
    source_file,
    CAST(NULL AS VARCHAR(256)) AS reject_reason
FROM songs.staging_events
WHERE 1 = 0;

DROP TABLE IF EXISTS copy_event_rejects;

CREATE TEMP TABLE copy_event_rejects (LIKE songs.rejects);

DROP TABLE IF EXISTS copy_event_files;

CREATE TEMP TABLE copy_event_files (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);

INSERT INTO copy_event_files (source_file, size_bytes, modified) VALUES ('log_data/2018/11/2018-11-01-events.json', 1073, 'c2b3dab6b7afbedb51b4ca8447c1bcae'), ('log_data/2018/11/2018-11-02-events.json', 771, 'dfaf6a03b24fb87b1d958934b7e73a29'), ('log_data/2018/11/2018-11-04-events.json', 374, '1c9ec600c27dc583133fd7086c065e0e');

-- log file log_data/2018/11/2018-11-01-events.json: Redshift reads the objects from S3 itself, in parallel across slices.
COPY copy_events (artist, auth, firstname, gender, iteminsession, lastname, length, level, location, method, page, registration, sessionid, song, status, ts, useragent, userid)
FROM 's3://sparkify-src/data/v1/log_data/2018/11/2018-11-01-events.json'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
FORMAT AS JSON 's3://sparkify-src/data/v1/log_json_path.json'
REGION 'us-west-2'
MAXERROR 0
COMPUPDATE OFF STATUPDATE OFF;

-- Where the rows came from (COPY has no file-name column): the file, or the prefix, bound as a parameter.
UPDATE copy_events SET source_file = 'log_data/2018/11/2018-11-01-events.json' WHERE source_file IS NULL;

-- What the last COPY skipped or failed on: file, line, column and reason. STL on provisioned
-- clusters; the SYS views where STL is not available (Redshift Serverless).
INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT SUBSTRING(TRIM(filename), 27), line_number, NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256), TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE query = pg_last_copy_id();

SELECT COUNT(*) FROM copy_event_rejects;

-- log file log_data/2018/11/2018-11-02-events.json: Redshift reads the objects from S3 itself, in parallel across slices.
COPY copy_events (artist, auth, firstname, gender, iteminsession, lastname, length, level, location, method, page, registration, sessionid, song, status, ts, useragent, userid)
FROM 's3://sparkify-src/data/v1/log_data/2018/11/2018-11-02-events.json'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
FORMAT AS JSON 's3://sparkify-src/data/v1/log_json_path.json'
REGION 'us-west-2'
MAXERROR 0
COMPUPDATE OFF STATUPDATE OFF;

-- Where the rows came from (COPY has no file-name column): the file, or the prefix, bound as a parameter.
UPDATE copy_events SET source_file = 'log_data/2018/11/2018-11-02-events.json' WHERE source_file IS NULL;

-- What the last COPY skipped or failed on: file, line, column and reason. STL on provisioned
-- clusters; the SYS views where STL is not available (Redshift Serverless).
INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT SUBSTRING(TRIM(filename), 27), line_number, NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256), TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE query = pg_last_copy_id();

SELECT COUNT(*) FROM copy_event_rejects;

-- log file log_data/2018/11/2018-11-04-events.json: Redshift reads the objects from S3 itself, in parallel across slices.
COPY copy_events (artist, auth, firstname, gender, iteminsession, lastname, length, level, location, method, page, registration, sessionid, song, status, ts, useragent, userid)
FROM 's3://sparkify-src/data/v1/log_data/2018/11/2018-11-04-events.json'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
FORMAT AS JSON 's3://sparkify-src/data/v1/log_json_path.json'
REGION 'us-west-2'
MAXERROR 0
COMPUPDATE OFF STATUPDATE OFF;

-- Where the rows came from (COPY has no file-name column): the file, or the prefix, bound as a parameter.
UPDATE copy_events SET source_file = 'log_data/2018/11/2018-11-04-events.json' WHERE source_file IS NULL;

-- What the last COPY skipped or failed on: file, line, column and reason. STL on provisioned
-- clusters; the SYS views where STL is not available (Redshift Serverless).
INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT SUBSTRING(TRIM(filename), 27), line_number, NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256), TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE query = pg_last_copy_id();

SELECT COUNT(*) FROM copy_event_rejects;

-- COPY loads a missing key as NULL: a required field that is missing or null rejects its row, as
-- do the rules DuckDB staging applies too. Rejected rows are kept aside, never turned into NULLs.
UPDATE copy_events SET reject_reason = CASE
    WHEN iteminsession IS NULL THEN 'field itemInSession is missing or null'
    WHEN level IS NULL THEN 'field level is missing or null'
    WHEN page IS NULL THEN 'field page is missing or null'
    WHEN sessionid IS NULL THEN 'field sessionId is missing or null'
    WHEN ts IS NULL THEN 'field ts is missing or null'
    WHEN userid IS NULL THEN 'field userId is missing or null'
    WHEN iteminsession NOT BETWEEN 0 AND 2147483647 THEN 'field itemInSession is out of range'
    WHEN registration NOT BETWEEN 946684800000 AND 4102444800000 THEN 'field registration is out of range'
    WHEN sessionid NOT BETWEEN 0 AND 2147483647 THEN 'field sessionId is out of range'
    WHEN status NOT BETWEEN 100 AND 599 THEN 'field status is out of range'
    WHEN ts NOT BETWEEN 946684800000 AND 4102444800000 THEN 'field ts is out of range'
    WHEN page = 'NextSong' AND userid = '' THEN 'NextSong event without userId'
END;

INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, NULL, NULL, reject_reason, NULL, GETDATE()
FROM copy_events
WHERE reject_reason IS NOT NULL;

SELECT (SELECT COUNT(*) FROM copy_events WHERE reject_reason IS NULL), (SELECT COUNT(*) FROM copy_event_rejects);

BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."sparkify_schema", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_file_latest", songs."users";

-- The batch replaces what its files staged before; the song catalog is replaced whole.
DELETE FROM songs.load_batch;

INSERT INTO songs.load_batch (source_file)
SELECT source_file FROM copy_song_files;

DELETE FROM songs.rejects
WHERE source_file IN (SELECT source_file FROM songs.load_batch) OR LEFT(source_file, 10) = 'song_data/';

INSERT INTO songs.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM copy_song_rejects;

DELETE FROM songs.staging_songs;

DELETE FROM songs.staged_files WHERE kind = 'song';

INSERT INTO songs.staging_songs (artist_id, artist_latitude, artist_location, artist_longitude, artist_name, duration, num_songs, song_id, title, year, source_file, line_no)
SELECT artist_id, artist_latitude, artist_location, artist_longitude, artist_name, duration, num_songs, song_id, title, year, source_file, NULL
FROM copy_songs
WHERE reject_reason IS NULL;

-- One row per file. A log file's rows are counted; the catalog is one COPY, so per-file song
-- counts are not known (0) and only its rejects are counted per file.
INSERT INTO songs.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, 'song', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       NULL, GETDATE()
FROM copy_song_files f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
    FROM copy_songs
    WHERE reject_reason IS NULL
    GROUP BY source_file
) s ON s.source_file = f.source_file
LEFT JOIN (
    SELECT source_file, COUNT(*) AS rejected FROM copy_song_rejects GROUP BY source_file
) r ON r.source_file = f.source_file;

INSERT INTO songs.run_files (run_id, source_file, kind, size_bytes, modified) VALUES ('<run_id>', 'song_data/A/A/A/TRAAAAK128F9318786.json', 'song', 494, 'c8b8879b09cef254a810379f89cbd467'), ('<run_id>', 'song_data/A/B/C/TRABCDE128F00000.json', 'song', 213, 'bae8aa9e359f45a98e458108df4e3e07');

-- The batch replaces what its files staged before; the song catalog is replaced whole.
DELETE FROM songs.load_batch;

INSERT INTO songs.load_batch (source_file)
SELECT source_file FROM copy_event_files;

DELETE FROM songs.rejects
WHERE source_file IN (SELECT source_file FROM songs.load_batch);

INSERT INTO songs.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM copy_event_rejects;

DELETE FROM songs.staging_events WHERE source_file IN (SELECT source_file FROM songs.load_batch);

DELETE FROM songs.staged_files WHERE kind = 'event' AND source_file IN (SELECT source_file FROM songs.load_batch);

INSERT INTO songs.staging_events (artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method, page, registration, session_id, song, status, ts, user_agent, user_id, source_file, line_no)
SELECT artist, auth, firstname, gender, iteminsession, lastname, length, level, location, method, page, registration, sessionid, song, status, ts, useragent, userid, source_file, NULL
FROM copy_events
WHERE reject_reason IS NULL;

-- One row per file. A log file's rows are counted; the catalog is one COPY, so per-file song
-- counts are not known (0) and only its rejects are counted per file.
INSERT INTO songs.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, 'event', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       COALESCE(s.plays, 0), GETDATE()
FROM copy_event_files f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
         , COUNT(DISTINCT CASE WHEN page = 'NextSong' THEN userid || '|' || CAST(sessionid AS VARCHAR) || '|'
                 || CAST(iteminsession AS VARCHAR) || '|' || CAST(ts AS VARCHAR) END) AS plays
    FROM copy_events
    WHERE reject_reason IS NULL
    GROUP BY source_file
) s ON s.source_file = f.source_file
LEFT JOIN (
    SELECT source_file, COUNT(*) AS rejected FROM copy_event_rejects GROUP BY source_file
) r ON r.source_file = f.source_file;

INSERT INTO songs.run_files (run_id, source_file, kind, size_bytes, modified) VALUES ('<run_id>', 'log_data/2018/11/2018-11-01-events.json', 'event', 1073, 'c2b3dab6b7afbedb51b4ca8447c1bcae'), ('<run_id>', 'log_data/2018/11/2018-11-02-events.json', 'event', 771, 'dfaf6a03b24fb87b1d958934b7e73a29'), ('<run_id>', 'log_data/2018/11/2018-11-04-events.json', 'event', 374, '1c9ec600c27dc583133fd7086c065e0e');

SELECT count(*) FROM songs."songplays";

SELECT count(*) FROM songs."users";

SELECT count(*) FROM songs."songs";

SELECT count(*) FROM songs."artists";

SELECT count(*) FROM songs."time";

UPDATE songs.runs SET finished_at = TIMESTAMP '<now>', status = 'ok', error = NULL, counts = '{"seconds": {<timings>}, "staged_songs": 0, "rejected_songs": 0, "staged_events": 0, "rejected_events": 0, "rows_songplays": 0, "rows_users": 0, "rows_songs": 0, "rows_artists": 0, "rows_time": 0}' WHERE run_id = '<run_id>';

COMMIT;
