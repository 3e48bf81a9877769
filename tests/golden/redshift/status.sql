-- sparkify --dry-run: status (of the last run's source) on redshift (schema songs); nothing was changed.
-- Not connected: every table reads as empty.
-- Each statement runs in a read-only transaction of its own.
SELECT source_file, loaded_at FROM songs.staged_files WHERE kind = 'event' ORDER BY source_file;

SELECT max(finished_at) FROM songs.runs WHERE status = 'ok';

SELECT run_id FROM songs.runs WHERE status = 'running' ORDER BY started_at;

SELECT source FROM songs.runs WHERE source IS NOT NULL ORDER BY started_at DESC LIMIT 1;
