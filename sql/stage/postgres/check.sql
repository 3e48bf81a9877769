-- Validate each non-blank line against the source format with DuckDB staging's checks, in its order
-- and with its reasons: a JSON object with every field present and of the right type. A failing line
-- gets a reason and is rejected, never repaired. Each line is parsed once, into jsonb; every layer
-- is fenced (OFFSET 0) so no expression runs twice. The text is parsed again only where jsonb cannot
-- tell: a repeated key (jsonb keeps the last), and how an integral number was written (1e2 is a
-- double to DuckDB, 100 an integer) on the lines sparkify saw an exponent in (`exponent`).
-- careful: the batch holds a line that is not JSON, so each line is cast on its own (slower).
{% set limits = {"SMALLINT": (-32768, 32767), "INTEGER": (-2147483648, 2147483647),
                 "BIGINT": (-9223372036854775808, 9223372036854775807)} %}
{% macro key(f) %}'{{ f.key | replace("'", "''") }}'{% endmacro %}
{#- The field's value as text, as DuckDB's ->> '$' gives it (what a rule compares). -#}
{% macro text_of(position) %}
{%- if fields[position - 1].kind == 'string' %}s{{ position }}{% else %}(v{{ position }} #>> '{}'){% endif -%}
{% endmacro %}
DROP TABLE IF EXISTS {{ checked }};

CREATE TEMP TABLE {{ checked }} AS
SELECT file_no, line_no, reason,
       CASE WHEN pre_reason IS NOT NULL THEN pre_col END AS col,
       CASE WHEN reason IS NOT NULL THEN raw END AS raw  -- raw text is kept for rejects only
{% for f in fields %}
     , CASE WHEN reason IS NULL THEN
{%- if f.kind == 'string' %} s{{ loop.index }}
{%- elif f.kind == 'integer' %} CAST(x{{ loop.index }} AS {{ f.sql_type }})
{%- else %} x{{ loop.index }}{% endif %} END AS {{ f.column }}
{% endfor %}
FROM (
    SELECT *,
        CASE
            WHEN pre_reason IS NOT NULL THEN pre_reason
            WHEN octet_length(raw) > {{ max_line_bytes }} THEN 'line is longer than {{ max_line_bytes }} bytes'
            WHEN jb IS NULL THEN 'invalid JSON'
            WHEN top_type <> 'OBJECT' THEN 'not a JSON object but ' || lower(top_type)
            -- DuckDB's rule: more keys than distinct ones, unless there are exactly as many keys as
            -- fields. No colon to spare and every field there: no key can repeat, nothing to count.
            WHEN CASE WHEN colons = {{ fields | length }} AND all_present THEN false
                      ELSE (SELECT count(*) <> {{ fields | length }} AND count(*) <> count(DISTINCT k)
                            FROM json_object_keys(raw::json) k) END
                THEN 'duplicate keys in one object'
{% for f in fields %}
{% set i = loop.index %}
            WHEN v{{ i }} IS NULL THEN 'missing field {{ f.key }}'
{% if f.required %}
            WHEN t{{ i }} = 'NULL' THEN 'field {{ f.key }} is null'
{% endif %}
            WHEN t{{ i }} NOT IN ('NULL', {{ f.json_types }})
                THEN 'field {{ f.key }} is ' || lower(t{{ i }}) || ', expected {{ f.kind }}'
{% if f.kind == 'string' %}
            WHEN octet_length(s{{ i }}) > {{ f.width }} THEN 'field {{ f.key }} is longer than {{ f.width }} bytes'
{% if f.nonempty %}
            WHEN jsonb_typeof(v{{ i }}) = 'string' AND s{{ i }} = '' THEN 'field {{ f.key }} is empty'
{% endif %}
{% else %}
{#- As DuckDB has it: the value as its column type holds it (an integer that does not fit is none; a
    number past a double's range is infinite), within min/max, above 0 where set, and finite where
    no limits say so. -#}
{% set x = "x" ~ i %}
{% set fits = [] %}
{% if f.min is not none %}{% set fits = fits + [x ~ " BETWEEN " ~ f.min ~ " AND " ~ f.max] %}{% endif %}
{% if f.positive %}{% set fits = fits + [x ~ " > 0"] %}{% endif %}
{% if f.kind == 'number' and f.min is none %}{% set fits = fits + [x ~ " NOT IN ('Infinity', '-Infinity')"] %}{% endif %}
            WHEN t{{ i }} <> 'NULL' AND NOT coalesce({{ (fits or [x ~ " IS NOT NULL"]) | join(" AND ") }}, false)
                THEN 'field {{ f.key }} is out of range'
{% endif %}
{% endfor %}
{% for rule in fmt.rules %}
            WHEN {% for k, value in rule.equals %}{{ text_of(fmt.position(k)) }} = '{{ value }}'{{ " AND " if not loop.last }}{% endfor %}

                THEN '{{ rule.reason }}'
{% endfor %}
        END AS reason
    FROM (
        -- DuckDB's name for each value's type; text fields as text, numbers as their column holds them
        SELECT *
{% for f in fields %}
{% set i = loop.index %}
             , CASE jsonb_typeof(v{{ i }})
                   WHEN 'string' THEN 'VARCHAR' WHEN 'boolean' THEN 'BOOLEAN' WHEN 'null' THEN 'NULL'
                   WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
                   WHEN 'number' THEN {% if f.kind == 'number' %}'DOUBLE'{% else %}CASE
                       WHEN NOT int{{ i }} OR n{{ i }} NOT BETWEEN -9223372036854775808 AND 18446744073709551615 THEN 'DOUBLE'
                       WHEN n{{ i }} < 0 THEN 'BIGINT' ELSE 'UBIGINT' END{% endif %}

               END AS t{{ i }}
{% if f.kind == 'string' %}
             , CASE jsonb_typeof(v{{ i }}) WHEN 'string' THEN v{{ i }} #>> '{}' WHEN 'number' THEN n{{ i }}::text END
                   AS s{{ i }}  -- a number gets here only as an integer (the type check refuses others)
{% else %}
             -- the value as its column holds it
             , {% if f.kind == 'integer' %}CASE WHEN n{{ i }} BETWEEN {{ limits[f.sql_type][0] }} AND {{ limits[f.sql_type][1] }} THEN n{{ i }} END
               {%- else %}pg_temp.sparkify_float(n{{ i }}){% endif %} AS x{{ i }}
{% endif %}
{% endfor %}
        FROM (
            -- numbers: the value, and for integer and text fields whether it was written as an integer
            SELECT *,
                   CASE jsonb_typeof(jb)
                       WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY' WHEN 'string' THEN 'VARCHAR'
                       WHEN 'boolean' THEN 'BOOLEAN' WHEN 'null' THEN 'NULL'
                       WHEN 'number' THEN pg_temp.sparkify_number_type(btrim(raw, E' \t\n\r'))
                   END AS top_type,
                   {% for f in fields %}v{{ loop.index }} IS NOT NULL{{ " AND " if not loop.last }}{% endfor %} AS all_present
{% for f in fields %}
{% set i = loop.index %}
                 , CASE WHEN jsonb_typeof(v{{ i }}) = 'number' THEN v{{ i }}::numeric END AS n{{ i }}
{% if f.kind != 'number' %}
                 , CASE WHEN jsonb_typeof(v{{ i }}) = 'number'
                        THEN CASE WHEN exponent THEN (raw::json -> {{ key(f) }})::text ~ '^-?[0-9]+$'
                                  ELSE scale(v{{ i }}::numeric) = 0 END
                   END AS int{{ i }}
{% endif %}
{% endfor %}
            FROM (
                SELECT *,
                       octet_length(raw) - octet_length(replace(raw, ':', '')) AS colons
{% for f in fields %}
                     , jb -> {{ key(f) }} AS v{{ loop.index }}
{% endfor %}
                FROM (
                    SELECT file_no, line_no, raw, pre_reason, pre_col, exponent,
                           CASE WHEN pre_reason IS NULL AND octet_length(raw) <= {{ max_line_bytes }}
                                THEN {% if careful %}pg_temp.sparkify_jsonb(raw){% else %}raw::jsonb{% endif %} END AS jb
                    FROM {{ lines }}
                    -- blank lines are skipped (trimming every line to see it would cost more)
                    WHERE pre_reason IS NOT NULL
                       OR CASE WHEN left(raw, 1) <> ' ' THEN raw <> '' ELSE btrim(raw, ' ') <> '' END
                    OFFSET 0
                ) parsed
                OFFSET 0
            ) valued
            OFFSET 0
        ) numbers
        OFFSET 0
    ) typed
    OFFSET 0
) checked;
