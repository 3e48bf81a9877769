-- The batch's lines once validated: typed fields where the line is staged, else the reason it is
-- rejected (with the column where its text stops being JSON, when known) and its raw text. While
-- `pending`, a line waits for the exact validator (check.sql), with what the careful reader said of
-- it (a reason, a column) in reason and col.
CREATE OR REPLACE TEMP TABLE {{ checked }} (
    path VARCHAR,
    line_no BIGINT,
{% for f in fields %}
    {{ f.column }} {{ 'VARCHAR' if f.kind == 'string' else f.sql_type }},
{% endfor %}
    reason VARCHAR,
    col INTEGER,
    raw VARCHAR,
    pending BOOLEAN
);
