-- sparkify --dry-run: status (the source is not listed) on redshift (schema songs); nothing was changed.
-- Not connected: every table reads as empty.
-- Each statement runs in a read-only transaction of its own.
SELECT source_file, loaded_at FROM songs.staged_files WHERE kind = 'event' ORDER BY source_file;

SELECT max(finished_at) FROM songs.runs WHERE status = 'ok';

SELECT run_id FROM songs.runs WHERE status = 'running' ORDER BY started_at;
