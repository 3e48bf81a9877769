{#- Amazon Redshift's overrides of macros/default.sql. -#}
{#- kind: fact (distributed on key, sorted), dimension (copied to every node), staging (spread evenly) -#}
{% macro table_options(kind, key=none, sort=none) -%}
{%- if kind == 'fact' %} DISTSTYLE KEY DISTKEY ({{ key }}) SORTKEY ({{ sort }})
{%- elif kind == 'dimension' %} DISTSTYLE ALL{% if sort %} SORTKEY ({{ sort }}){% endif %}
{%- else %} DISTSTYLE EVEN{% endif -%}
{%- endmacro %}
