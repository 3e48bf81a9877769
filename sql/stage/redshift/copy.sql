-- {{ what }}. COPY reads exactly the objects its manifest names
-- (FROM a prefix would also load every object whose key starts with it).
COPY {{ target }} ({{ columns | join(", ") }})
FROM '{{ manifest }}'
IAM_ROLE '{{ iam_role }}'
MANIFEST
{% if jsonpaths %}
FORMAT AS JSON '{{ jsonpaths }}'
{% if gzip %}
GZIP
{% endif %}
{% else %}
FORMAT AS CSV
EMPTYASNULL
GZIP
{% endif %}
REGION '{{ region }}'
MAXERROR {{ max_errors }}
COMPUPDATE OFF STATUPDATE OFF;
