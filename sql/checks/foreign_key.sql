{#- Rows whose non-NULL `column` has no row in `ref_table` (referential integrity). -#}
{% from 'checks/_scope.sql' import during %}
SELECT c.{{ key }}, c.{{ column }}
FROM {{ schema }}."{{ table }}" c
WHERE c.{{ column }} IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM {{ schema }}."{{ ref_table }}" p WHERE p.{{ ref_column }} = c.{{ column }}
  )
{% if day_col %}
  AND {{ during('c.' ~ day_col, day_start, day_end) }}
{% endif %}
