-- Version 2 -> 3: RAW is a reserved word on Redshift (so it is quoted here, and renamed); the
-- helper tables now keep what each loaded file holds (every play and each user's latest event per
-- file), so a reload or a removed file leaves exactly what the remaining files hold. ddl/star.sql
-- creates the new helper tables right after, and schema.py derives the star tables again from
-- staging.
ALTER TABLE {{ schema }}.rejects RENAME COLUMN "raw" TO raw_line;

DROP TABLE IF EXISTS {{ schema }}.user_latest;

DROP TABLE IF EXISTS {{ schema }}.songplay_sources;
