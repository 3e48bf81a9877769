{#- Loaded log files whose songplays differ from the distinct NextSong events recorded when the file
    was staged. A file counts as loaded once songplay_sources names it; a file staged again since
    (a new version, not loaded yet) is left to songplays.staged_not_loaded. -#}
SELECT l.source_file, f.next_song_rows AS staged_plays, l.loaded_plays
FROM (
    SELECT ss.source_file, COUNT(sp.songplay_id) AS loaded_plays
    FROM {{ schema }}.songplay_sources ss
    LEFT JOIN {{ schema }}.songplays sp ON sp.songplay_id = ss.songplay_id
    GROUP BY ss.source_file
) l
LEFT JOIN {{ schema }}.staged_files f ON f.source_file = l.source_file AND f.kind = 'event'
WHERE (f.next_song_rows IS NULL OR f.next_song_rows <> l.loaded_plays)
  AND (f.loaded_at IS NOT NULL OR f.source_file IS NULL)
{% if source_file %}
  AND l.source_file = '{{ source_file }}'
{% endif %}
