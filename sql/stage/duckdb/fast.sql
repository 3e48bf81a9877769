{#- guard: with `careful`, a line the function fails on gets NULL (TRY) instead of failing the
    statement; the first attempt goes without (TRY costs a fifth more), the second only if it fails. -#}
{% macro guard(call) %}{{ "TRY(" ~ call ~ ")" if careful else call }}{% endmacro %}
{% macro text_ok(s) -%}
CASE WHEN {{ s }} >= '-' AND {{ s }} < ':'
         THEN NOT coalesce(TRY_CAST({{ s }} AS DOUBLE) IS NOT NULL
                           AND NOT coalesce(strlen({{ s }}) <= 18 AND CAST(TRY_CAST({{ s }} AS BIGINT) AS VARCHAR) = {{ s }}, false), false)
     WHEN starts_with({{ s }}, '[') OR starts_with({{ s }}, '{') THEN false
     WHEN strlen({{ s }}) <= 9
         THEN {{ s }} NOT IN ('true', 'false') AND lower({{ s }}) NOT IN ('nan', '-nan', 'inf', '-inf', 'infinity', '-infinity')
     ELSE true END
{%- endmacro %}
{% macro field_ok(f) -%}
{% set v = "f_" ~ f.column %}
{% set t = "t_" ~ f.column %}
{% set checks = [] %}
{% if f.kind == 'string' %}
{% set checks = checks + [ "strlen(" ~ v ~ ") <= " ~ f.width ] %}
{% if f.nonempty %}{% set checks = checks + [v ~ " <> ''"] %}{% endif %}
{% set checks = checks + [text_ok(v)] %}
{% elif f.kind == 'integer' %}
{# an integer's JSON text, as DuckDB writes it, has no '.' or exponent; a fraction would be rounded by the cast #}
{% set checks = checks + [v ~ " IS NOT NULL", "NOT contains(" ~ t ~ ", '.')", "NOT contains(" ~ t ~ ", 'e')", "NOT contains(" ~ t ~ ", 'E')"] %}
{% else %}
{# a number: JSON text starting like a number (not "..", true, NaN), finite; an integer of more than 18 digits may be one DuckDB keeps as raw text #}
{% set checks = checks + [t ~ " >= '-' AND " ~ t ~ " < ':'", "isfinite(" ~ v ~ ")",
                          "(strlen(" ~ t ~ ") <= 18 OR contains(" ~ t ~ ", '.') OR contains(" ~ t ~ ", 'e') OR contains(" ~ t ~ ", 'E'))"] %}
{% endif %}
{% if f.kind != 'string' and f.min is not none %}{% set checks = checks + [v ~ " BETWEEN " ~ f.min ~ " AND " ~ f.max] %}{% endif %}
{% if f.kind != 'string' and f.positive %}{% set checks = checks + [v ~ " > 0"] %}{% endif %}
CASE WHEN {{ "t_" ~ f.column if f.kind != 'string' else v }} IS NULL THEN {{ 'false' if f.required else 'true' }}
     ELSE coalesce({{ checks | join("\n          AND ") }}, false) END
{%- endmacro %}
-- The fast path: one parse of each line (json_transform_strict) into its fields, plus json_keys to
-- count them, and cheap checks on the result. A line that passes every check is one the exact
-- validator (check.sql) stages with the same values, so it is staged as it is; every other line is
-- left `pending` for check.sql, which gives the exact verdict and reason. The checks prove:
-- - valid JSON, an object, every field present, no key twice: json_transform_strict fails
--   otherwise (and TRY, when the statement is run again `careful`, makes that NULL for the line alone),
-- - RFC 8259 JSON, not only what DuckDB's lenient reader takes: exactly the fields as keys (no other
--   value can hide a NaN or a trailing comma), each a scalar of its kind (below), and the line ends
--   in '}' right after a value (no trailing comma before it),
-- - the JSON type of each field: numeric fields are read as JSON text, so a string, a boolean or a
--   fraction in an integer field shows; text fields are read as text, and a value DuckDB may have
--   made from a number, a boolean, an array or an object (1.5 -> '1.5', true -> 'true', NaN, [..])
--   is left to check.sql, which looks at the JSON itself: only integers of at most 18 digits, whose
--   text is the same either way, pass here,
-- - the limits of formats.py, on the typed values, exactly as check.sql words them.
INSERT INTO {{ checked }}
SELECT path, line_no,
{% for f in fields %}
       CASE WHEN clean THEN f_{{ f.column }} END,
{% endfor %}
       pre_reason, pre_col, CASE WHEN clean THEN NULL ELSE raw END, NOT clean
FROM (
    SELECT *,
           coalesce({{ "" if fast else "false AND " }}v IS NOT NULL AND n_keys = {{ fields | length }}
                    AND ends_with(raw, '}')
                    AND NOT (ends_with(raw, ',}') OR ends_with(raw, ' }') OR ends_with(raw, chr(9) || '}')
                             OR ends_with(raw, chr(13) || '}'))
{% for f in fields %}
                    AND {{ field_ok(f) }}
{% endfor %}
{% for rule in fmt.rules %}
                    AND NOT coalesce({% for key, value in rule.equals %}f_{{ fmt.field(key).column }} = '{{ value }}'{{ " AND " if not loop.last }}{% endfor %}, false)
{% endfor %}
                    , false) AS clean
    FROM (
        SELECT path, line_no, raw, pre_reason, pre_col, v, n_keys,
{% for f in fields %}
{% if f.kind == 'string' %}
               v."{{ f.key }}" AS f_{{ f.column }}{{ "," if not loop.last }}
{% else %}
               CAST(v."{{ f.key }}" AS VARCHAR) AS t_{{ f.column }},
               TRY_CAST(CAST(v."{{ f.key }}" AS VARCHAR) AS {{ f.sql_type }}) AS f_{{ f.column }}{{ "," if not loop.last }}
{% endif %}
{% endfor %}
        FROM (
            SELECT path, line_no, raw, pre_reason, pre_col,
                   CASE WHEN readable THEN {{ guard("json_transform_strict(raw, '" ~ structure ~ "')") }} END AS v,
                   CASE WHEN readable THEN len({{ guard("json_keys(raw)") }}) END AS n_keys
            FROM (
                SELECT *, pre_reason IS NULL AND strlen(raw) <= {{ max_line_bytes }} AS readable
                FROM (
{% if files %}
                    -- the files as DuckDB reads them (`?` = their names), numbered from 1; a UTF-8
                    -- BOM and CR line ends are valid data in an unusual shape: stripped, the line kept
                    SELECT {{ "coalesce(a.path, l.filename)" if aliases else "l.filename" }} AS path, line_no,
                           -- trimming copies the text: only where there is something to trim
                           CASE WHEN line_no = 1 OR ends_with(raw, chr(13))
                                THEN rtrim(ltrim(raw, chr(65279)), chr(13)) ELSE raw END AS raw,
                           CAST(NULL AS VARCHAR) AS pre_reason, CAST(NULL AS INTEGER) AS pre_col
                    FROM (
                        SELECT filename, unnest(lines) AS raw, generate_subscripts(lines, 1) AS line_no
                        FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(?))
                    ) l
{% if aliases %}
                    LEFT JOIN aliases a ON a.name = l.filename  -- lines read through a link are the file's
{% endif %}
{% else %}
                    SELECT path, line_no, raw, pre_reason, pre_col FROM raw_lines
{% endif %}
                ) r
                -- blank lines are neither staged nor rejected
                WHERE pre_reason IS NOT NULL OR starts_with(raw, '{') OR trim(raw) <> ''
            ) l
        ) p
    ) f
) c;
