-- sparkify --dry-run: stage all days on redshift (schema songs); nothing was changed.
BEGIN;

LOCK songs."artists", songs."load_batch", songs."rejects", songs."run_files", songs."runs", songs."songplay_sources", songs."songplays", songs."songs", songs."sparkify_schema", songs."staged_files", songs."staging_events", songs."staging_songs", songs."time", songs."user_file_latest", songs."users";

INSERT INTO songs.runs (run_id, command, days, started_at, status, source) VALUES ('<run_id>', 'stage', 'all days', TIMESTAMP '<now>', 'running', 's3://sparkify-src/data/v1');

COMMIT;

SELECT source_file, size_bytes, modified FROM songs.staged_files WHERE kind = 'song';

-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- Each line (or song record) becomes one row of cells: every field's JSON type and text, checked
-- by validate.sql with the same rules as DuckDB staging before anything is typed.
DROP TABLE IF EXISTS copy_songs;

CREATE TEMP TABLE copy_songs (
    line_no     INTEGER,
    source_file VARCHAR(1024),
    col         INTEGER,
    reason      VARCHAR(256),
    raw_line    VARCHAR(1024),
    artist_id_t VARCHAR(8),
    artist_id_v VARCHAR(132),
    artist_latitude_t VARCHAR(8),
    artist_latitude_v VARCHAR(128),
    artist_location_t VARCHAR(8),
    artist_location_v VARCHAR(4100),
    artist_longitude_t VARCHAR(8),
    artist_longitude_v VARCHAR(128),
    artist_name_t VARCHAR(8),
    artist_name_v VARCHAR(4100),
    duration_t VARCHAR(8),
    duration_v VARCHAR(128),
    num_songs_t VARCHAR(8),
    num_songs_v VARCHAR(128),
    song_id_t VARCHAR(8),
    song_id_v VARCHAR(132),
    title_t VARCHAR(8),
    title_v VARCHAR(4100),
    year_t VARCHAR(8),
    year_v VARCHAR(128)
) DISTSTYLE EVEN;

-- COPY's JSON reader fills this one: a SUPER value keeps each field's JSON type.
DROP TABLE IF EXISTS copy_song_json;

CREATE TEMP TABLE copy_song_json (
    artist_id SUPER,
    artist_latitude SUPER,
    artist_location SUPER,
    artist_longitude SUPER,
    artist_name SUPER,
    duration SUPER,
    num_songs SUPER,
    song_id SUPER,
    title SUPER,
    year SUPER
) DISTSTYLE EVEN;

DROP TABLE IF EXISTS copy_song_rejects;

CREATE TEMP TABLE copy_song_rejects (LIKE songs.rejects);

DROP TABLE IF EXISTS copy_song_files;

CREATE TEMP TABLE copy_song_files (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);

INSERT INTO copy_song_files (source_file, size_bytes, modified) VALUES ('song_data/A/A/A/TRAAAAK128F9318786.json', 494, 'c8b8879b09cef254a810379f89cbd467'), ('song_data/A/B/C/TRABCDE128F00000.json', 213, 'bae8aa9e359f45a98e458108df4e3e07');

-- s3://sparkify-src/data/v1/_sparkify/copy/<token>/songs.manifest: names song_data/A/A/A/TRAAAAK128F9318786.json, song_data/A/B/C/TRABCDE128F00000.json (written by a real run)
SELECT COALESCE(MAX(query), 0)
FROM stl_load_errors
WHERE session = pg_backend_pid();

-- 2 files of song_data/, read as JSON by Redshift. COPY reads exactly the objects its manifest names
-- (FROM a prefix would also load every object whose key starts with it).
COPY copy_song_json (artist_id, artist_latitude, artist_location, artist_longitude, artist_name, duration, num_songs, song_id, title, year)
FROM 's3://sparkify-src/data/v1/_sparkify/copy/<token>/songs.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
MANIFEST
FORMAT AS JSON 's3://sparkify-src/data/v1/_sparkify/copy/<token>/songs.jsonpaths'
REGION 'us-west-2'
MAXERROR 1
COMPUPDATE OFF STATUPDATE OFF;

-- What the COPY skipped or failed on: file, line and reason.
INSERT INTO copy_song_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT
       CASE WHEN LEFT(TRIM(filename), 26) = 's3://sparkify-src/data/v1/' THEN SUBSTRING(TRIM(filename) FROM 27)
            ELSE TRIM(filename) END,
       line_number,
       NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256),
       TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE session = pg_backend_pid()
  AND query > 0;

SELECT COUNT(*) FROM copy_song_rejects;

-- The records COPY read as JSON, as cells (see prepare.sql; a text is kept to one character past its
-- field's width, enough to reject it). COPY loads a missing key and a null value alike, so both are
-- null here; nor does it say which file a loaded row came from, so the catalog's rows have none.
INSERT INTO copy_songs (line_no, source_file, col, reason, raw_line, artist_id_t, artist_id_v, artist_latitude_t, artist_latitude_v, artist_location_t, artist_location_v, artist_longitude_t, artist_longitude_v, artist_name_t, artist_name_v, duration_t, duration_v, num_songs_t, num_songs_v, song_id_t, song_id_v, title_t, title_v, year_t, year_v)
SELECT NULL, NULL, NULL, NULL, NULL,
       CASE JSON_TYPEOF(artist_id)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(artist_id) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(artist_id)
           WHEN 'string' THEN LEFT(CAST(artist_id AS VARCHAR(65535)), 33)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(artist_id), 33) END,
       CASE JSON_TYPEOF(artist_latitude)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(artist_latitude) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(artist_latitude)
           WHEN 'string' THEN LEFT(CAST(artist_latitude AS VARCHAR(65535)), 32)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(artist_latitude), 32) END,
       CASE JSON_TYPEOF(artist_location)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(artist_location) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(artist_location)
           WHEN 'string' THEN LEFT(CAST(artist_location AS VARCHAR(65535)), 1025)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(artist_location), 1025) END,
       CASE JSON_TYPEOF(artist_longitude)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(artist_longitude) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(artist_longitude)
           WHEN 'string' THEN LEFT(CAST(artist_longitude AS VARCHAR(65535)), 32)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(artist_longitude), 32) END,
       CASE JSON_TYPEOF(artist_name)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(artist_name) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(artist_name)
           WHEN 'string' THEN LEFT(CAST(artist_name AS VARCHAR(65535)), 1025)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(artist_name), 1025) END,
       CASE JSON_TYPEOF(duration)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(duration) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(duration)
           WHEN 'string' THEN LEFT(CAST(duration AS VARCHAR(65535)), 32)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(duration), 32) END,
       CASE JSON_TYPEOF(num_songs)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(num_songs) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(num_songs)
           WHEN 'string' THEN LEFT(CAST(num_songs AS VARCHAR(65535)), 32)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(num_songs), 32) END,
       CASE JSON_TYPEOF(song_id)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(song_id) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(song_id)
           WHEN 'string' THEN LEFT(CAST(song_id AS VARCHAR(65535)), 33)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(song_id), 33) END,
       CASE JSON_TYPEOF(title)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(title) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(title)
           WHEN 'string' THEN LEFT(CAST(title AS VARCHAR(65535)), 1025)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(title), 1025) END,
       CASE JSON_TYPEOF(year)
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT(year) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF(year)
           WHEN 'string' THEN LEFT(CAST(year AS VARCHAR(65535)), 32)
           WHEN 'number' THEN LEFT(JSON_SERIALIZE(year), 32) END
FROM copy_song_json;

-- The rules of the source format (sources/formats.py), as DuckDB staging applies them
-- (sql/stage/duckdb/check.sql): every field present, of its JSON type, within its width and range,
-- and the format's rules. A failing row keeps its reason and is rejected, never repaired.
UPDATE copy_songs SET reason = CASE
    WHEN artist_id_t IS NULL THEN 'missing field artist_id'
    WHEN artist_id_t = 'NULL' THEN 'field artist_id is null'
    WHEN artist_id_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field artist_id is ' || LOWER(artist_id_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN artist_id_t = 'VARCHAR' THEN COALESCE(artist_id_v, '') ELSE CASE WHEN artist_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_id_v END END) > 32 THEN 'field artist_id is longer than 32 bytes'
    WHEN CASE WHEN artist_id_t = 'VARCHAR' THEN COALESCE(artist_id_v, '') ELSE CASE WHEN artist_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_id_v END END = '' THEN 'field artist_id is empty'
    WHEN artist_latitude_t IS NULL THEN 'missing field artist_latitude'
    WHEN artist_latitude_t NOT IN ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
        THEN 'field artist_latitude is ' || LOWER(artist_latitude_t) || ', expected number'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN artist_latitude_t <> 'NULL' AND artist_latitude_v IS NULL THEN 'field artist_latitude is out of range'
    WHEN CAST(CASE WHEN artist_latitude_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_latitude_v END AS DOUBLE PRECISION) NOT BETWEEN -90.0 AND 90.0
        THEN 'field artist_latitude is out of range'
    WHEN artist_location_t IS NULL THEN 'missing field artist_location'
    WHEN artist_location_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field artist_location is ' || LOWER(artist_location_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN artist_location_t = 'VARCHAR' THEN COALESCE(artist_location_v, '') ELSE CASE WHEN artist_location_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_location_v END END) > 1024 THEN 'field artist_location is longer than 1024 bytes'
    WHEN artist_longitude_t IS NULL THEN 'missing field artist_longitude'
    WHEN artist_longitude_t NOT IN ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
        THEN 'field artist_longitude is ' || LOWER(artist_longitude_t) || ', expected number'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN artist_longitude_t <> 'NULL' AND artist_longitude_v IS NULL THEN 'field artist_longitude is out of range'
    WHEN CAST(CASE WHEN artist_longitude_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_longitude_v END AS DOUBLE PRECISION) NOT BETWEEN -180.0 AND 180.0
        THEN 'field artist_longitude is out of range'
    WHEN artist_name_t IS NULL THEN 'missing field artist_name'
    WHEN artist_name_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field artist_name is ' || LOWER(artist_name_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN artist_name_t = 'VARCHAR' THEN COALESCE(artist_name_v, '') ELSE CASE WHEN artist_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_name_v END END) > 1024 THEN 'field artist_name is longer than 1024 bytes'
    WHEN duration_t IS NULL THEN 'missing field duration'
    WHEN duration_t NOT IN ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
        THEN 'field duration is ' || LOWER(duration_t) || ', expected number'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN duration_t <> 'NULL' AND duration_v IS NULL THEN 'field duration is out of range'
    WHEN CAST(CASE WHEN duration_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN duration_v END AS DOUBLE PRECISION) <= 0 THEN 'field duration is out of range'
    WHEN num_songs_t IS NULL THEN 'missing field num_songs'
    WHEN num_songs_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field num_songs is ' || LOWER(num_songs_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN num_songs_t <> 'NULL' AND num_songs_v IS NULL THEN 'field num_songs is out of range'
    WHEN CAST(CASE WHEN num_songs_t IN ('BIGINT', 'UBIGINT') THEN num_songs_v END AS DECIMAL(38, 0)) NOT BETWEEN -2147483648 AND 2147483647
        THEN 'field num_songs is out of range'
    WHEN CAST(CASE WHEN num_songs_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN num_songs_v END AS DECIMAL(38, 0)) NOT BETWEEN 0 AND 2147483647
        THEN 'field num_songs is out of range'
    WHEN song_id_t IS NULL THEN 'missing field song_id'
    WHEN song_id_t = 'NULL' THEN 'field song_id is null'
    WHEN song_id_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field song_id is ' || LOWER(song_id_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN song_id_t = 'VARCHAR' THEN COALESCE(song_id_v, '') ELSE CASE WHEN song_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN song_id_v END END) > 32 THEN 'field song_id is longer than 32 bytes'
    WHEN CASE WHEN song_id_t = 'VARCHAR' THEN COALESCE(song_id_v, '') ELSE CASE WHEN song_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN song_id_v END END = '' THEN 'field song_id is empty'
    WHEN title_t IS NULL THEN 'missing field title'
    WHEN title_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field title is ' || LOWER(title_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN title_t = 'VARCHAR' THEN COALESCE(title_v, '') ELSE CASE WHEN title_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN title_v END END) > 1024 THEN 'field title is longer than 1024 bytes'
    WHEN year_t IS NULL THEN 'missing field year'
    WHEN year_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field year is ' || LOWER(year_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN year_t <> 'NULL' AND year_v IS NULL THEN 'field year is out of range'
    WHEN CAST(CASE WHEN year_t IN ('BIGINT', 'UBIGINT') THEN year_v END AS DECIMAL(38, 0)) NOT BETWEEN -2147483648 AND 2147483647
        THEN 'field year is out of range'
    WHEN CAST(CASE WHEN year_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN year_v END AS DECIMAL(38, 0)) NOT BETWEEN 0 AND 2100
        THEN 'field year is out of range'
END
WHERE reason IS NULL;

INSERT INTO copy_song_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT COALESCE(source_file, 'song_data/'), line_no, NULLIF(col, 0), reason, raw_line, GETDATE()
FROM copy_songs
WHERE reason IS NOT NULL;

SELECT (SELECT COUNT(*) FROM copy_songs WHERE reason IS NULL), (SELECT COUNT(*) FROM copy_song_rejects);

-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- Each line (or song record) becomes one row of cells: every field's JSON type and text, checked
-- by validate.sql with the same rules as DuckDB staging before anything is typed.
DROP TABLE IF EXISTS copy_events;

CREATE TEMP TABLE copy_events (
    line_no     INTEGER,
    source_file VARCHAR(1024),
    col         INTEGER,
    reason      VARCHAR(256),
    raw_line    VARCHAR(1024),
    artist_t VARCHAR(8),
    artist_v VARCHAR(4100),
    auth_t VARCHAR(8),
    auth_v VARCHAR(132),
    first_name_t VARCHAR(8),
    first_name_v VARCHAR(1028),
    gender_t VARCHAR(8),
    gender_v VARCHAR(68),
    item_in_session_t VARCHAR(8),
    item_in_session_v VARCHAR(128),
    last_name_t VARCHAR(8),
    last_name_v VARCHAR(1028),
    length_t VARCHAR(8),
    length_v VARCHAR(128),
    level_t VARCHAR(8),
    level_v VARCHAR(68),
    location_t VARCHAR(8),
    location_v VARCHAR(4100),
    method_t VARCHAR(8),
    method_v VARCHAR(68),
    page_t VARCHAR(8),
    page_v VARCHAR(260),
    registration_t VARCHAR(8),
    registration_v VARCHAR(128),
    session_id_t VARCHAR(8),
    session_id_v VARCHAR(128),
    song_t VARCHAR(8),
    song_v VARCHAR(4100),
    status_t VARCHAR(8),
    status_v VARCHAR(128),
    ts_t VARCHAR(8),
    ts_v VARCHAR(128),
    user_agent_t VARCHAR(8),
    user_agent_v VARCHAR(4100),
    user_id_t VARCHAR(8),
    user_id_v VARCHAR(260)
) DISTSTYLE EVEN;

DROP TABLE IF EXISTS copy_event_rejects;

CREATE TEMP TABLE copy_event_rejects (LIKE songs.rejects);

DROP TABLE IF EXISTS copy_event_files;

CREATE TEMP TABLE copy_event_files (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);

INSERT INTO copy_event_files (source_file, size_bytes, modified) VALUES ('log_data/2018/11/2018-11-01-events.json', 1073, 'c2b3dab6b7afbedb51b4ca8447c1bcae'), ('log_data/2018/11/2018-11-02-events.json', 771, 'dfaf6a03b24fb87b1d958934b7e73a29'), ('log_data/2018/11/2018-11-04-events.json', 374, '1c9ec600c27dc583133fd7086c065e0e');

-- s3://sparkify-src/data/v1/_sparkify/copy/<token>/events-0000.csv.gz: the lines of log_data/2018/11/2018-11-01-events.json, log_data/2018/11/2018-11-02-events.json, log_data/2018/11/2018-11-04-events.json, a CSV row each (written by a real run)
SELECT COALESCE(MAX(query), 0)
FROM stl_load_errors
WHERE session = pg_backend_pid();

-- the lines of 3 log files, as CSV rows that name their file and line. COPY reads exactly the objects its manifest names
-- (FROM a prefix would also load every object whose key starts with it).
COPY copy_events (line_no, source_file, col, reason, raw_line, artist_t, artist_v, auth_t, auth_v, first_name_t, first_name_v, gender_t, gender_v, item_in_session_t, item_in_session_v, last_name_t, last_name_v, length_t, length_v, level_t, level_v, location_t, location_v, method_t, method_v, page_t, page_v, registration_t, registration_v, session_id_t, session_id_v, song_t, song_v, status_t, status_v, ts_t, ts_v, user_agent_t, user_agent_v, user_id_t, user_id_v)
FROM 's3://sparkify-src/data/v1/_sparkify/copy/<token>/events.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-redshift-s3-read'
MANIFEST
FORMAT AS CSV
EMPTYASNULL
GZIP
REGION 'us-west-2'
MAXERROR 1
COMPUPDATE OFF STATUPDATE OFF;

-- What the COPY skipped or failed on: file, line and reason. The COPY read sparkify's
-- CSV of log lines, whose rows begin with the line number and the log file.
INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT
       COALESCE(NULLIF(SPLIT_PART(TRIM(raw_line), '"', 2), ''), TRIM(filename)),
       CAST(NULLIF(REGEXP_SUBSTR(TRIM(raw_line), '^[0-9]+'), '') AS INTEGER),
       NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256),
       TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE session = pg_backend_pid()
  AND query > 0;

SELECT COUNT(*) FROM copy_event_rejects;

-- The rules of the source format (sources/formats.py), as DuckDB staging applies them
-- (sql/stage/duckdb/check.sql): every field present, of its JSON type, within its width and range,
-- and the format's rules. A failing row keeps its reason and is rejected, never repaired.
UPDATE copy_events SET reason = CASE
    WHEN artist_t IS NULL THEN 'missing field artist'
    WHEN artist_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field artist is ' || LOWER(artist_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN artist_t = 'VARCHAR' THEN COALESCE(artist_v, '') ELSE CASE WHEN artist_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_v END END) > 1024 THEN 'field artist is longer than 1024 bytes'
    WHEN auth_t IS NULL THEN 'missing field auth'
    WHEN auth_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field auth is ' || LOWER(auth_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN auth_t = 'VARCHAR' THEN COALESCE(auth_v, '') ELSE CASE WHEN auth_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN auth_v END END) > 32 THEN 'field auth is longer than 32 bytes'
    WHEN first_name_t IS NULL THEN 'missing field firstName'
    WHEN first_name_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field firstName is ' || LOWER(first_name_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN first_name_t = 'VARCHAR' THEN COALESCE(first_name_v, '') ELSE CASE WHEN first_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN first_name_v END END) > 256 THEN 'field firstName is longer than 256 bytes'
    WHEN gender_t IS NULL THEN 'missing field gender'
    WHEN gender_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field gender is ' || LOWER(gender_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN gender_t = 'VARCHAR' THEN COALESCE(gender_v, '') ELSE CASE WHEN gender_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN gender_v END END) > 16 THEN 'field gender is longer than 16 bytes'
    WHEN item_in_session_t IS NULL THEN 'missing field itemInSession'
    WHEN item_in_session_t = 'NULL' THEN 'field itemInSession is null'
    WHEN item_in_session_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field itemInSession is ' || LOWER(item_in_session_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN item_in_session_t <> 'NULL' AND item_in_session_v IS NULL THEN 'field itemInSession is out of range'
    WHEN CAST(CASE WHEN item_in_session_t IN ('BIGINT', 'UBIGINT') THEN item_in_session_v END AS DECIMAL(38, 0)) NOT BETWEEN -2147483648 AND 2147483647
        THEN 'field itemInSession is out of range'
    WHEN CAST(CASE WHEN item_in_session_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN item_in_session_v END AS DECIMAL(38, 0)) NOT BETWEEN 0 AND 2147483647
        THEN 'field itemInSession is out of range'
    WHEN last_name_t IS NULL THEN 'missing field lastName'
    WHEN last_name_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field lastName is ' || LOWER(last_name_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN last_name_t = 'VARCHAR' THEN COALESCE(last_name_v, '') ELSE CASE WHEN last_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN last_name_v END END) > 256 THEN 'field lastName is longer than 256 bytes'
    WHEN length_t IS NULL THEN 'missing field length'
    WHEN length_t NOT IN ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
        THEN 'field length is ' || LOWER(length_t) || ', expected number'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN length_t <> 'NULL' AND length_v IS NULL THEN 'field length is out of range'
    WHEN CAST(CASE WHEN length_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN length_v END AS DOUBLE PRECISION) <= 0 THEN 'field length is out of range'
    WHEN level_t IS NULL THEN 'missing field level'
    WHEN level_t = 'NULL' THEN 'field level is null'
    WHEN level_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field level is ' || LOWER(level_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN level_t = 'VARCHAR' THEN COALESCE(level_v, '') ELSE CASE WHEN level_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN level_v END END) > 16 THEN 'field level is longer than 16 bytes'
    WHEN CASE WHEN level_t = 'VARCHAR' THEN COALESCE(level_v, '') ELSE CASE WHEN level_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN level_v END END = '' THEN 'field level is empty'
    WHEN location_t IS NULL THEN 'missing field location'
    WHEN location_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field location is ' || LOWER(location_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN location_t = 'VARCHAR' THEN COALESCE(location_v, '') ELSE CASE WHEN location_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN location_v END END) > 1024 THEN 'field location is longer than 1024 bytes'
    WHEN method_t IS NULL THEN 'missing field method'
    WHEN method_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field method is ' || LOWER(method_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN method_t = 'VARCHAR' THEN COALESCE(method_v, '') ELSE CASE WHEN method_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN method_v END END) > 16 THEN 'field method is longer than 16 bytes'
    WHEN page_t IS NULL THEN 'missing field page'
    WHEN page_t = 'NULL' THEN 'field page is null'
    WHEN page_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field page is ' || LOWER(page_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN page_t = 'VARCHAR' THEN COALESCE(page_v, '') ELSE CASE WHEN page_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN page_v END END) > 64 THEN 'field page is longer than 64 bytes'
    WHEN CASE WHEN page_t = 'VARCHAR' THEN COALESCE(page_v, '') ELSE CASE WHEN page_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN page_v END END = '' THEN 'field page is empty'
    WHEN registration_t IS NULL THEN 'missing field registration'
    WHEN registration_t NOT IN ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
        THEN 'field registration is ' || LOWER(registration_t) || ', expected number'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN registration_t <> 'NULL' AND registration_v IS NULL THEN 'field registration is out of range'
    WHEN CAST(CASE WHEN registration_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN registration_v END AS DOUBLE PRECISION) NOT BETWEEN 946684800000 AND 4102444800000
        THEN 'field registration is out of range'
    WHEN session_id_t IS NULL THEN 'missing field sessionId'
    WHEN session_id_t = 'NULL' THEN 'field sessionId is null'
    WHEN session_id_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field sessionId is ' || LOWER(session_id_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN session_id_t <> 'NULL' AND session_id_v IS NULL THEN 'field sessionId is out of range'
    WHEN CAST(CASE WHEN session_id_t IN ('BIGINT', 'UBIGINT') THEN session_id_v END AS DECIMAL(38, 0)) NOT BETWEEN -2147483648 AND 2147483647
        THEN 'field sessionId is out of range'
    WHEN CAST(CASE WHEN session_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN session_id_v END AS DECIMAL(38, 0)) NOT BETWEEN 0 AND 2147483647
        THEN 'field sessionId is out of range'
    WHEN song_t IS NULL THEN 'missing field song'
    WHEN song_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field song is ' || LOWER(song_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN song_t = 'VARCHAR' THEN COALESCE(song_v, '') ELSE CASE WHEN song_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN song_v END END) > 1024 THEN 'field song is longer than 1024 bytes'
    WHEN status_t IS NULL THEN 'missing field status'
    WHEN status_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field status is ' || LOWER(status_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN status_t <> 'NULL' AND status_v IS NULL THEN 'field status is out of range'
    WHEN CAST(CASE WHEN status_t IN ('BIGINT', 'UBIGINT') THEN status_v END AS DECIMAL(38, 0)) NOT BETWEEN -2147483648 AND 2147483647
        THEN 'field status is out of range'
    WHEN CAST(CASE WHEN status_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN status_v END AS DECIMAL(38, 0)) NOT BETWEEN 100 AND 599
        THEN 'field status is out of range'
    WHEN ts_t IS NULL THEN 'missing field ts'
    WHEN ts_t = 'NULL' THEN 'field ts is null'
    WHEN ts_t NOT IN ('NULL', 'BIGINT', 'UBIGINT')
        THEN 'field ts is ' || LOWER(ts_t) || ', expected integer'
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN ts_t <> 'NULL' AND ts_v IS NULL THEN 'field ts is out of range'
    WHEN CAST(CASE WHEN ts_t IN ('BIGINT', 'UBIGINT') THEN ts_v END AS DECIMAL(38, 0)) NOT BETWEEN -9223372036854775808 AND 9223372036854775807
        THEN 'field ts is out of range'
    WHEN CAST(CASE WHEN ts_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN ts_v END AS DECIMAL(38, 0)) NOT BETWEEN 946684800000 AND 4102444800000
        THEN 'field ts is out of range'
    WHEN user_agent_t IS NULL THEN 'missing field userAgent'
    WHEN user_agent_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field userAgent is ' || LOWER(user_agent_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN user_agent_t = 'VARCHAR' THEN COALESCE(user_agent_v, '') ELSE CASE WHEN user_agent_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN user_agent_v END END) > 1024 THEN 'field userAgent is longer than 1024 bytes'
    WHEN user_id_t IS NULL THEN 'missing field userId'
    WHEN user_id_t = 'NULL' THEN 'field userId is null'
    WHEN user_id_t NOT IN ('NULL', 'VARCHAR', 'BIGINT', 'UBIGINT')
        THEN 'field userId is ' || LOWER(user_id_t) || ', expected string'
    WHEN OCTET_LENGTH(CASE WHEN user_id_t = 'VARCHAR' THEN COALESCE(user_id_v, '') ELSE CASE WHEN user_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN user_id_v END END) > 64 THEN 'field userId is longer than 64 bytes'
    WHEN CASE WHEN page_t = 'VARCHAR' THEN COALESCE(page_v, '') ELSE CASE WHEN page_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN page_v END END = 'NextSong' AND CASE WHEN user_id_t = 'VARCHAR' THEN COALESCE(user_id_v, '') ELSE CASE WHEN user_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN user_id_v END END = ''
        THEN 'NextSong event without userId'
END
WHERE reason IS NULL;

INSERT INTO copy_event_rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT COALESCE(source_file, 'log_data/'), line_no, NULLIF(col, 0), reason, raw_line, GETDATE()
FROM copy_events
WHERE reason IS NOT NULL;

SELECT (SELECT COUNT(*) FROM copy_events WHERE reason IS NULL), (SELECT COUNT(*) FROM copy_event_rejects);

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
SELECT
    CASE WHEN artist_id_t = 'VARCHAR' THEN COALESCE(artist_id_v, '') ELSE CASE WHEN artist_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_id_v END END,
    CAST(CASE WHEN artist_latitude_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_latitude_v END AS DOUBLE PRECISION),
    CASE WHEN artist_location_t = 'VARCHAR' THEN COALESCE(artist_location_v, '') ELSE CASE WHEN artist_location_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_location_v END END,
    CAST(CASE WHEN artist_longitude_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_longitude_v END AS DOUBLE PRECISION),
    CASE WHEN artist_name_t = 'VARCHAR' THEN COALESCE(artist_name_v, '') ELSE CASE WHEN artist_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_name_v END END,
    CAST(CASE WHEN duration_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN duration_v END AS DOUBLE PRECISION),
    CAST(CASE WHEN num_songs_t IN ('BIGINT', 'UBIGINT') THEN num_songs_v END AS INTEGER),
    CASE WHEN song_id_t = 'VARCHAR' THEN COALESCE(song_id_v, '') ELSE CASE WHEN song_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN song_id_v END END,
    CASE WHEN title_t = 'VARCHAR' THEN COALESCE(title_v, '') ELSE CASE WHEN title_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN title_v END END,
    CAST(CASE WHEN year_t IN ('BIGINT', 'UBIGINT') THEN year_v END AS INTEGER),
    source_file, line_no
FROM copy_songs
WHERE reason IS NULL;

-- One row per file. The catalog is one COPY, which does not say which file a row came from: its
-- files count their rejects only.
INSERT INTO songs.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, 'song', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       NULL, GETDATE()
FROM copy_song_files f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
    FROM songs.staging_songs
    WHERE source_file IN (SELECT source_file FROM songs.load_batch)
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
SELECT
    CASE WHEN artist_t = 'VARCHAR' THEN COALESCE(artist_v, '') ELSE CASE WHEN artist_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN artist_v END END,
    CASE WHEN auth_t = 'VARCHAR' THEN COALESCE(auth_v, '') ELSE CASE WHEN auth_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN auth_v END END,
    CASE WHEN first_name_t = 'VARCHAR' THEN COALESCE(first_name_v, '') ELSE CASE WHEN first_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN first_name_v END END,
    CASE WHEN gender_t = 'VARCHAR' THEN COALESCE(gender_v, '') ELSE CASE WHEN gender_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN gender_v END END,
    CAST(CASE WHEN item_in_session_t IN ('BIGINT', 'UBIGINT') THEN item_in_session_v END AS INTEGER),
    CASE WHEN last_name_t = 'VARCHAR' THEN COALESCE(last_name_v, '') ELSE CASE WHEN last_name_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN last_name_v END END,
    CAST(CASE WHEN length_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN length_v END AS DOUBLE PRECISION),
    CASE WHEN level_t = 'VARCHAR' THEN COALESCE(level_v, '') ELSE CASE WHEN level_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN level_v END END,
    CASE WHEN location_t = 'VARCHAR' THEN COALESCE(location_v, '') ELSE CASE WHEN location_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN location_v END END,
    CASE WHEN method_t = 'VARCHAR' THEN COALESCE(method_v, '') ELSE CASE WHEN method_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN method_v END END,
    CASE WHEN page_t = 'VARCHAR' THEN COALESCE(page_v, '') ELSE CASE WHEN page_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN page_v END END,
    CAST(CASE WHEN registration_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN registration_v END AS DOUBLE PRECISION),
    CAST(CASE WHEN session_id_t IN ('BIGINT', 'UBIGINT') THEN session_id_v END AS INTEGER),
    CASE WHEN song_t = 'VARCHAR' THEN COALESCE(song_v, '') ELSE CASE WHEN song_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN song_v END END,
    CAST(CASE WHEN status_t IN ('BIGINT', 'UBIGINT') THEN status_v END AS INTEGER),
    CAST(CASE WHEN ts_t IN ('BIGINT', 'UBIGINT') THEN ts_v END AS BIGINT),
    CASE WHEN user_agent_t = 'VARCHAR' THEN COALESCE(user_agent_v, '') ELSE CASE WHEN user_agent_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN user_agent_v END END,
    CASE WHEN user_id_t = 'VARCHAR' THEN COALESCE(user_id_v, '') ELSE CASE WHEN user_id_t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN user_id_v END END,
    source_file, line_no
FROM copy_events
WHERE reason IS NULL;

-- One row per file. The catalog is one COPY, which does not say which file a row came from: its
-- files count their rejects only.
INSERT INTO songs.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, 'event', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       COALESCE(s.plays, 0), GETDATE()
FROM copy_event_files f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
         , COUNT(DISTINCT CASE WHEN page = 'NextSong' THEN user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                 || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR) END) AS plays
    FROM songs.staging_events
    WHERE source_file IN (SELECT source_file FROM songs.load_batch)
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
