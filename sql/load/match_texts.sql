{#- The distinct non-ASCII song and artist texts of staged plays: the only texts a repair can change.
    batch_only: just the files of the current load batch. -#}
{% set batch_only = batch_only | default(true) %}
SELECT DISTINCT txt
FROM (
    SELECT song AS txt, source_file FROM {{ schema }}.staging_events WHERE page = 'NextSong'
    UNION ALL
    SELECT artist AS txt, source_file FROM {{ schema }}.staging_events WHERE page = 'NextSong'
) t
WHERE {{ m.byte_length('txt') }} <> LENGTH(txt)
{% if batch_only %}
  AND source_file IN (SELECT source_file FROM {{ schema }}.load_batch)
{% endif %}
ORDER BY txt
