-- 30_ltv: the scalar lifetime value ltv(margin, retention [, discount
-- [, periods]]) and expected_tenure(retention).
--
-- LTV = sum over t = 1..T of m * r^(t-1) / (1+d)^t   (docs/domain.md section 3)
--     = m / (1 + d - r) for T infinite
-- Expected values come from hand computation (in comments) and from the
-- brute-force sum over periods in plain numeric SQL (generate_series).

-- hand-computed closed forms, numeric margin (numeric result)
--   120 / (1 - 0.8)       = 120 / 0.2 = 600
--   120 / (1 + 0.1 - 0.8) = 120 / 0.3 = 400
--   100 / (1 - 0.5)       = 200;  -50 / (1 - 0.5) = -100
--   100/1.1 + 80/1.21 + 64/1.331 = 90.9090909090909... + 66.1157024793388...
--     + 48.0841472577009... = 205.108940646130..73 -> 205.108940646131 (15 digits)
--   120/1.1 + 96/1.21 = 109.0909090909... + 79.3388429752... = 188.429752066116
--   r = 0: only the first period counts, 100 / 1.1 = 90.9090909090909
SELECT ltv(120.0, 0.8) AS a, ltv(120.0, 0.8, 0.1) AS b, ltv(100.0, 0.5) AS c,
       ltv(-50.0, 0.5) AS d, ltv(0.0, 0.5) AS e,
       ltv(100.0, 0.8, 0.1, 3) AS f, ltv(120.0, 0.8, 0.1, 2) AS g,
       ltv(100.0, 0, 0.1) AS h, ltv(100.0, 0, 0.1, 7) AS i;

-- periods = 0 is the empty sum; periods = 1 is m / (1+d)
SELECT ltv(100.0, 0.8, 0.1, 0) AS zero, ltv(100.0, 1, 0, 0) AS zero_at_r1,
       ltv(100.0, 0.8, 0.1, 1) AS one;

-- double precision margin gives double precision: 600, 400, 100 / 1 = 100, 0
SELECT ltv(120::float8, 0.8) AS a, ltv(120::float8, 0.8, 0.1) AS b,
       ltv(100::float8, 0.5, 0, 1) AS c, ltv(0::float8, 0.3, 0.2, 5) AS d;

-- overload resolution: the result type follows the margin; an integer
-- margin resolves to double precision, as round(5) does
SELECT pg_typeof(ltv(100, 0.8)) AS int_literal,
       pg_typeof(ltv(100.0, 0.8, 0.1)) AS numeric_literal,
       pg_typeof(ltv(100::float8, 0.8)) AS float8,
       pg_typeof(ltv(100.0, 0.8, 0.1, 12)) AS numeric_horizon,
       pg_typeof(ltv(100, 0.8, 0.1, 12)) AS int_horizon,
       pg_typeof(round(5)) AS round_int;
SELECT ltv(100, 0.8) AS int_literal, ltv(100.0, 0.8::numeric, 0.1::numeric) AS numeric_rates,
       ltv(100::bigint, 0.8) AS bigint_margin, ltv(100::numeric(10,2), 0.8) AS typmod_margin;

-- named arguments (120 / 0.3 = 400; two periods 188.429752066116 as above)
SELECT ltv(margin => 120, retention => 0.8, discount => 0.1) AS named_int,
       ltv(margin => 120.0, retention => 0.8, discount => 0.1) AS named_numeric,
       ltv(retention => 0.8, margin => 120.0) AS named_reordered,
       ltv(margin => 120.0, retention => 0.8, discount => 0.1, periods => 2) AS named_horizon,
       ltv(120.0, 0.8, periods => 2, discount => 0.1) AS mixed;

-- STRICT: NULL in, NULL out
SELECT ltv(NULL::numeric, 0.8) IS NULL AS a, ltv(100.0, NULL) IS NULL AS b,
       ltv(100.0, 0.8, NULL) IS NULL AS c, ltv(100.0, 0.8, 0, NULL) IS NULL AS d,
       ltv(NULL::float8, 0.8, 0, 3) IS NULL AS e, expected_tenure(NULL) IS NULL AS f;

-- special margins propagate: NaN stays NaN, an infinite margin is infinite
SELECT ltv('NaN'::numeric, 0.8) AS nan, ltv('Infinity'::numeric, 0.8, 0.1, 3) AS inf,
       ltv('-Infinity'::float8, 0.5) AS ninf, ltv('NaN'::float8, 0.5, 0, 0) AS nan_empty;

-- numeric results are the double result rounded to 15 significant digits,
-- exactly what PostgreSQL's float8::numeric cast (%.15g) gives: checked on
-- 100,000 values from 1e-22 to 2e22, both signs (ltv(x, 0) is x / 1)
SELECT count(*) AS values,
       count(*) FILTER (WHERE ltv(x::numeric, 0) <> x::numeric) AS differ,
       count(*) FILTER (WHERE ltv(x::numeric, 0)::text <> ltv(x::numeric, 0)::text::numeric::text) AS bad_text
FROM (SELECT (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END)
             * (hashint8(i)::float8 / 2147483648.0 + 1.0000001)
             * power(10::float8, (i % 45) - 22) AS x
      FROM generate_series(1, 100000) AS i) s;
-- trailing zeros are dropped; 16 and more digits are rounded to 15
SELECT ltv(v, 0) AS rounded
FROM unnest(ARRAY[600, 0.005, 10000, 0.1, 1e-19, 0.00012345, 123456789012345,
                  1234567890123456, 99999999999999.99, 9.99999999999999e19,
                  12345678901234567890.12, 1e40, -2.5e-25]::numeric[]) WITH ORDINALITY AS u(v, n)
ORDER BY n;

-- Brute force: the sum over periods in plain numeric SQL.  Rates enter as
-- their decimal value (float8::numeric keeps 15 digits, so 0.999999 is
-- 0.999999).  An infinite horizon (periods NULL) is summed over n terms,
-- enough for q^n to be below 1e-40.  The numeric result of ltv() must have
-- 15 correct significant digits: |ltv - brute| <= 6e-15 |brute| (half a
-- unit of the 15th digit, plus the double computation's few 1e-16).
CREATE TEMP TABLE ltv_case (id int, m numeric, r float8, d float8, periods int, n int);
INSERT INTO ltv_case VALUES
    (1, 120, 0.8, 0, NULL, 500),
    (2, 120, 0.8, 0.1, NULL, 400),
    (3, 100, 0.8, 0.1, 3, 3),
    (4, 100, 0.95, 0.01, 36, 36),
    (5, 100, 0.95, 0.01, NULL, 1700),
    (6, 37.25, 0.7, 0.0125, 12, 12),
    (7, 37.25, 0.7, 0.0125, NULL, 300),
    (8, 1234.56, 0.99, 0, 120, 120),
    (9, 1234.56, 0.99, 0.05, NULL, 2000),
    -- the hard points: 1 + d - r tiny, or exactly 0 (q = 1)
    (10, 100, 0.999999, 0, 1000, 1000),
    (11, 100, 0.999999, 0, 20000, 20000),
    (12, 100, 0.9999999999, 0, 10, 10),
    (13, 100, 1, 0, 12, 12),
    (14, 100, 0.9, -0.1, 12, 12),
    (15, 100, 0.99, -0.01, 24, 24),
    (16, 100, 0.9999, -0.0000999, 5000, 5000),
    (17, 100, 0.95, -0.0499999, 60, 60),
    -- q > 1 (retention above 1 + discount) with a finite horizon
    (18, 100, 0.98, -0.05, 24, 24),
    (19, 0.01, 0.5, 0.5, 40, 40),
    (20, 250000, 0.3, 2.5, NULL, 200);

SELECT id, periods, ltv, round(brute, 12) AS brute,
       abs(ltv - brute) <= 6e-15 * abs(brute) AS ok_numeric,
       abs(ltv_double - brute::float8) <= 1e-15 * abs(brute::float8) AS ok_double
FROM (
    SELECT c.id, c.periods, b.brute,
           CASE WHEN c.periods IS NULL THEN ltv(c.m, c.r, c.d)
                ELSE ltv(c.m, c.r, c.d, c.periods) END AS ltv,
           CASE WHEN c.periods IS NULL THEN ltv(c.m::float8, c.r, c.d)
                ELSE ltv(c.m::float8, c.r, c.d, c.periods) END AS ltv_double
    FROM ltv_case c
    CROSS JOIN LATERAL (
        SELECT sum((c.m * power(c.r::numeric, i - 1))::numeric(80, 40) / power(1 + c.d::numeric, i)) AS brute
        FROM generate_series(1, c.n) AS i
    ) b
) s
ORDER BY id;

-- the hard points by hand:
--   100 / (1 - 0.999999) = 100 / 0.000001 = 100000000 (naive double: 99999999.9971)
--   r = 1 + d exactly, every term is m / (1+d): 100 * 12 = 1200;
--   100 * 12 / 0.9 = 1333.33333333333; 100 * 24 / 0.99 = 2424.24242424242
--   100 / (1 + 0.0001 - 0.9999999999) = 100 / 0.0001000001 = 999999.000000999999... -> 999999.000001
SELECT ltv(100.0, 0.999999) AS a, ltv(100::float8, 0.999999) AS a_double,
       ltv(100.0, 1, 0, 12) AS b, ltv(100.0, 0.9, -0.1, 12) AS c,
       ltv(100.0, 0.99, -0.01, 24) AS d, ltv(100.0, 0.9999999999, 0.0001) AS e,
       100 / (1 - 0.999999::float8) AS naive_double;

-- expected_tenure = 1 / (1 - r): 1 / 0.2 = 5, 1 / 0.05 = 20, 1 / 0.000001 = 1000000,
-- 1 / 1 = 1; margin x expected tenure is the undiscounted ltv
SELECT expected_tenure(0.8) AS a, expected_tenure(0.95) AS b,
       expected_tenure(0.999999) AS c, expected_tenure(0) AS d,
       pg_typeof(expected_tenure(0.8)) AS type,
       ltv(35.0, 0.95) = 35 * expected_tenure(0.95)::numeric AS margin_times_tenure;

-- errors: bad parameters (22023)
\set VERBOSITY default
SELECT ltv(100.0, -0.1);
SELECT ltv(100.0, 1.5);
SELECT ltv(100.0, 'NaN');
SELECT ltv(100::float8, 1.0000001, 0.1, 3);
SELECT ltv(100.0, 0.8, -1);
SELECT ltv(100.0, 0.8, -2.5, 3);
SELECT ltv(100.0, 0.8, 'NaN');
SELECT ltv(100.0, 0.8, 'Infinity');
SELECT ltv(100.0, 0.8, 0.1, -1);
SELECT expected_tenure(-0.5);
SELECT expected_tenure('NaN');
-- infinite results (22003): retention 1 and no discount, or retention above 1 + discount
SELECT ltv(100.0, 1);
SELECT ltv(100::float8, 1, 0);
SELECT ltv(100.0, 0.9, -0.2);
SELECT expected_tenure(1);
-- a finite horizon whose sum overflows (22003)
SELECT ltv(100.0, 0.99, -0.5, 100000);
SELECT ltv(1e308::float8, 0.5);
-- numeric margins outside the range of double precision: ltv is linear
-- in the margin (computed on its mantissa, shifted by its power of ten), so
-- 1e400 gives 2e400 and -1e-1000 gives -2e-1000; 3e-320 over two periods
-- gives 3e-320 * (1 + 0.5) = 4.5e-320, all exactly
SELECT ltv(1e400, 0.5) = 2e400 AS huge_margin, ltv(-1e-1000, 0.5) = -2e-1000 AS tiny_margin,
       ltv(3e-320, 0.5, 0, 2) = 4.5e-320 AS subnormal_margin;
-- past 1e1000, where numeric input itself stops (22003)
SELECT ltv(10::numeric ^ 1001, 0.5);
-- a double precision margin whose value underflows is an error, as float8
-- multiplication's is (22003)
SELECT ltv(1e-320::float8, 0.5, 1e300);
-- the SQLSTATEs
\set VERBOSITY sqlstate
SELECT ltv(100.0, 1.5);
SELECT ltv(100.0, 0.8, -1);
SELECT ltv(100.0, 0.8, 0.1, -1);
SELECT ltv(100.0, 1);
SELECT expected_tenure(1);
SELECT ltv(100.0, 0.99, -0.5, 100000);
\set VERBOSITY default

-- IMMUTABLE, STRICT, PARALLEL SAFE
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p
WHERE p.proname IN ('ltv', 'expected_tenure')
ORDER BY p.oid::regprocedure::text COLLATE "C";
