{#- Rows whose primary key is NULL. -#}
{% from 'checks/_scope.sql' import during %}
SELECT *
FROM {{ schema }}."{{ table }}"
WHERE {{ key }} IS NULL
{% if day_col %}
  AND {{ during(day_col, day_start, day_end) }}
{% endif %}
