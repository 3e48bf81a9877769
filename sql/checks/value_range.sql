{#- Rows whose integer `column` is NULL or outside [low, high]. -#}
{% from 'checks/_scope.sql' import during %}
SELECT {{ key }}, {{ column }}
FROM {{ schema }}."{{ table }}"
WHERE ({{ column }} IS NULL OR {{ column }} < {{ low }} OR {{ column }} > {{ high }})
{% if day_col %}
  AND {{ during(day_col, day_start, day_end) }}
{% endif %}
