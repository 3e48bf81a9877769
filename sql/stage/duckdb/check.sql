-- The exact validator: each non-blank line of {{ source }} against the source format, a JSON object
-- with every field present and of the right type, within its limits. A failing line gets a reason
-- and is rejected, never repaired. fast.sql stages the lines it can prove clean; the others (and
-- every line of a file the careful reader read) come here. CASE guards the JSON functions, which
-- fail on invalid JSON (AND does not short-circuit).
CREATE OR REPLACE TEMP TABLE {{ exact }} AS
WITH lines AS (
    SELECT path, line_no, raw, pre_reason, pre_col,
           pre_reason IS NULL AND strlen(raw) <= {{ max_line_bytes }} AND json_valid(raw) AS valid
    FROM {{ source }}
    WHERE pre_reason IS NOT NULL OR trim(raw) <> ''
), typed AS (
    -- valid JSON that starts with '{' is an object: no second parse for the common case
    SELECT *, CASE WHEN valid THEN CASE WHEN left(ltrim(raw), 1) = '{' THEN 'OBJECT' ELSE json_type(raw) END END
              AS top_type
    FROM lines
), parsed AS (
    SELECT *,
           CASE WHEN top_type = 'OBJECT' THEN json_extract(raw, [
           {%- for f in fields %}'$."{{ f.key }}"'{{ "," if not loop.last }}{% endfor %}]) END AS vals,
           CASE WHEN top_type = 'OBJECT' THEN len(json_keys(raw)) END AS n_keys
    FROM typed
), kinds AS (
    SELECT *, list_transform(vals, lambda v: json_type(v)) AS types FROM parsed
)
SELECT path, line_no, vals, col, reason,
       -- DuckDB's reader also takes NaN/Infinity and trailing commas, which are not JSON. Where they
       -- could hide, the line is `suspect` and Python's strict json has the last word (staging.py).
       -- In a field they fail its rules (no field takes a non-finite DOUBLE, an array or an
       -- object), so a line that passes them, has exactly the fields as keys and ends in a value
       -- and '}' holds none.
       valid AND (reason IS NOT NULL OR n_keys <> {{ fields | length }} OR NOT ends_with(raw, '}')
                  OR ends_with(raw, ',}') OR ends_with(raw, ' }') OR ends_with(raw, chr(9) || '}')
                  OR ends_with(raw, chr(13) || '}')) AS suspect,
       CASE WHEN reason IS NULL AND NOT suspect THEN NULL ELSE raw END AS raw  -- for rejects and suspects
FROM (
SELECT path, line_no, raw, vals, valid, n_keys, pre_col AS col,
    CASE
        WHEN pre_reason IS NOT NULL THEN pre_reason
        WHEN strlen(raw) > {{ max_line_bytes }} THEN 'line is longer than {{ max_line_bytes }} bytes'
        WHEN NOT valid THEN 'invalid JSON'
        WHEN top_type <> 'OBJECT' THEN 'not a JSON object but ' || lower(top_type)
        -- exactly the expected number of keys, all found: no key can repeat; count only otherwise
        WHEN CASE WHEN n_keys = {{ fields | length }} THEN false
                  ELSE len(list_distinct(json_keys(raw))) <> n_keys END
            THEN 'duplicate keys in one object'
{% for f in fields %}
{% set v = "vals[" ~ loop.index ~ "]" %}
{% set t = "types[" ~ loop.index ~ "]" %}
        WHEN {{ v }} IS NULL THEN 'missing field {{ f.key }}'
{% if f.required %}
        WHEN {{ t }} = 'NULL' THEN 'field {{ f.key }} is null'
{% endif %}
        WHEN {{ t }} NOT IN ('NULL', {{ f.json_types }})
            THEN 'field {{ f.key }} is ' || lower({{ t }}) || ', expected {{ f.kind }}'
{% if f.kind == 'string' %}
        -- the JSON text is never shorter than the text it encodes: decode only when it might be too long
        WHEN CASE WHEN strlen({{ v }}) <= {{ f.width }} THEN false
                  ELSE strlen({{ v }} ->> '$') > {{ f.width }} END
            THEN 'field {{ f.key }} is longer than {{ f.width }} bytes'
{% if f.nonempty %}
        WHEN {{ v }} = '""' THEN 'field {{ f.key }} is empty'
{% endif %}
{% endif %}
{% if f.kind != 'string' %}
        -- the value must fit the column type (TRY_CAST is NULL otherwise), be finite (1e400 is
        -- not: BETWEEN finite limits excludes it), within min/max and above 0 where set
{% set x = "TRY_CAST(" ~ v ~ " AS " ~ f.sql_type ~ ")" %}
{% set fits = [] %}
{% if f.min is not none %}{% set fits = fits + [x ~ " BETWEEN " ~ f.min ~ " AND " ~ f.max] %}{% endif %}
{% if f.positive %}{% set fits = fits + [x ~ " > 0"] %}{% endif %}
{% if f.kind == 'number' and f.min is none %}{% set fits = fits + ["isfinite(" ~ x ~ ")"] %}{% endif %}
        WHEN {{ t }} <> 'NULL' AND NOT coalesce({{ (fits or [x ~ " IS NOT NULL"]) | join(" AND ") }}, false)
            THEN 'field {{ f.key }} is out of range'
{% endif %}
{% endfor %}
{% for rule in fmt.rules %}
        WHEN {% for key, value in rule.equals %}vals[{{ fmt.position(key) }}] ->> '$' = '{{ value }}'{{ " AND " if not loop.last }}{% endfor %}

            THEN '{{ rule.reason }}'
{% endfor %}
    END AS reason
FROM kinds
) checked;
