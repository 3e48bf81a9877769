{% import 'report/_scope.sql' as scope with context %}
{% import 'load/_song_match.sql' as song_match with context %}
-- Unmatched plays that the normalized rule would match, with their candidate: exactly what
-- SPARKIFY_MATCH=normalized adds. The play's text comes from staging (songplays keeps no text);
-- the key is songplay_id, computed as in load/songplays.sql. Needs the temp table match_repairs.
SELECT songplay_id, start_time, user_id, song, artist, length, song_fixed, artist_fixed,
       song_id, artist_id, title, artist_name, duration
FROM (
    SELECT e.songplay_id, p.start_time, p.user_id, e.song, e.artist, e.length,
           {{ song_match.fixed_song() }} AS song_fixed, {{ song_match.fixed_artist() }} AS artist_fixed,
           c.song_id, c.artist_id, c.title, c.artist_name, c.duration,
           ROW_NUMBER() OVER (PARTITION BY e.songplay_id ORDER BY e.source_file, e.line_no
                        {{- song_match.preference('normalized') }}) AS rn
    FROM (
        SELECT *, MD5(user_id || '|' || CAST(session_id AS VARCHAR) || '|'
                      || CAST(item_in_session AS VARCHAR) || '|' || CAST(ts AS VARCHAR)) AS songplay_id
        FROM {{ schema }}.staging_events
        WHERE page = 'NextSong'
    ) e
    JOIN {{ schema }}.songplays p ON p.songplay_id = e.songplay_id
    {{ song_match.join('normalized', tolerance) }}
    WHERE p.song_id IS NULL AND {{ scope.during('p.start_time') }}
) x
WHERE rn = 1 AND song_id IS NOT NULL
ORDER BY start_time, songplay_id
