-- The NextSong events of the batch's files become plays. A file's load replaces exactly what that
-- file held before (songplay_sources), and every play it touched is derived again from the files
-- that still hold it: the row of the first one (by file name, then line), as a full load would.
-- songplay_id is a hash of the event, so an event repeated in several files is one play.
{% import 'load/_song_match.sql' as song_match with context %}
{% set match = match | default('exact') %}
{% set in_batch = "source_file IN (SELECT source_file FROM " ~ schema ~ ".load_batch)" %}
{% set event_key = "user_id, session_id, item_in_session, ts" %}
{% set songplay_id = "MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|' || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR))" %}
DROP TABLE IF EXISTS batch_plays;

{% if match == 'normalized' %}
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
        SELECT *, {{ songplay_id }} AS songplay_id
        FROM {{ schema }}.staging_events
        WHERE page = 'NextSong'
          AND {{ in_batch }}
    ) e
    {{ song_match.join(match, tolerance | default(0)) }}
) x
WHERE rn = 1;
{% else %}
-- An event repeated within a file is one play, from its first line. Repeats are rare: they are
-- found first, so the plays need no window over every row (a play finds at most one song here).
DROP TABLE IF EXISTS repeated_events;

CREATE TEMP TABLE repeated_events AS
SELECT {{ event_key }}, source_file, MIN(line_no) AS line_no
FROM {{ schema }}.staging_events
WHERE page = 'NextSong'
  AND {{ in_batch }}
GROUP BY {{ event_key }}, source_file
HAVING COUNT(*) > 1;

CREATE TEMP TABLE batch_plays AS
SELECT e.songplay_id, e.source_file, e.line_no, e.song, e.artist, e.length,
       {{ m.epoch_ms_to_timestamp('e.ts') }} AS start_time, e.user_id,
       e.level, c.song_id, c.artist_id, e.session_id, e.location, e.user_agent
FROM (
    SELECT *, {{ songplay_id }} AS songplay_id
    FROM {{ schema }}.staging_events s
    WHERE page = 'NextSong'
      AND {{ in_batch }}
      AND NOT EXISTS (
          SELECT 1 FROM repeated_events r
          WHERE r.user_id = s.user_id AND r.session_id = s.session_id AND r.item_in_session = s.item_in_session
            AND r.ts = s.ts AND r.source_file = s.source_file AND r.line_no <> s.line_no
      )
) e
{{ song_match.join(match, tolerance | default(0)) }};

DROP TABLE IF EXISTS repeated_events;
{% endif %}

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

-- Each changed play from the first file (by name) that holds it, now: the batch's own plays and the
-- other files' rows of those plays. Only a play held by several files needs choosing (rare).
DROP TABLE IF EXISTS play_rows;

CREATE TEMP TABLE play_rows AS
SELECT songplay_id, source_file, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM batch_plays
UNION ALL
SELECT songplay_id, source_file, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM {{ schema }}.songplay_sources
WHERE NOT ({{ in_batch }})
  AND songplay_id IN (SELECT songplay_id FROM changed_plays);

DROP TABLE IF EXISTS first_files;

CREATE TEMP TABLE first_files AS
SELECT songplay_id, MIN(source_file) AS source_file
FROM play_rows
GROUP BY songplay_id
HAVING COUNT(*) > 1;

INSERT INTO {{ schema }}.songplays
    (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM play_rows p
WHERE NOT EXISTS (
    SELECT 1 FROM first_files f WHERE f.songplay_id = p.songplay_id AND f.source_file <> p.source_file
);

DROP TABLE IF EXISTS play_rows;

DROP TABLE IF EXISTS first_files;

DROP TABLE IF EXISTS batch_plays;

DROP TABLE IF EXISTS changed_plays;
