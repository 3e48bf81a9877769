-- COPY loads a missing key as NULL: a required field that is missing or null rejects its row, as
-- do the rules DuckDB staging applies too. Rejected rows are kept aside, never turned into NULLs.
UPDATE {{ copy }} SET reject_reason = CASE
{% for f in fields if f.required %}
    WHEN {{ f.key | lower }} IS NULL THEN 'field {{ f.key }} is missing or null'
{% endfor %}
{% for f in fields if f.min is not none %}
    WHEN {{ f.key | lower }} NOT BETWEEN {{ f.min }} AND {{ f.max }} THEN 'field {{ f.key }} is out of range'
{% endfor %}
{% for rule in fmt.rules %}
    WHEN {% for key, value in rule.equals %}{{ key | lower }} = '{{ value }}'{{ " AND " if not loop.last }}{% endfor %} THEN '{{ rule.reason }}'
{% endfor %}
END;

INSERT INTO {{ rejects }} (source_file, line_no, col, reason, raw_line, rejected_at)
SELECT source_file, NULL, NULL, reject_reason, NULL, GETDATE()
FROM {{ copy }}
WHERE reject_reason IS NOT NULL;
