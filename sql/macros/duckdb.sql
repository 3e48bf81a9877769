{#- Dialect macros for DuckDB. redshift.sql defines the same names. -#}
{% macro text(n) %}VARCHAR{% endmacro %}
{% macro float() %}DOUBLE{% endmacro %}
{% macro bigint() %}BIGINT{% endmacro %}
{% macro epoch_ms_to_timestamp(col) %}make_timestamp(({{ col }} // 1000) * 1000000){% endmacro %}
{% macro table_options(kind, key=none, sort=none) %}{% endmacro %}
{% macro create_schema(schema) %}CREATE SCHEMA IF NOT EXISTS {{ schema }}{% endmacro %}
{#- Bytes of a text value (differs from LENGTH only for non-ASCII text). -#}
{% macro byte_length(col) %}strlen({{ col }}){% endmacro %}
