{% import 'stage/redshift/_cells.sql' as cell with context %}
-- The records COPY read as JSON, as cells (see prepare.sql; a text is kept to one character past its
-- field's width, enough to reject it). COPY loads a missing key and a null value alike, so both are
-- null here; nor does it say which file a loaded row came from, so the catalog's rows have none.
INSERT INTO {{ copy }} (line_no, source_file, col, reason, raw_line, {% for f in fields %}{{ cell.type(f) }}, {{ cell.raw(f) }}{{ ", " if not loop.last }}{% endfor %})
SELECT NULL, NULL, NULL, NULL, NULL,
{% for f in fields %}
       CASE JSON_TYPEOF({{ f.column }})
           WHEN 'string' THEN 'VARCHAR'
           WHEN 'number' THEN CASE WHEN IS_BIGINT({{ f.column }}) THEN 'BIGINT' ELSE 'DOUBLE' END
           WHEN 'boolean' THEN 'BOOLEAN' WHEN 'object' THEN 'OBJECT' WHEN 'array' THEN 'ARRAY'
           ELSE 'NULL' END,
       CASE JSON_TYPEOF({{ f.column }})
           WHEN 'string' THEN LEFT(CAST({{ f.column }} AS VARCHAR(65535)), {{ cell_chars[f.column] }})
           WHEN 'number' THEN LEFT(JSON_SERIALIZE({{ f.column }}), {{ cell_chars[f.column] }}) END{{ "," if not loop.last }}
{% endfor %}
FROM {{ json }};
