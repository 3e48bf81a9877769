-- The NextSong events of the batch's files become songplays. Reloading a file first removes what
-- it produced before; songplay_id is a hash of the event, so a repeated event is one play.
{% import 'load/_song_match.sql' as song_match with context %}
{% set match = match | default('exact') %}
DROP TABLE IF EXISTS batch_plays;

CREATE TEMP TABLE batch_plays AS
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent, source_file
FROM (
    SELECT e.songplay_id, {{ m.epoch_ms_to_timestamp('e.ts') }} AS start_time, e.user_id, e.level,
           c.song_id, c.artist_id, e.session_id, e.location, e.user_agent, e.source_file,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id ORDER BY e.source_file, e.line_no
                        {{- song_match.preference(match) }}) AS rn
    FROM (
        SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                      || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
        FROM {{ schema }}.staging_events
        WHERE page = 'NextSong'
          AND source_file IN (SELECT source_file FROM {{ schema }}.load_batch)
    ) e
    {{ song_match.join(match, tolerance | default(0)) }}
) x
WHERE rn = 1;

DELETE FROM {{ schema }}.songplays
WHERE songplay_id IN (
    SELECT songplay_id FROM {{ schema }}.songplay_sources
    WHERE source_file IN (SELECT source_file FROM {{ schema }}.load_batch)
);

DELETE FROM {{ schema }}.songplay_sources
WHERE source_file IN (SELECT source_file FROM {{ schema }}.load_batch);

-- An event that also sits in another, already loaded file keeps its first row.
DELETE FROM batch_plays
WHERE songplay_id IN (SELECT songplay_id FROM {{ schema }}.songplays);

INSERT INTO {{ schema }}.songplay_sources (songplay_id, source_file)
SELECT songplay_id, source_file FROM batch_plays;

INSERT INTO {{ schema }}.songplays
    (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM batch_plays;
