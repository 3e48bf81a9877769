-- Staging's helpers, for this session only (pg_temp): they read JSON values the way DuckDB staging
-- does, so both warehouses give a line the same verdict and stage the same values. The one-expression
-- SQL functions are not STRICT, so the planner inlines them (a call per value would cost 10x).

-- The line as jsonb, or NULL when it is not valid JSON. Only used when the batch holds an invalid
-- line: catching the error costs a subtransaction per line, so a clean batch is cast directly.
CREATE OR REPLACE FUNCTION pg_temp.sparkify_jsonb(line text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT
AS 'BEGIN RETURN line::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END';

-- A JSON number by its literal, in DuckDB's words: an integer literal is UBIGINT (>= 0) or BIGINT
-- (< 0) while it fits, anything else (a fraction, an exponent, a bigger integer) is DOUBLE.
CREATE OR REPLACE FUNCTION pg_temp.sparkify_number_type(literal text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
SELECT CASE
    WHEN literal !~ '^-?[0-9]+$' OR length(literal) > 21 THEN 'DOUBLE'
    WHEN left(literal, 1) = '-' THEN CASE WHEN literal::numeric >= -9223372036854775808 THEN 'BIGINT' ELSE 'DOUBLE' END
    WHEN literal::numeric <= 18446744073709551615 THEN 'UBIGINT'
    ELSE 'DOUBLE'
END
$$;

-- A JSON number as a double: past the largest double it is infinite, below the smallest it is 0
-- (as DuckDB reads it), where a plain cast would fail the whole statement.
CREATE OR REPLACE FUNCTION pg_temp.sparkify_float(n numeric) RETURNS double precision
LANGUAGE sql IMMUTABLE
AS $$
SELECT CASE
    WHEN abs(n) >= 1.7976931348623158079e308 THEN sign(n) * 'Infinity'::double precision
    WHEN abs(n) <= 2.4703282292062328e-324 THEN 0
    ELSE n::double precision
END
$$;

-- A number stored in a text field, written as DuckDB writes a double: the shortest digits that read
-- back as the same double, positional from 1e-6 up to 1e21 (integral values end in '.0'), otherwise
-- with an exponent ('1e21', '1.5e-7').
CREATE OR REPLACE FUNCTION pg_temp.sparkify_double_text(d double precision) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
SELECT CASE
    WHEN d = 'Infinity'::double precision THEN 'inf'
    WHEN d = '-Infinity'::double precision THEN '-inf'
    WHEN d = 0 THEN CASE WHEN d::text LIKE '-%' THEN '-0.0' ELSE '0.0' END
    ELSE sign || CASE
        WHEN point >= size AND point <= 21 THEN digits || repeat('0', point - size) || '.0'
        WHEN point > 0 AND point <= 21 THEN left(digits, point) || '.' || substr(digits, point + 1)
        WHEN point > -6 AND point <= 0 THEN '0.' || repeat('0', -point) || digits
        ELSE left(digits, 1) || CASE WHEN size > 1 THEN '.' || substr(digits, 2) ELSE '' END || 'e' || (point - 1)
    END
END
FROM (
    -- d = 0.<digits> x 10^point
    SELECT sign, digits, length(digits) AS size, whole_size + exponent - (length(all_digits) - length(ltrim(all_digits, '0'))) AS point
    FROM (
        SELECT m[1] AS sign, m[2] || coalesce(m[3], '') AS all_digits,
               rtrim(ltrim(m[2] || coalesce(m[3], ''), '0'), '0') AS digits,
               length(m[2]) AS whole_size, coalesce(m[4]::int, 0) AS exponent
        FROM (SELECT regexp_match(d::text, '^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([-+][0-9]+))?$') AS m) parts
    ) split
) number
$$;
