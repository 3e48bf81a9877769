-- Validate each non-blank line against the source format: a JSON object with every field present
-- and of the right type. A failing line gets a reason and is rejected, never repaired.
CREATE OR REPLACE TEMP TABLE {{ checked }} AS
WITH lines AS (
    SELECT path, line_no, raw, pre_reason,
           pre_reason IS NULL AND strlen(raw) <= {{ max_line_bytes }} AND json_valid(raw) AS valid
    FROM raw_lines
    WHERE pre_reason IS NOT NULL OR trim(raw) <> ''
), typed AS (
    SELECT *, CASE WHEN valid THEN json_type(raw) END AS top_type FROM lines
), parsed AS (
    -- CASE guards each JSON function: AND does not short-circuit, and they fail on invalid JSON.
    SELECT *,
           CASE WHEN top_type = 'OBJECT' THEN json_extract(raw, [
           {%- for f in fields %}'$."{{ f.key }}"'{{ "," if not loop.last }}{% endfor %}]) END AS vals,
           CASE WHEN top_type = 'OBJECT'
                THEN len(json_keys(raw)) <> len(list_distinct(json_keys(raw))) END AS duplicate_keys
    FROM typed
)
SELECT path, line_no, raw, vals, CAST(NULL AS INTEGER) AS col,
    CASE
        WHEN pre_reason IS NOT NULL THEN pre_reason
        WHEN strlen(raw) > {{ max_line_bytes }} THEN 'line is longer than {{ max_line_bytes }} bytes'
        WHEN NOT valid THEN 'invalid JSON'
        WHEN top_type <> 'OBJECT' THEN 'not a JSON object but ' || lower(top_type)
        WHEN duplicate_keys THEN 'duplicate keys in one object'
{% for f in fields %}
        WHEN vals[{{ loop.index }}] IS NULL THEN 'missing field {{ f.key }}'
{% if f.required %}
        WHEN json_type(vals[{{ loop.index }}]) = 'NULL' THEN 'field {{ f.key }} is null'
{% endif %}
        WHEN json_type(vals[{{ loop.index }}]) NOT IN ('NULL', {{ f.json_types }})
            THEN 'field {{ f.key }} is ' || lower(json_type(vals[{{ loop.index }}])) || ', expected {{ f.kind }}'
{% if f.kind == 'string' %}
        WHEN strlen(vals[{{ loop.index }}] ->> '$') > {{ f.width }}
            THEN 'field {{ f.key }} is longer than {{ f.width }} bytes'
{% endif %}
{% if f.kind == 'integer' %}
        WHEN TRY_CAST(vals[{{ loop.index }}] AS {{ f.sql_type }}) IS NULL AND json_type(vals[{{ loop.index }}]) <> 'NULL'
            THEN 'field {{ f.key }} is out of range'
{% endif %}
{% if f.min is not none %}
        WHEN CAST(vals[{{ loop.index }}] AS {{ f.sql_type }}) NOT BETWEEN {{ f.min }} AND {{ f.max }}
            THEN 'field {{ f.key }} is out of range'
{% endif %}
{% endfor %}
{% for rule in extra_rules %}
        WHEN {{ rule.when }} THEN '{{ rule.reason }}'
{% endfor %}
    END AS reason
FROM parsed;
