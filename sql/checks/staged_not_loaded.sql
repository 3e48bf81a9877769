{#- Staged log files with NextSong events of which no songplay was loaded. -#}
SELECT f.source_file, f.next_song_rows AS staged_plays
FROM {{ schema }}.staged_files f
WHERE f.kind = 'event'
  AND f.next_song_rows > 0
  AND NOT EXISTS (SELECT 1 FROM {{ schema }}.songplay_sources ss WHERE ss.source_file = f.source_file)
{% if source_file %}
  AND f.source_file = '{{ source_file }}'
{% endif %}
