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
