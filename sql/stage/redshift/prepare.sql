-- COPY lands in session temp tables; the warehouse itself changes only when the batch is applied.
-- The copy table's columns are named like the JSON keys (in lower case), so JSON 'auto ignorecase'
-- maps every key to its column, and take the staging table's types, so a value that does not fit
-- is a COPY error with file and line instead of a silent cut.
DROP TABLE IF EXISTS {{ copy }};

CREATE TEMP TABLE {{ copy }} DISTSTYLE EVEN AS
SELECT
{% for f in fields %}
    {{ f.column }} AS {{ f.key | lower }},
{% endfor %}
    source_file,
    CAST(NULL AS VARCHAR(256)) AS reject_reason
FROM {{ schema }}.{{ table }}
WHERE 1 = 0;

DROP TABLE IF EXISTS {{ rejects }};

CREATE TEMP TABLE {{ rejects }} (LIKE {{ schema }}.rejects);

DROP TABLE IF EXISTS {{ files }};

CREATE TEMP TABLE {{ files }} (
    source_file VARCHAR(1024) NOT NULL,
    size_bytes  BIGINT,
    modified    VARCHAR(64)
);
