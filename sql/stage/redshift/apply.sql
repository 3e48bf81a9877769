{% import 'stage/redshift/_cells.sql' as cell with context %}
-- The batch replaces what its files staged before; the song catalog is replaced whole.
{% set in_batch = "source_file IN (SELECT source_file FROM " ~ schema ~ ".load_batch)" %}
DELETE FROM {{ schema }}.load_batch;

INSERT INTO {{ schema }}.load_batch (source_file)
SELECT source_file FROM {{ files }};

DELETE FROM {{ schema }}.rejects
WHERE {{ in_batch }}{% if fmt.replaced_whole %} OR LEFT(source_file, {{ unknown_file | length }}) = '{{ unknown_file }}'{% endif %};

INSERT INTO {{ schema }}.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM {{ rejects }};
{% if not rejects_only %}

DELETE FROM {{ schema }}.{{ table }}{% if not fmt.replaced_whole %} WHERE {{ in_batch }}{% endif %};

DELETE FROM {{ schema }}.staged_files WHERE kind = '{{ kind }}'{% if not fmt.replaced_whole %} AND {{ in_batch }}{% endif %};

INSERT INTO {{ schema }}.{{ table }} ({% for f in fields %}{{ f.column }}, {% endfor %}source_file, line_no)
SELECT
{% for f in fields %}
    {{ cell.value(f) }},
{% endfor %}
    source_file, line_no
FROM {{ copy }}
WHERE reason IS NULL;

-- One row per file. The catalog is one COPY, which does not say which file a row came from: its
-- files count their rejects only.
INSERT INTO {{ schema }}.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, '{{ kind }}', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       {{ "COALESCE(s.plays, 0)" if kind == 'event' else "NULL" }}, GETDATE()
FROM {{ files }} f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
{% if kind == 'event' %}
         , COUNT(DISTINCT CASE WHEN page = 'NextSong' THEN user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                 || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR) END) AS plays
{% endif %}
    FROM {{ schema }}.{{ table }}
    WHERE {{ in_batch }}
    GROUP BY source_file
) s ON s.source_file = f.source_file
LEFT JOIN (
    SELECT source_file, COUNT(*) AS rejected FROM {{ rejects }} GROUP BY source_file
) r ON r.source_file = f.source_file;
{% endif %}
