{#- The newest play is older than `oldest_allowed` (or there is none). Without a cutoff: the newest play. -#}
SELECT latest_start_time
FROM (SELECT MAX(start_time) AS latest_start_time FROM {{ schema }}.songplays) f
{% if oldest_allowed %}
WHERE latest_start_time IS NULL OR latest_start_time < TIMESTAMP '{{ oldest_allowed }}'
{% endif %}
