-- A batch lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- {{ files }}: the batch's files; {{ lines }}: every line of them, as COPY sends it.
DROP TABLE IF EXISTS {{ files }};

CREATE TEMP TABLE {{ files }} (
    file_no     INTEGER NOT NULL,
    source_file TEXT NOT NULL,
    size_bytes  BIGINT,
    modified    TEXT
);

DROP TABLE IF EXISTS {{ lines }};

CREATE TEMP TABLE {{ lines }} (
    file_no    INTEGER NOT NULL,
    line_no    INTEGER NOT NULL,
    raw        TEXT,
    pre_reason TEXT,
    pre_col    INTEGER,
    exponent   BOOLEAN NOT NULL  -- a field's number may be written with an exponent (lines.py)
);
