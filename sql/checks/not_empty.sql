{#- The table (or its rows of the checked day) is empty: one failing row naming it. -#}
{% from 'checks/_scope.sql' import during %}
SELECT '{{ table }}' AS empty_table
FROM (
    SELECT COUNT(*) AS n
    FROM {{ schema }}."{{ table }}"
    {% if day_col %}
    WHERE {{ during(day_col, day_start, day_end) }}
    {% endif %}
) c
WHERE c.n = 0
