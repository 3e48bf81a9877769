-- What the last COPY skipped or failed on: file, line, column and reason. STL on provisioned
-- clusters; the SYS views where STL is not available (Redshift Serverless).
INSERT INTO {{ rejects }} (source_file, line_no, col, reason, raw_line, rejected_at)
{% if view == 'stl' %}
SELECT SUBSTRING(TRIM(filename), {{ strip }}), line_number, NULL,
       LEFT('column ' || TRIM(colname) || ': ' || TRIM(err_reason), 256), TRIM(raw_line), GETDATE()
FROM stl_load_errors
WHERE query = pg_last_copy_id();
{% else %}
SELECT SUBSTRING(TRIM(file_name), {{ strip }}), line_number, NULL,
       LEFT('column ' || TRIM(column_name) || ': ' || TRIM(error_message), 256), NULL, GETDATE()
FROM sys_load_error_detail
WHERE query_id = (SELECT MAX(query_id) FROM sys_load_history WHERE session_id = pg_backend_pid());
{% endif %}
