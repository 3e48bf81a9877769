{#- DuckDB's overrides of macros/default.sql. -#}
{#- DuckDB ignores VARCHAR lengths: leave them out rather than pretend they hold. -#}
{% macro text(n) %}VARCHAR{% endmacro %}
{% macro float() %}DOUBLE{% endmacro %}
{% macro epoch_ms_to_timestamp(col) %}make_timestamp(({{ col }} // 1000) * 1000000){% endmacro %}
{% macro byte_length(col) %}strlen({{ col }}){% endmacro %}
