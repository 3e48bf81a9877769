{#- Portable macros: standard SQL as PostgreSQL and Redshift speak it. A dialect's own file
    (macros/<dialect>.sql) overrides only the macros that differ; see sparkify_cli/sql.py. -#}
{% macro text(n) %}VARCHAR({{ n }}){% endmacro %}
{% macro float() %}DOUBLE PRECISION{% endmacro %}
{% macro bigint() %}BIGINT{% endmacro %}
{% macro epoch_ms_to_timestamp(col) %}(TIMESTAMP 'epoch' + ({{ col }} / 1000) * INTERVAL '1 second'){% endmacro %}
{#- kind: fact, dimension or staging; only warehouses that distribute rows use it. -#}
{% macro table_options(kind, key=none, sort=none) %}{% endmacro %}
{% macro create_schema(schema) %}CREATE SCHEMA IF NOT EXISTS {{ schema }}{% endmacro %}
{#- Bytes of a text value (differs from LENGTH only for non-ASCII text). -#}
{% macro byte_length(col) %}OCTET_LENGTH({{ col }}){% endmacro %}
