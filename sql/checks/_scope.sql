{#- Row-level checks scoped to one day: `day_start`/`day_end` are validated timestamp literals. -#}
{% macro during(col, day_start, day_end) -%}
{{ col }} >= TIMESTAMP '{{ day_start }}' AND {{ col }} < TIMESTAMP '{{ day_end }}'
{%- endmacro %}
