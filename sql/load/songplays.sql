-- The NextSong events of the batch's files become plays. A file's load replaces exactly what that
-- file held before (songplay_sources), and every play it touched is derived again from the files
-- that still hold it: the row of the first one (by file name, then line), as a full load would.
-- songplay_id is a hash of the event, so an event repeated in several files is one play.
{% import 'load/_song_match.sql' as song_match with context %}
{% set match = match | default('exact') %}
{% set in_batch = "source_file IN (SELECT source_file FROM " ~ schema ~ ".load_batch)" %}
DROP TABLE IF EXISTS batch_plays;

CREATE TEMP TABLE batch_plays AS
SELECT songplay_id, source_file, line_no, song, artist, length, start_time, user_id, level, song_id, artist_id,
       session_id, location, user_agent
FROM (
    SELECT e.songplay_id, e.source_file, e.line_no, e.song, e.artist, e.length,
           {{ m.epoch_ms_to_timestamp('e.ts') }} AS start_time, e.user_id,
           e.level, c.song_id, c.artist_id, e.session_id, e.location, e.user_agent,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id, e.source_file ORDER BY e.line_no
                        {{- song_match.preference(match) }}) AS rn
    FROM (
        SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                      || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
        FROM {{ schema }}.staging_events
        WHERE page = 'NextSong'
          AND {{ in_batch }}
    ) e
    {{ song_match.join(match, tolerance | default(0)) }}
) x
WHERE rn = 1;

-- The plays the batch's files held before and hold now, and the times of those plays.
DROP TABLE IF EXISTS changed_plays;

CREATE TEMP TABLE changed_plays AS
SELECT songplay_id FROM {{ schema }}.songplay_sources WHERE {{ in_batch }}
UNION
SELECT songplay_id FROM batch_plays;

DROP TABLE IF EXISTS changed_times;

CREATE TEMP TABLE changed_times AS
SELECT start_time FROM {{ schema }}.songplays WHERE songplay_id IN (SELECT songplay_id FROM changed_plays)
UNION
SELECT start_time FROM batch_plays;

DELETE FROM {{ schema }}.songplay_sources
WHERE {{ in_batch }};

INSERT INTO {{ schema }}.songplay_sources
    (songplay_id, source_file, line_no, song, artist, length, start_time, user_id, level, song_id, artist_id,
     session_id, location, user_agent)
SELECT songplay_id, source_file, line_no, song, artist, length, start_time, user_id, level, song_id, artist_id,
       session_id, location, user_agent
FROM batch_plays;

DELETE FROM {{ schema }}.songplays
WHERE songplay_id IN (SELECT songplay_id FROM changed_plays);

INSERT INTO {{ schema }}.songplays
    (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM (
    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.songplay_id ORDER BY s.source_file, s.line_no) AS rn
    FROM {{ schema }}.songplay_sources s
    WHERE s.songplay_id IN (SELECT songplay_id FROM changed_plays)
) p
WHERE rn = 1;

DROP TABLE IF EXISTS batch_plays;

DROP TABLE IF EXISTS changed_plays;
