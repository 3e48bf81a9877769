{#- Rows whose `column` is outside a fixed list of values (NULL fails unless allow_null). -#}
{% from 'checks/_scope.sql' import during %}
SELECT {{ key }}, {{ column }}
FROM {{ schema }}."{{ table }}"
WHERE ({{ column }} NOT IN ({% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %})
{%- if not allow_null %} OR {{ column }} IS NULL{% endif %})
{% if day_col %}
  AND {{ during(day_col, day_start, day_end) }}
{% endif %}
