{#- A field's cell in a copy table: `<column>_t`, its JSON type as DuckDB's json_type names it
    (VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN, NULL, OBJECT, ARRAY; NULL when the key is missing),
    and `<column>_v`, its text (strings decoded, numbers as written). -#}
{% macro type(f) %}{{ f.column }}_t{% endmacro %}
{% macro raw(f) %}{{ f.column }}_v{% endmacro %}

{#- Numbers as numbers: the cell's text, for a JSON number only (a cast never sees other text). -#}
{% macro number(f) %}CASE WHEN {{ type(f) }} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN {{ raw(f) }} END{% endmacro %}
{% macro integer(f) %}CASE WHEN {{ type(f) }} IN ('BIGINT', 'UBIGINT') THEN {{ raw(f) }} END{% endmacro %}

{#- The text a string field stages: a string as it is (COPY may load an empty one as NULL), a
    number as its text -- as DuckDB's `->> '$'` does. -#}
{% macro text(f) %}CASE WHEN {{ type(f) }} = 'VARCHAR' THEN COALESCE({{ raw(f) }}, '') ELSE {{ number(f) }} END{% endmacro %}

{#- The staged value of a field, in its staging column's type. -#}
{% macro value(f) -%}
{% if f.kind == 'string' %}{{ text(f) }}
{%- elif f.kind == 'integer' %}CAST({{ integer(f) }} AS {{ f.sql_type }})
{%- else %}CAST({{ number(f) }} AS {{ m.float() }}){% endif -%}
{%- endmacro %}

{#- The range of an integer staging column. -#}
{% macro lowest(f) %}{{ '-2147483648' if f.sql_type == 'INTEGER' else '-9223372036854775808' }}{% endmacro %}
{% macro highest(f) %}{{ '2147483647' if f.sql_type == 'INTEGER' else '9223372036854775807' }}{% endmacro %}
