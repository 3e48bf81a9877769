-- The batch's staged lines into the staging table. `?` = the source root prefix to strip.
INSERT INTO {{ schema }}.{{ table }} ({% for f in fields %}{{ f.column }}, {% endfor %}source_file, line_no)
SELECT {% for f in fields %}{{ f.column }}, {% endfor %}substr(path, ?), line_no
FROM {{ checked }}
WHERE reason IS NULL;
