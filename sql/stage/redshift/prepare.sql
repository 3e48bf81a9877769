{% import 'stage/redshift/_cells.sql' as cell with context %}
-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- Each line (or song record) becomes one row of cells: every field's JSON type and text, checked
-- by validate.sql with the same rules as DuckDB staging before anything is typed.
DROP TABLE IF EXISTS {{ copy }};

CREATE TEMP TABLE {{ copy }} (
    line_no     INTEGER,
    source_file VARCHAR(1024),
    col         INTEGER,
    reason      VARCHAR(256),
    raw_line    VARCHAR(1024),
{% for f in fields %}
    {{ cell.type(f) }} VARCHAR(8),
    {{ cell.raw(f) }} VARCHAR({{ cell_bytes[f.column] }}){{ "," if not loop.last }}
{% endfor %}
) DISTSTYLE EVEN;
{% if not fmt.one_object_per_line %}

-- COPY's JSON reader fills this one: a SUPER value keeps each field's JSON type.
DROP TABLE IF EXISTS {{ json }};

CREATE TEMP TABLE {{ json }} (
{% for f in fields %}
    {{ f.column }} SUPER{{ "," if not loop.last }}
{% endfor %}
) DISTSTYLE EVEN;
{% endif %}

DROP TABLE IF EXISTS {{ rejects }};

CREATE TEMP TABLE {{ rejects }} (LIKE {{ schema }}.rejects);

DROP TABLE IF EXISTS {{ files }};

CREATE TEMP TABLE {{ files }} (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);
