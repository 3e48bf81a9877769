{#- Primary-key values held by more than one row. -#}
{% from 'checks/_scope.sql' import during %}
SELECT {{ key }}, COUNT(*) AS copies
FROM {{ schema }}."{{ table }}"
WHERE {{ key }} IS NOT NULL
{% if day_col %}
  AND {{ during(day_col, day_start, day_end) }}
{% endif %}
GROUP BY {{ key }}
HAVING COUNT(*) > 1
