{#- The report's days: `start`/`end` are 'YYYY-MM-DD' literals made from parsed dates, or none for all. -#}
{% macro during(col) -%}
{% if start is not none %}{{ col }} >= TIMESTAMP '{{ start }} 00:00:00' AND {{ col }} < TIMESTAMP '{{ end }} 00:00:00'{% else %}1 = 1{% endif %}
{%- endmacro %}

{#- A session is a user's session: session ids are not unique across users. -#}
{% macro session_key(alias) -%}
{{ alias }}.user_id || '|' || CAST({{ alias }}.session_id AS {{ m.text(16) }})
{%- endmacro %}
