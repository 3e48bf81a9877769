-- sparkify --dry-run: schema create on redshift (schema songs); nothing was changed.
BEGIN;

CREATE SCHEMA IF NOT EXISTS songs;

-- Staging keeps every source field, typed, plus where each row came from.
-- Columns come from sources/formats.py, in its order.
CREATE TABLE IF NOT EXISTS songs.staging_events (
    artist VARCHAR(1024),
    auth VARCHAR(32),
    first_name VARCHAR(256),
    gender VARCHAR(16),
    item_in_session INTEGER,
    last_name VARCHAR(256),
    length DOUBLE PRECISION,
    level VARCHAR(16),
    location VARCHAR(1024),
    method VARCHAR(16),
    page VARCHAR(64),
    registration DOUBLE PRECISION,
    session_id INTEGER,
    song VARCHAR(1024),
    status INTEGER,
    ts BIGINT,
    user_agent VARCHAR(1024),
    user_id VARCHAR(64),
    source_file VARCHAR(1024),
    line_no     INTEGER
) DISTSTYLE EVEN;

CREATE TABLE IF NOT EXISTS songs.staging_songs (
    artist_id VARCHAR(32),
    artist_latitude DOUBLE PRECISION,
    artist_location VARCHAR(1024),
    artist_longitude DOUBLE PRECISION,
    artist_name VARCHAR(1024),
    duration DOUBLE PRECISION,
    num_songs INTEGER,
    song_id VARCHAR(32),
    title VARCHAR(1024),
    year INTEGER,
    source_file VARCHAR(1024),
    line_no     INTEGER
) DISTSTYLE EVEN;

-- Source rows that could not be loaded: never turned into NULLs, never dropped without a trace.
CREATE TABLE IF NOT EXISTS songs.rejects (
    source_file VARCHAR(1024) NOT NULL,
    line_no     INTEGER,
    col         INTEGER,
    reason      VARCHAR(256) NOT NULL,
    raw_line    VARCHAR(1024),  -- the line as read, cut to 1,000 characters
    rejected_at TIMESTAMP NOT NULL
) DISTSTYLE EVEN;

-- The log files a load step works on (filled per step; keeps file lists out of SQL text).
CREATE TABLE IF NOT EXISTS songs.load_batch (
    source_file VARCHAR(1024) NOT NULL
) DISTSTYLE EVEN;

-- One row per staged source file: what was read, when, and what came of it.
CREATE TABLE IF NOT EXISTS songs.staged_files (
    source_file     VARCHAR(1024) NOT NULL,
    kind            VARCHAR(16) NOT NULL,
    size_bytes      BIGINT,
    modified        VARCHAR(64),
    rows_staged     INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    next_song_rows  INTEGER,
    staged_at       TIMESTAMP NOT NULL,
    loaded_at       TIMESTAMP  -- NULL until a load takes this file's rows into the star schema
) DISTSTYLE EVEN;

-- The star schema. Keys are NOT NULL; uniqueness is enforced by the load and verified by `check`.
CREATE TABLE IF NOT EXISTS songs.songplays (
    songplay_id VARCHAR(32) NOT NULL,
    start_time  TIMESTAMP NOT NULL,
    user_id     VARCHAR(64) NOT NULL,
    level       VARCHAR(16),
    song_id     VARCHAR(32),
    artist_id   VARCHAR(32),
    session_id  INTEGER,
    location    VARCHAR(1024),
    user_agent  VARCHAR(1024)
) DISTSTYLE KEY DISTKEY (user_id) SORTKEY (start_time);

CREATE TABLE IF NOT EXISTS songs.users (
    user_id    VARCHAR(64) NOT NULL,
    first_name VARCHAR(256),
    last_name  VARCHAR(256),
    gender     VARCHAR(16),
    level      VARCHAR(16)
) DISTSTYLE ALL SORTKEY (user_id);

CREATE TABLE IF NOT EXISTS songs.songs (
    song_id   VARCHAR(32) NOT NULL,
    title     VARCHAR(1024),
    artist_id VARCHAR(32),
    year      INTEGER,
    duration  DOUBLE PRECISION
) DISTSTYLE ALL SORTKEY (song_id);

CREATE TABLE IF NOT EXISTS songs.artists (
    artist_id VARCHAR(32) NOT NULL,
    name      VARCHAR(1024),
    location  VARCHAR(1024),
    latitude  DOUBLE PRECISION,
    longitude DOUBLE PRECISION
) DISTSTYLE ALL SORTKEY (artist_id);

CREATE TABLE IF NOT EXISTS songs."time" (
    start_time TIMESTAMP NOT NULL,
    hour       INTEGER,
    day        INTEGER,
    week       INTEGER,
    month      INTEGER,
    year       INTEGER,
    weekday    INTEGER
) DISTSTYLE ALL SORTKEY (start_time);

-- Helper tables the incremental invariants need (see README, "How loading works"). A file's load
-- replaces exactly its rows here, and the star rows it touched are derived again from what remains.
-- Each user's latest event in each loaded log file: a user's row comes from the latest of these.
CREATE TABLE IF NOT EXISTS songs.user_file_latest (
    user_id         VARCHAR(64) NOT NULL,
    source_file     VARCHAR(1024) NOT NULL,
    ts              BIGINT NOT NULL,
    item_in_session INTEGER,
    first_name      VARCHAR(256),
    last_name       VARCHAR(256),
    gender          VARCHAR(16),
    level           VARCHAR(16)
) DISTSTYLE ALL SORTKEY (user_id);

-- Every play each loaded log file holds (an event repeated in two files is here twice): songplays
-- holds, per play, the row of the first file (by name, then line) that still holds it. The play's
-- song, artist and length are kept so a changed catalog can match every loaded play again.
CREATE TABLE IF NOT EXISTS songs.songplay_sources (
    songplay_id VARCHAR(32) NOT NULL,
    source_file VARCHAR(1024) NOT NULL,
    line_no     INTEGER,
    song        VARCHAR(1024),
    artist      VARCHAR(1024),
    length      DOUBLE PRECISION,
    start_time  TIMESTAMP NOT NULL,
    user_id     VARCHAR(64) NOT NULL,
    level       VARCHAR(16),
    song_id     VARCHAR(32),
    artist_id   VARCHAR(32),
    session_id  INTEGER,
    location    VARCHAR(1024),
    user_agent  VARCHAR(1024)
) DISTSTYLE KEY DISTKEY (songplay_id) SORTKEY (source_file);

-- The run ledger: every command that changes data records itself here.
CREATE TABLE IF NOT EXISTS songs.runs (
    run_id      VARCHAR(36) NOT NULL,
    command     VARCHAR(32) NOT NULL,
    days        VARCHAR(64),
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR(16) NOT NULL,  -- running | ok | failed | checks_failed
    error       VARCHAR(1024),
    counts      VARCHAR(4096),         -- JSON: rows staged, rejected and loaded per table
    source      VARCHAR(1024)          -- the source it read (an absolute folder or s3://), if any
) DISTSTYLE EVEN;

-- The source files each run read, with what identified their version.
CREATE TABLE IF NOT EXISTS songs.run_files (
    run_id      VARCHAR(36) NOT NULL,
    source_file VARCHAR(1024) NOT NULL,
    kind        VARCHAR(16) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
) DISTSTYLE EVEN;

-- Which version of sparkify's tables this schema holds (services/pipeline/schema.py upgrades older ones).
CREATE TABLE IF NOT EXISTS songs.sparkify_schema (
    version    INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL
) DISTSTYLE EVEN;

DELETE FROM songs.sparkify_schema;

INSERT INTO songs.sparkify_schema (version, applied_at) VALUES (4, TIMESTAMP '<now>');

COMMIT;
