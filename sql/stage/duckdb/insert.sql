-- Typed rows into staging, failing lines into rejects. `?` = the source root prefix to strip.
INSERT INTO {{ schema }}.{{ table }} ({% for f in fields %}{{ f.column }}, {% endfor %}source_file, line_no)
SELECT
{% for f in fields %}
    {% if f.kind == 'string' %}vals[{{ loop.index }}] ->> '$'{% else %}CAST(vals[{{ loop.index }}] AS {{ f.sql_type }}){% endif %},
{% endfor %}
    substr(path, ?), line_no
FROM {{ checked }}
WHERE reason IS NULL;
