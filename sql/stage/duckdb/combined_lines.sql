-- The lines of many small files that Python concatenated into a few parts (`?` = the parts), each
-- put back with its own file and line number: file_starts(path, part, start) says where each begins.
-- The lines are materialised first: an ASOF join straight over unnest() is orders of magnitude slower.
CREATE OR REPLACE TEMP TABLE combined_lines AS
SELECT filename AS part, unnest(lines) AS raw, CAST(generate_subscripts(lines, 1) AS BIGINT) AS n
FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(?));

CREATE OR REPLACE TEMP TABLE raw_lines AS
SELECT s.path,
       c.n - s.start + 1 AS line_no,
       CASE WHEN ends_with(c.raw, chr(13)) THEN rtrim(c.raw, chr(13)) ELSE c.raw END AS raw,
       CAST(NULL AS VARCHAR) AS pre_reason,
       CAST(NULL AS INTEGER) AS pre_col
FROM combined_lines c
ASOF JOIN file_starts s ON c.part = s.part AND c.n >= s.start;

DROP TABLE combined_lines;
