-- Every line of the batch's files as text, numbered from 1; `?` = the file paths.
-- A UTF-8 BOM and CR line ends are valid data in an unusual shape: strip them, keep the line.
{% if append %}INSERT INTO raw_lines
{% else %}CREATE OR REPLACE TEMP TABLE raw_lines AS
{% endif %}SELECT filename AS path,
       line_no,
       rtrim(CASE WHEN line_no = 1 THEN ltrim(raw, chr(65279)) ELSE raw END, chr(13)) AS raw,
       CAST(NULL AS VARCHAR) AS pre_reason
FROM (
    SELECT filename, unnest(lines) AS raw, generate_subscripts(lines, 1) AS line_no
    FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(?))
);
