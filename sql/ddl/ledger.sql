-- The run ledger: every command that changes data records itself here.
CREATE TABLE IF NOT EXISTS {{ schema }}.runs (
    run_id      {{ m.text(36) }} NOT NULL,
    command     {{ m.text(32) }} NOT NULL,
    days        {{ m.text(64) }},
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      {{ m.text(16) }} NOT NULL,  -- running | ok | failed | checks_failed
    error       {{ m.text(1024) }},
    counts      {{ m.text(4096) }},         -- JSON: rows staged, rejected and loaded per table
    source      {{ m.text(1024) }}          -- the source it read (an absolute folder or s3://), if any
){{ m.table_options('staging') }};

-- The source files each run read, with what identified their version.
CREATE TABLE IF NOT EXISTS {{ schema }}.run_files (
    run_id      {{ m.text(36) }} NOT NULL,
    source_file {{ m.text(1024) }} NOT NULL,
    kind        {{ m.text(16) }} NOT NULL,
    size_bytes  {{ m.bigint() }},
    modified    {{ m.text(64) }}
){{ m.table_options('staging') }};
