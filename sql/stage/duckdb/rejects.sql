INSERT INTO {{ schema }}.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT substr(path, ?), line_no, col, reason, left(raw, 1000), now()::TIMESTAMP
FROM {{ checked }}
WHERE reason IS NOT NULL;
