-- The star schema. Keys are NOT NULL; uniqueness is enforced by the load and verified by `check`.
CREATE TABLE IF NOT EXISTS {{ schema }}.songplays (
    songplay_id {{ m.text(32) }} NOT NULL,
    start_time  TIMESTAMP NOT NULL,
    user_id     {{ m.text(64) }} NOT NULL,
    level       {{ m.text(16) }},
    song_id     {{ m.text(32) }},
    artist_id   {{ m.text(32) }},
    session_id  INTEGER,
    location    {{ m.text(1024) }},
    user_agent  {{ m.text(1024) }}
){{ m.table_options('fact', key='user_id', sort='start_time') }};

CREATE TABLE IF NOT EXISTS {{ schema }}.users (
    user_id    {{ m.text(64) }} NOT NULL,
    first_name {{ m.text(256) }},
    last_name  {{ m.text(256) }},
    gender     {{ m.text(16) }},
    level      {{ m.text(16) }}
){{ m.table_options('dimension', sort='user_id') }};

CREATE TABLE IF NOT EXISTS {{ schema }}.songs (
    song_id   {{ m.text(32) }} NOT NULL,
    title     {{ m.text(1024) }},
    artist_id {{ m.text(32) }},
    year      INTEGER,
    duration  {{ m.float() }}
){{ m.table_options('dimension', sort='song_id') }};

CREATE TABLE IF NOT EXISTS {{ schema }}.artists (
    artist_id {{ m.text(32) }} NOT NULL,
    name      {{ m.text(1024) }},
    location  {{ m.text(1024) }},
    latitude  {{ m.float() }},
    longitude {{ m.float() }}
){{ m.table_options('dimension', sort='artist_id') }};

CREATE TABLE IF NOT EXISTS {{ schema }}."time" (
    start_time TIMESTAMP NOT NULL,
    hour       INTEGER,
    day        INTEGER,
    week       INTEGER,
    month      INTEGER,
    year       INTEGER,
    weekday    INTEGER
){{ m.table_options('dimension', sort='start_time') }};

-- Helper tables the incremental invariants need (see README, "How loading works"). A file's load
-- replaces exactly its rows here, and the star rows it touched are derived again from what remains.
-- Each user's latest event in each loaded log file: a user's row comes from the latest of these.
CREATE TABLE IF NOT EXISTS {{ schema }}.user_file_latest (
    user_id         {{ m.text(64) }} NOT NULL,
    source_file     {{ m.text(1024) }} NOT NULL,
    ts              {{ m.bigint() }} NOT NULL,
    item_in_session INTEGER,
    first_name      {{ m.text(256) }},
    last_name       {{ m.text(256) }},
    gender          {{ m.text(16) }},
    level           {{ m.text(16) }}
){{ m.table_options('dimension', sort='user_id') }};

-- Every play each loaded log file holds (an event repeated in two files is here twice): songplays
-- holds, per play, the row of the first file (by name, then line) that still holds it. The play's
-- song, artist and length are kept so a changed catalog can match every loaded play again.
CREATE TABLE IF NOT EXISTS {{ schema }}.songplay_sources (
    songplay_id {{ m.text(32) }} NOT NULL,
    source_file {{ m.text(1024) }} NOT NULL,
    line_no     INTEGER,
    song        {{ m.text(1024) }},
    artist      {{ m.text(1024) }},
    length      {{ m.float() }},
    start_time  TIMESTAMP NOT NULL,
    user_id     {{ m.text(64) }} NOT NULL,
    level       {{ m.text(16) }},
    song_id     {{ m.text(32) }},
    artist_id   {{ m.text(32) }},
    session_id  INTEGER,
    location    {{ m.text(1024) }},
    user_agent  {{ m.text(1024) }}
){{ m.table_options('fact', key='songplay_id', sort='source_file') }};
