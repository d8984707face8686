-- 10_client_profit: client_profit(revenue, cost), values checked by hand or
-- against PostgreSQL's own sum() in the same query.

-- scale is kept, as sum(numeric) keeps it: 1.10 + 2.205 = 3.305
SELECT client_profit(r, c) FROM (VALUES (1.10, 0), (2.205, 0)) v(r, c);
-- a NULL argument counts as 0 in its row: 10.50 - 2.25 = 8.25
SELECT client_profit(r, c) FROM (VALUES (10.50, NULL), (NULL, 2.25)) v(r, c);
-- a row with both NULL is skipped; a group of only such rows gives NULL
SELECT client_profit(r, c) IS NULL AS all_null
FROM (VALUES (NULL::numeric, NULL::numeric), (NULL, NULL)) v(r, c);
SELECT client_profit(r, c) IS NULL AS no_rows
FROM (VALUES (1.0, 1.0)) v(r, c) WHERE false;
-- one row; reversals (negative amounts) are legal: 5 - (-2.5) = 7.5
SELECT client_profit(5, -2.5);
-- loss
SELECT client_profit(r, c) FROM (VALUES (100, 30), (0, 95.5)) v(r, c);

-- integer input gives numeric, with no overflow: 3 x (2^63 - 1) = 27670116110564327421
SELECT client_profit(x, 0::bigint), pg_typeof(client_profit(x, 0::bigint))
FROM (VALUES (9223372036854775807), (9223372036854775807), (9223372036854775807)) v(x);
SELECT client_profit(x, y), pg_typeof(client_profit(x, y))
FROM (VALUES (2147483647, -2147483648), (2147483647, -2147483648)) v(x, y); -- 2 x (2^31 - 1 + 2^31) = 8589934590
SELECT client_profit(x, y), pg_typeof(client_profit(x, y))
FROM (VALUES (32767::smallint, (-32768)::smallint), (32767::smallint, (-32768)::smallint)) v(x, y);
-- mixed numeric and integer arguments resolve to numeric
SELECT pg_typeof(client_profit(1.5, 2)), pg_typeof(client_profit(1, 2::bigint));

-- double precision: compensated summation recovers the 1 that a naive sum
-- loses (1e16 + 1 rounds back to 1e16)
SELECT client_profit(x, 0::float8) AS compensated, sum(x) AS naive_sum,
       pg_typeof(client_profit(x, 0::float8))
FROM (VALUES (1e16::float8), (1), (-1e16)) v(x);
SELECT client_profit(r, c) FROM (VALUES (0.5::float8, 0.25::float8), (NULL, 0.125)) v(r, c);
-- double precision overflow is an error, as in sum(float8)
SELECT client_profit(x, 0::float8) FROM (VALUES (1.5e308::float8), (1.5e308)) v(x);

-- NaN and infinities behave as sum(revenue) - sum(cost) does on numeric
WITH cases(name, r, c) AS (VALUES
    ('nan',          'NaN'::numeric, 0::numeric),
    ('inf',          'Infinity', 1),
    ('inf',          '5', 1),
    ('inf - inf',    'Infinity', 'Infinity'),
    ('-inf',         '-Infinity', 0),
    ('-inf cost',    '1', 'Infinity'),
    ('nan and inf',  'NaN', 'Infinity'),
    ('nan and inf',  '1', '2'))
SELECT name, client_profit(r, c), sum(r) - sum(c) AS plain,
       client_profit(r, c) IS NOT DISTINCT FROM sum(r) - sum(c) AS same
FROM cases GROUP BY name ORDER BY name;
-- and on double precision as sum(float8) does
WITH cases(name, r, c) AS (VALUES
    ('nan', 'NaN'::float8, 0::float8), ('inf', 'Infinity', 1),
    ('inf - inf', 'Infinity', 'Infinity'), ('-inf', 1, 'Infinity'))
SELECT name, client_profit(r, c), sum(r) - sum(c) AS plain,
       client_profit(r, c) IS NOT DISTINCT FROM sum(r) - sum(c) AS same
FROM cases GROUP BY name ORDER BY name;

-- 40 and more significant digits are kept exactly (the slow path), mixed
-- with ordinary amounts (the int128 fast path)
SELECT client_profit(x, 0), client_profit(x, 0) = sum(x) AS equals_sum
FROM (VALUES (123456789012345678901234567890123456789012345.678),
             (0.000000000000000000000000000000000000000001),
             (1.5), (-2)) v(x);
-- sums that overflow the int128 fast path: 30 x 9.9e37 = 2.97e39 exactly
SELECT client_profit(x, 0) = 2970000000000000000000000000000000000000 AS exact,
       client_profit(x, 0) = sum(x) AS equals_sum
FROM (SELECT 99000000000000000000000000000000000000::numeric AS x
      FROM generate_series(1, 30)) s;
-- and back: a large positive and a large negative cancel exactly
SELECT client_profit(x, y)
FROM (VALUES (99999999999999999999999999999999999999.99, 0.01),
             (-99999999999999999999999999999999999999.99, 0)) v(x, y);
-- display scales past what int128 holds: scale 45 then scale 2
SELECT client_profit(x, 0) FROM (VALUES (1.000000000000000000000000000000000000000000001), (2.25)) v(x);
-- many rows, many scales: equal to sum() (PostgreSQL's own, exact)
SELECT client_profit(x, y) = sum(x) - sum(y) AS equals_plain,
       scale(client_profit(x, y)) = scale(sum(x) - sum(y)) AS same_scale
FROM (SELECT (i * 7919 % 100003) / power(10, i % 7)::numeric AS x,
             (i * 104729 % 99991) / power(10, i % 5)::numeric AS y
      FROM generate_series(1, 20000) i) s;

-- moving windows through NaN, infinities and the slow path: every frame as
-- sum() OVER the same frame gives it (text compared, so scales too)
SELECT i, x, client_profit(x, 0) OVER w AS cprof,
       (client_profit(x, 0) OVER w)::text IS NOT DISTINCT FROM (sum(x) OVER w)::text AS same_as_sum
FROM (VALUES (1, 1.5), (2, 'NaN'), (3, 1e50), (4, 'Infinity'), (5, -1e50), (6, 2.25),
             (7, 3), (8, 99999999999999999999999999999999999999.99), (9, 1), (10, -5)) v(i, x)
WINDOW w AS (ORDER BY i ROWS 2 PRECEDING)
ORDER BY i;
