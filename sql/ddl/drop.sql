{% for table in tables %}
DROP TABLE IF EXISTS {{ schema }}."{{ table }}";
{% endfor %}
