-- sparkify --dry-run: rejects --limit 5 on redshift (schema songs); nothing was changed.
-- Not connected: every table reads as empty.
-- Each statement runs in a read-only transaction of its own.
SELECT source_file, line_no, col, reason, raw_line, rejected_at FROM songs.rejects ORDER BY rejected_at DESC, source_file, line_no LIMIT 5;
