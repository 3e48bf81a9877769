{#- The load errors of one COPY: those of this session newer than `since`, the newest query id this
    session had in the view before the COPY ran (pg_last_copy_id() is not updated by a COPY that
    fails, so it would name the previous COPY). STL on provisioned clusters; the SYS view where STL
    is not available (Redshift Serverless), which keeps no raw line. -#}
{% set stl = view == 'stl' %}
{% set file = "TRIM(filename)" if stl else "TRIM(file_name)" %}
{% if since is none %}
SELECT COALESCE(MAX({{ 'query' if stl else 'query_id' }}), 0)
FROM {{ 'stl_load_errors' if stl else 'sys_load_error_detail' }}
WHERE {{ 'session' if stl else 'session_id' }} = pg_backend_pid()
{% else %}
-- What the COPY skipped or failed on: file, line and reason.{% if lines %} The COPY read sparkify's
-- CSV of log lines, whose rows begin with the line number and the log file.{% endif %}

INSERT INTO {{ rejects }} (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT
{% if lines and stl %}
       COALESCE(NULLIF(SPLIT_PART(TRIM(raw_line), '"', 2), ''), {{ file }}),
       CAST(NULLIF(REGEXP_SUBSTR(TRIM(raw_line), '^[0-9]+'), '') AS INTEGER),
{% else %}
       CASE WHEN LEFT({{ file }}, {{ root | length }}) = '{{ root }}' THEN SUBSTRING({{ file }} FROM {{ (root | length) + 1 }})
            ELSE {{ file }} END,
       line_number,
{% endif %}
       NULL,
       LEFT('column ' || TRIM({{ 'colname' if stl else 'column_name' }}) || ': ' || TRIM({{ 'err_reason' if stl else 'error_message' }}), 256),
       {{ 'TRIM(raw_line)' if stl else 'NULL' }}, GETDATE()
FROM {{ 'stl_load_errors' if stl else 'sys_load_error_detail' }}
WHERE {{ 'session' if stl else 'session_id' }} = pg_backend_pid()
  AND {{ 'query' if stl else 'query_id' }} > {{ since | int }};
{% endif %}
