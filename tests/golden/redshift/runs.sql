-- sparkify --dry-run: runs --limit 5 on redshift (schema songs); nothing was changed.
-- Not connected: every table reads as empty.
-- Each statement runs in a read-only transaction of its own.
SELECT run_id, command, days, started_at, finished_at, status, error, counts, source FROM songs.runs ORDER BY started_at DESC LIMIT 5;
