-- The batch's rejected lines replace what its files had in rejects (load_batch holds the files).
DELETE FROM {{ schema }}.rejects
WHERE source_file IN (SELECT source_file FROM {{ schema }}.load_batch);

INSERT INTO {{ schema }}.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT f.source_file, c.line_no, c.col, left(c.reason, 256), left(c.raw, 1000), LOCALTIMESTAMP
FROM {{ checked }} c
JOIN {{ files }} f ON f.file_no = c.file_no
WHERE c.reason IS NOT NULL;
