{#- How a play finds its catalog song; import it `with context` (it uses `m` and `schema`).
    exact (the default): title = song, artist_name = artist, duration = length.
    normalized (SPARKIFY_MATCH=normalized): the play's text is first repaired through the temp table
    match_repairs (double-encoded UTF-8; filled by services/matching.py, since neither dialect can
    re-decode text), then both sides are compared by key(): '_ ' read as ', ', case ignored; the
    duration may differ by up to `tolerance` seconds. An exact candidate still wins, then the
    closest duration, then the smallest song_id, so the normalized mode only ever adds matches. -#}

{% macro key(col) %}LOWER(REPLACE({{ col }}, '_ ', ', ')){% endmacro %}

{#- The play's text after repair (e = the play, rs/ra = its song/artist repairs). -#}
{% macro fixed_song() %}COALESCE(rs.fixed, e.song){% endmacro %}
{% macro fixed_artist() %}COALESCE(ra.fixed, e.artist){% endmacro %}

{#- LEFT JOINs that give each play `e` its candidate songs `c`. -#}
{% macro join(match, tolerance) %}
{% if match == 'normalized' %}
LEFT JOIN match_repairs rs ON rs.original = e.song
    LEFT JOIN match_repairs ra ON ra.original = e.artist
    LEFT JOIN (
        SELECT title, artist_name, duration, song_id, artist_id,
               {{ key('title') }} AS title_key, {{ key('artist_name') }} AS artist_key
        FROM {{ schema }}.staging_songs
    ) c
           ON c.title_key = {{ key(fixed_song()) }}
          AND c.artist_key = {{ key(fixed_artist()) }}
          AND ABS(c.duration - e.length) <= {{ '%.6f' | format(tolerance | float) }}
{%- else %}
LEFT JOIN (
    SELECT title, artist_name, duration, song_id, artist_id
    FROM (
        SELECT title, artist_name, duration, song_id, artist_id,
               ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS rn
        FROM {{ schema }}.staging_songs
    ) c
    WHERE rn = 1
)
 c
           ON c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length
{%- endif %}
{% endmacro %}

{#- Extra ORDER BY terms that pick one candidate per play (nothing to pick in exact mode). -#}
{% macro preference(match) %}
{% if match == 'normalized' %}
,
                        CASE WHEN c.title = e.song AND c.artist_name = e.artist AND c.duration = e.length
                             THEN 0 ELSE 1 END,
                        ABS(c.duration - e.length), c.song_id, c.artist_id
{%- endif %}
{% endmacro %}
