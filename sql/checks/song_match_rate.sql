{#- The share of plays matched to a catalog song, failing below `min_rate`. Without min_rate: the rate. -#}
{% from 'checks/_scope.sql' import during %}
SELECT plays, matched, rate
FROM (
    SELECT COUNT(*) AS plays, COUNT(song_id) AS matched,
           CAST(COUNT(song_id) AS {{ m.float() }}) / NULLIF(COUNT(*), 0) AS rate
    FROM {{ schema }}.songplays
    {% if day_col %}
    WHERE {{ during(day_col, day_start, day_end) }}
    {% endif %}
) r
{% if min_rate is not none %}
WHERE rate < {{ min_rate }}
{% endif %}
