-- Staging keeps every source field, typed, plus where each row came from.
-- Columns come from sources/formats.py, in its order.
{% macro column_type(f) %}
{%- if f.kind == 'string' %}{{ m.text(f.width) }}
{%- elif f.kind == 'number' %}{{ m.float() }}
{%- else %}{{ f.sql_type }}{% endif -%}
{% endmacro %}
CREATE TABLE IF NOT EXISTS {{ schema }}.staging_events (
{% for f in event_fields %}
    {{ f.column }} {{ column_type(f) }},
{% endfor %}
    source_file {{ m.text(1024) }},
    line_no     INTEGER
){{ m.table_options('staging') }};

CREATE TABLE IF NOT EXISTS {{ schema }}.staging_songs (
{% for f in song_fields %}
    {{ f.column }} {{ column_type(f) }},
{% endfor %}
    source_file {{ m.text(1024) }},
    line_no     INTEGER
){{ m.table_options('staging') }};

-- Source rows that could not be loaded: never turned into NULLs, never dropped without a trace.
CREATE TABLE IF NOT EXISTS {{ schema }}.rejects (
    source_file {{ m.text(1024) }} NOT NULL,
    line_no     INTEGER,
    col         INTEGER,
    reason      {{ m.text(256) }} NOT NULL,
    raw_line    {{ m.text(1024) }},  -- the line as read, cut to 1,000 characters
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
