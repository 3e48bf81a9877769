"""The names of sparkify's tables (sql/ddl/ defines them)."""

from __future__ import annotations

STAGING_TABLES = ("staging_events", "staging_songs", "rejects", "load_batch", "staged_files")
STAR_TABLES = ("songplays", "users", "songs", "artists", "time")
HELPER_TABLES = ("user_file_latest", "songplay_sources", "runs", "run_files", "sparkify_schema")
ALL_TABLES = STAGING_TABLES + STAR_TABLES + HELPER_TABLES
RETIRED_TABLES = ("user_latest",)  # tables of earlier versions, dropped by their migration
