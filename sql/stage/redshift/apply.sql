-- The batch replaces what its files staged before; the song catalog is replaced whole.
{% set in_batch = "source_file IN (SELECT source_file FROM " ~ schema ~ ".load_batch)" %}
DELETE FROM {{ schema }}.load_batch;

INSERT INTO {{ schema }}.load_batch (source_file)
SELECT source_file FROM {{ files }};

DELETE FROM {{ schema }}.rejects
WHERE {{ in_batch }}{% if kind == 'song' %} OR LEFT(source_file, 10) = 'song_data/'{% endif %};

INSERT INTO {{ schema }}.rejects (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM {{ rejects }};
{% if not rejects_only %}

DELETE FROM {{ schema }}.{{ table }}{% if kind == 'event' %} WHERE {{ in_batch }}{% endif %};

DELETE FROM {{ schema }}.staged_files WHERE kind = '{{ kind }}'{% if kind == 'event' %} AND {{ in_batch }}{% endif %};

INSERT INTO {{ schema }}.{{ table }} ({% for f in fields %}{{ f.column }}, {% endfor %}source_file, line_no)
SELECT {% for f in fields %}{{ f.key | lower }}, {% endfor %}source_file, NULL
FROM {{ copy }}
WHERE reject_reason IS NULL;

-- One row per file. A log file's rows are counted; the catalog is one COPY, so per-file song
-- counts are not known (0) and only its rejects are counted per file.
INSERT INTO {{ schema }}.staged_files
    (source_file, kind, size_bytes, modified, rows_staged, rows_rejected, next_song_rows, staged_at)
SELECT f.source_file, '{{ kind }}', f.size_bytes, f.modified, COALESCE(s.staged, 0), COALESCE(r.rejected, 0),
       {{ "COALESCE(s.plays, 0)" if kind == 'event' else "NULL" }}, GETDATE()
FROM {{ files }} f
LEFT JOIN (
    SELECT source_file, COUNT(*) AS staged
{% if kind == 'event' %}
         , COUNT(DISTINCT CASE WHEN page = 'NextSong' THEN userid || '|' || CAST(sessionid AS VARCHAR) || '|'
                 || CAST(iteminsession AS VARCHAR) || '|' || CAST(ts AS VARCHAR) END) AS plays
{% endif %}
    FROM {{ copy }}
    WHERE reject_reason IS NULL
    GROUP BY source_file
) s ON s.source_file = f.source_file
LEFT JOIN (
    SELECT source_file, COUNT(*) AS rejected FROM {{ rejects }} GROUP BY source_file
) r ON r.source_file = f.source_file;
{% endif %}
