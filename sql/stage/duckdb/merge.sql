-- The exact validator's verdicts (check.sql, then Python's strict judge) replace the pending lines:
-- a staged line's fields typed as the staging table has them, a rejected one's reason and raw text.
DELETE FROM {{ checked }} WHERE pending;

INSERT INTO {{ checked }}
SELECT path, line_no,
{% for f in fields %}
       CASE WHEN reason IS NULL THEN {% if f.kind == 'string' %}vals[{{ loop.index }}] ->> '$'{% else %}CAST(vals[{{ loop.index }}] AS {{ f.sql_type }}){% endif %} END,
{% endfor %}
       reason, col, raw, false
FROM {{ exact }};

DROP TABLE {{ exact }};
