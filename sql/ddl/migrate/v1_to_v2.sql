-- Version 1 (sparkify up to b873a22) -> 2: staged files learn when they were loaded; the run
-- ledger's tables are created by ddl/ledger.sql right after. A version-1 load took every staged
-- log file it had plays of, and the catalog whenever songs were loaded.
ALTER TABLE {{ schema }}.staged_files ADD COLUMN loaded_at TIMESTAMP;

UPDATE {{ schema }}.staged_files SET loaded_at = staged_at
WHERE (kind = 'event' AND source_file IN (SELECT source_file FROM {{ schema }}.songplay_sources))
   OR (kind = 'song' AND EXISTS (SELECT 1 FROM {{ schema }}.songs));
