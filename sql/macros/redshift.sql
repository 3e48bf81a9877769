{#- Dialect macros for Amazon Redshift. duckdb.sql defines the same names. -#}
{% macro text(n) %}VARCHAR({{ n }}){% endmacro %}
{% macro float() %}DOUBLE PRECISION{% endmacro %}
{% macro bigint() %}BIGINT{% endmacro %}
{% macro epoch_ms_to_timestamp(col) %}(TIMESTAMP 'epoch' + ({{ col }} / 1000) * INTERVAL '1 second'){% endmacro %}
{#- kind: fact (distributed on key, sorted), dimension (copied to every node), staging (spread evenly) -#}
{% macro table_options(kind, key=none, sort=none) -%}
{%- if kind == 'fact' %} DISTSTYLE KEY DISTKEY ({{ key }}) SORTKEY ({{ sort }})
{%- elif kind == 'dimension' %} DISTSTYLE ALL{% if sort %} SORTKEY ({{ sort }}){% endif %}
{%- else %} DISTSTYLE EVEN{% endif -%}
{%- endmacro %}
{% macro create_schema(schema) %}CREATE SCHEMA IF NOT EXISTS {{ schema }}{% endmacro %}
{#- Bytes of a text value (differs from LENGTH only for non-ASCII text). -#}
{% macro byte_length(col) %}OCTET_LENGTH({{ col }}){% endmacro %}
