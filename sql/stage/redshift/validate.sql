{% import 'stage/redshift/_cells.sql' as cell with context %}
-- The rules of the source format (sources/formats.py), as DuckDB staging applies them
-- (sql/stage/duckdb/check.sql): every field present, of its JSON type, within its width and range,
-- and the format's rules. A failing row keeps its reason and is rejected, never repaired.
UPDATE {{ copy }} SET reason = CASE
{% for f in fields %}
    WHEN {{ cell.type(f) }} IS NULL THEN 'missing field {{ f.key }}'
{% if f.required %}
    WHEN {{ cell.type(f) }} = 'NULL' THEN 'field {{ f.key }} is null'
{% endif %}
    WHEN {{ cell.type(f) }} NOT IN ('NULL', {{ f.json_types }})
        THEN 'field {{ f.key }} is ' || LOWER({{ cell.type(f) }}) || ', expected {{ f.kind }}'
{% if f.kind == 'string' %}
    WHEN {{ m.byte_length(cell.text(f)) }} > {{ f.width }} THEN 'field {{ f.key }} is longer than {{ f.width }} bytes'
{% if f.nonempty %}
    WHEN {{ cell.text(f) }} = '' THEN 'field {{ f.key }} is empty'
{% endif %}
{% else %}
    -- a number no column holds (1e400) comes without its text (lines.py)
    WHEN {{ cell.type(f) }} <> 'NULL' AND {{ cell.raw(f) }} IS NULL THEN 'field {{ f.key }} is out of range'
{% endif %}
{% if f.kind == 'integer' %}
    WHEN CAST({{ cell.integer(f) }} AS DECIMAL(38, 0)) NOT BETWEEN {{ cell.lowest(f) }} AND {{ cell.highest(f) }}
        THEN 'field {{ f.key }} is out of range'
{% endif %}
{% if f.min is not none %}
    WHEN CAST({{ cell.number(f) }} AS {{ 'DECIMAL(38, 0)' if f.kind == 'integer' else m.float() }}) NOT BETWEEN {{ f.min }} AND {{ f.max }}
        THEN 'field {{ f.key }} is out of range'
{% endif %}
{% if f.positive %}
    WHEN CAST({{ cell.number(f) }} AS {{ m.float() }}) <= 0 THEN 'field {{ f.key }} is out of range'
{% endif %}
{% endfor %}
{% for rule in fmt.rules %}
    WHEN {% for key, value in rule.equals %}{{ cell.text(fmt.field(key)) }} = '{{ value | replace("'", "''") }}'{{ " AND " if not loop.last }}{% endfor %}

        THEN '{{ rule.reason | replace("'", "''") }}'
{% endfor %}
END
WHERE reason IS NULL;

INSERT INTO {{ rejects }} (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT COALESCE(source_file, '{{ unknown_file }}'), line_no, NULLIF(col, 0), reason, raw_line, GETDATE()
FROM {{ copy }}
WHERE reason IS NOT NULL;
