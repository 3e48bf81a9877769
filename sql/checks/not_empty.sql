{#- The table (or its rows of the checked day) is empty: one failing row naming it. The name is a
    typed value: Redshift cannot sort an untyped literal, and `check` sorts the failing rows. -#}
{% from 'checks/_scope.sql' import during %}
SELECT CAST('{{ table }}' AS {{ m.text(64) }}) AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM {{ schema }}."{{ table }}"
    {% if day_col %}
    WHERE {{ during(day_col, day_start, day_end) }}
    {% endif %}
) c
WHERE c.n = 0
