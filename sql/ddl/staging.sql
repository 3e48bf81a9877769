-- Staging keeps every source field, typed, plus where each row came from.
-- Column order of staging_events follows the JSONPaths file (Redshift COPY maps by position).
CREATE TABLE IF NOT EXISTS {{ schema }}.staging_events (
    artist          {{ m.text(512) }},
    auth            {{ m.text(32) }},
    first_name      {{ m.text(256) }},
    gender          {{ m.text(16) }},
    item_in_session INTEGER,
    last_name       {{ m.text(256) }},
    length          {{ m.float() }},
    level           {{ m.text(16) }},
    location        {{ m.text(512) }},
    method          {{ m.text(16) }},
    page            {{ m.text(64) }},
    registration    {{ m.float() }},
    session_id      INTEGER,
    song            {{ m.text(1024) }},
    status          INTEGER,
    ts              {{ m.bigint() }},
    user_agent      {{ m.text(1024) }},
    user_id         {{ m.text(64) }},
    source_file     {{ m.text(1024) }},
    line_no         INTEGER
){{ m.table_options('staging') }};

CREATE TABLE IF NOT EXISTS {{ schema }}.staging_songs (
    artist_id        {{ m.text(32) }},
    artist_latitude  {{ m.float() }},
    artist_location  {{ m.text(1024) }},
    artist_longitude {{ m.float() }},
    artist_name      {{ m.text(1024) }},
    duration         {{ m.float() }},
    num_songs        INTEGER,
    song_id          {{ m.text(32) }},
    title            {{ m.text(1024) }},
    year             INTEGER,
    source_file      {{ m.text(1024) }},
    line_no          INTEGER
){{ m.table_options('staging') }};

-- Source rows that could not be loaded: never turned into NULLs, never dropped without a trace.
CREATE TABLE IF NOT EXISTS {{ schema }}.rejects (
    source_file {{ m.text(1024) }} NOT NULL,
    line_no     INTEGER,
    col         INTEGER,
    reason      {{ m.text(256) }} NOT NULL,
    raw         {{ m.text(1024) }},
    rejected_at TIMESTAMP NOT NULL
){{ m.table_options('staging') }};

-- The log files a load step works on (filled per step; keeps file lists out of SQL text).
CREATE TABLE IF NOT EXISTS {{ schema }}.load_batch (
    source_file {{ m.text(1024) }} NOT NULL
){{ m.table_options('staging') }};

-- One row per staged source file: what was read, when, and what came of it.
CREATE TABLE IF NOT EXISTS {{ schema }}.staged_files (
    source_file     {{ m.text(1024) }} NOT NULL,
    kind            {{ m.text(16) }} NOT NULL,
    size_bytes      {{ m.bigint() }},
    modified        {{ m.text(64) }},
    rows_staged     INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    next_song_rows  INTEGER,
    staged_at       TIMESTAMP NOT NULL,
    loaded_at       TIMESTAMP  -- NULL until a load takes this file's rows into the star schema
){{ m.table_options('staging') }};
