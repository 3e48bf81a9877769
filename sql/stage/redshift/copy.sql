-- {{ what }}: Redshift reads the objects from S3 itself, in parallel across slices.
COPY {{ copy }} ({% for f in fields %}{{ f.key | lower }}{{ ", " if not loop.last }}{% endfor %})
FROM '{{ uri }}'
IAM_ROLE '{{ iam_role }}'
FORMAT AS JSON '{{ json_format }}'
{% if gzip %}
GZIP
{% endif %}
REGION '{{ region }}'
MAXERROR {{ max_errors }}
COMPUPDATE OFF STATUPDATE OFF;

-- Where the rows came from (COPY has no file-name column): the file, or the prefix, bound as a parameter.
UPDATE {{ copy }} SET source_file = ? WHERE source_file IS NULL;
