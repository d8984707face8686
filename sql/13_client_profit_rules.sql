-- 13_client_profit_rules: NULL amounts in moving windows, the roll-up's
-- entries rules, the margin rule and the errors for numbers double
-- precision cannot hold.  Expected values come from PostgreSQL's own sum()
-- and count() over the same rows, or are worked out in the comments.

-- Amounts with NULLs: with a frame of two rows, frames that consist only of
-- NULLs (rows 1, 4, 8), start with one (rows 2, 5), end with one (rows 3, 7)
-- and have none (row 6).
CREATE TABLE cp_nulls (i int, a numeric, c numeric);
INSERT INTO cp_nulls VALUES (1, NULL, NULL), (2, 1.5, 0.5), (3, NULL, NULL), (4, NULL, NULL),
    (5, 2.25, 1), (6, 3, NULL), (7, NULL, NULL), (8, NULL, NULL);

-- every frame of the numeric ledger form as sum() OVER the same frame gives it
SELECT i, a, (client_profit(a, 'revenue') OVER w).revenue AS cprof,
       sum(a) OVER w AS plain,
       (client_profit(a, 'revenue') OVER w).entries AS entries, count(a) OVER w AS counted
FROM cp_nulls WINDOW w AS (ORDER BY i ROWS 1 PRECEDING) ORDER BY i;

-- every form, two frame shapes (trailing, and leading with the current row
-- first), against sum() and count(): the number of frames that differ
CREATE TABLE cp_frames AS
SELECT i,
       -- client_profit(revenue, cost): a row counts unless both are NULL
       client_profit(a, c) OVER w1 AS n1, sum(a) OVER w1 - coalesce(sum(c) OVER w1, 0) AS n1_plain,
       client_profit(a::int * 4, c::int * 4) OVER w1 AS i1,
       (sum(a::int * 4) OVER w1 - coalesce(sum(c::int * 4) OVER w1, 0))::numeric AS i1_plain,
       client_profit((a * 4)::smallint, NULL::smallint) OVER w2 AS s2,
       (sum((a * 4)::smallint) OVER w2)::numeric AS s2_plain,
       client_profit((a * 4)::bigint, (c * 4)::bigint) OVER w2 AS b2,
       (sum((a * 4)::bigint) OVER w2 - coalesce(sum((c * 4)::bigint) OVER w2, 0))::numeric AS b2_plain,
       client_profit(a::float8, c::float8) OVER w1 AS f1,
       sum(a::float8) OVER w1 - coalesce(sum(c::float8) OVER w1, 0) AS f1_plain,
       -- the ledger, in every amount type
       client_profit(a, 'cogs') OVER w2 AS l2,
       client_profit((a * 4)::int, 'revenue') OVER w1 AS li1,
       client_profit((a * 4)::smallint, 'revenue') OVER w2 AS ls2,
       client_profit((a * 4)::bigint, 'revenue') OVER w1 AS lb1,
       client_profit(a::float8, 'revenue') OVER w2 AS lf2,
       sum(a) OVER w1 AS sum1, sum(a) OVER w2 AS sum2,
       count(a) OVER w1 AS count1, count(a) OVER w2 AS count2
FROM cp_nulls
WINDOW w1 AS (ORDER BY i ROWS 1 PRECEDING),
       w2 AS (ORDER BY i ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING);
SELECT count(*) AS frames,
       count(*) FILTER (WHERE n1::text IS DISTINCT FROM n1_plain::text) AS numeric_differs,
       count(*) FILTER (WHERE i1::text IS DISTINCT FROM i1_plain::text) AS integer_differs,
       count(*) FILTER (WHERE s2::text IS DISTINCT FROM s2_plain::text) AS smallint_differs,
       count(*) FILTER (WHERE b2::text IS DISTINCT FROM b2_plain::text) AS bigint_differs,
       count(*) FILTER (WHERE f1 IS DISTINCT FROM f1_plain) AS float8_differs,
       count(*) FILTER (WHERE (l2).cogs IS DISTINCT FROM sum2
                        OR (l2).entries IS DISTINCT FROM nullif(count2, 0)
                        OR (l2).net_profit IS DISTINCT FROM -sum2) AS ledger_differs,
       count(*) FILTER (WHERE (li1).revenue IS DISTINCT FROM sum1 * 4 OR (ls2).revenue IS DISTINCT FROM sum2 * 4
                        OR (lb1).revenue IS DISTINCT FROM sum1 * 4 OR (lf2).revenue IS DISTINCT FROM sum2
                        OR (li1).entries IS DISTINCT FROM nullif(count1, 0)
                        OR (lf2).entries IS DISTINCT FROM nullif(count2, 0)) AS ledger_types_differ,
       count(*) FILTER (WHERE n1 IS NULL) AS null_frames
FROM cp_frames;

-- the roll-up: monthly profit values, NULL for the months without entries
CREATE TABLE cp_months AS
SELECT m, client_profit(a, 'revenue') AS p, sum(a) AS plain, count(a) AS counted
FROM (SELECT i AS m, a FROM cp_nulls) s GROUP BY m;
SELECT m, (client_profit(p) OVER w).revenue AS cprof, sum(plain) OVER w AS plain,
       (client_profit(p) OVER w).entries AS entries, sum(counted) OVER w AS counted
FROM cp_months WINDOW w AS (ORDER BY m ROWS 1 PRECEDING) ORDER BY m;
-- a frame of NULL profit values only, and one of NULL amounts only
SELECT client_profit(p) OVER () IS NULL AS only_null_profits
FROM (VALUES (NULL::profit), (NULL)) v(p) LIMIT 1;
SELECT client_profit(NULL::numeric, NULL::numeric) OVER () IS NULL AS only_null_amounts
FROM generate_series(1, 2) LIMIT 1;

-- Roll-up rules.  A profit value is one row whatever its entries: its money
-- is added and its entries (NULL counting as 0) too; the result is NULL only
-- when no profit value was aggregated.
-- alone, with entries 0: revenue 100, entries 0 (not NULL)
SELECT (client_profit(p)).revenue, (client_profit(p)).entries
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 0, 100, 1, 0)::profit)) v(p);
-- alone, with entries NULL: the same
SELECT (client_profit(p)).revenue, (client_profit(p)).entries
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 0, 100, 1, NULL)::profit)) v(p);
-- with another row: 100 + 1 = 101, entries 0 + 1 = 1
SELECT (client_profit(p)).revenue, (client_profit(p)).entries
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 0, 100, 1, 0)::profit),
             (ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1)::profit)) v(p);
-- lines only, derived fields NULL: they are recomputed; NULL lines count as 0
-- (revenue 80 - cogs 30 - acquisition 10 = net 40, margin 0.5)
SELECT (client_profit(p)).*
FROM (VALUES (ROW(80, NULL, 30, NULL, NULL, NULL, 10, NULL, NULL, NULL, NULL, NULL, 2)::profit)) v(p);
-- derived fields given equal to the lines' values (scales may differ) are accepted
SELECT (client_profit(p)).net_profit
FROM (VALUES (ROW(80.00, 0, 30, 50, 0, 50, 10, 0, 40.0, 5, 45, 0.5, 2)::profit)) v(p);
-- NaN and infinities: the derived fields compare as numeric does (NaN = NaN)
SELECT (client_profit(p)).net_profit
FROM (VALUES (ROW('Infinity', 0, 0, 'Infinity', 0, 'Infinity', 0, 0, 'Infinity', 0, 'Infinity', NULL, 1)::profit),
             (ROW('NaN', 0, 0, 'NaN', 0, 'NaN', 0, 0, 'NaN', 0, 'NaN', NULL, 1)::profit)) v(p);

-- entries summing past bigint: 22003, also through the combine function
\set VERBOSITY default
SELECT (client_profit(p)).entries
FROM (VALUES (ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 9223372036854775807)::profit),
             (ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1)::profit)) v(p);
-- negative entries, and derived fields that disagree with the lines: 22023
SELECT client_profit(p)
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 0, 100, 1, -1)::profit)) v(p);
SELECT client_profit(p)
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 90, 0, 90, 0.9, 1)::profit)) v(p);
SELECT client_profit(p)
FROM (VALUES (ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 50, NULL, NULL, NULL, 1)::profit)) v(p);
\set VERBOSITY terse
SELECT client_profit(p)
FROM (VALUES (ROW(100, 10, 0, 100, 0, 90, 0, 0, 90, 0, 90, 0.9, 1)::profit)) v(p);
SELECT client_profit(p)
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 7, 100, 1, 1)::profit)) v(p);
\set VERBOSITY sqlstate
SELECT client_profit(p)
FROM (VALUES (ROW(100, 0, 0, 100, 0, 100, 0, 0, 100, 0, 100, 1, -1)::profit)) v(p);
SELECT client_profit(p)
FROM (VALUES (ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 9223372036854775807)::profit),
             (ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1)::profit)) v(p);
\set VERBOSITY terse

-- entries overflow found by the combine function: with partitionwise
-- aggregation each partition is aggregated alone (within bigint) and the
-- partial states are combined (past it)
CREATE TABLE cp_big_entries (g int, k int, p profit) PARTITION BY LIST (g);
CREATE TABLE cp_big_entries_1 PARTITION OF cp_big_entries FOR VALUES IN (1);
CREATE TABLE cp_big_entries_2 PARTITION OF cp_big_entries FOR VALUES IN (2);
INSERT INTO cp_big_entries
SELECT g, 0, ROW(1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1,
                 CASE WHEN i = 1 THEN 4611686018427387904 + (g % 2) ELSE 0 END)::profit
FROM generate_series(1, 2) g, generate_series(1, 1000) i;
ANALYZE cp_big_entries;
-- each partition: 2^62 + 1 and 2^62
SELECT g, (client_profit(p)).entries FROM cp_big_entries GROUP BY g ORDER BY g;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT k, (client_profit(p)).entries FROM cp_big_entries GROUP BY k;
RESET ALL;

-- The margin rule: net_profit / revenue, NULL unless revenue is positive.
-- A client whose refunds exceed its sales: revenue -12520.50, net profit
-- -8279.82; a margin of 66.1% would be meaningless, so NULL.
SELECT (client_profit(amount, kind)).revenue, (client_profit(amount, kind)).net_profit,
       (client_profit(amount, kind)).margin
FROM (VALUES (1000.00, 'revenue'), (-13520.50, 'revenue'), (-4240.68, 'cogs')) v(amount, kind);
-- revenue exactly 0, positive revenue (100 - 40 = 60: margin 0.6), and the
-- same three through double precision amounts and the roll-up
SELECT r, (client_profit(amount, kind)).margin AS numeric_margin,
       (client_profit(amount::float8, kind)).margin AS float8_margin,
       (client_profit(amount::int, kind)).margin AS integer_margin
FROM (VALUES (-1, -100, 'revenue'), (-1, 40, 'cogs'), (0, 100, 'revenue'), (0, -100, 'revenue'),
             (0, 40, 'cogs'), (1, 100, 'revenue'), (1, 40, 'cogs')) v(r, amount, kind)
GROUP BY r ORDER BY r;
SELECT (client_profit(p)).margin
FROM (SELECT client_profit(amount, kind) AS p
      FROM (VALUES (1, 100, 'revenue'), (2, -150, 'revenue'), (2, 10, 'cogs')) v(g, amount, kind)
      GROUP BY g) s;
-- a non-positive revenue in some frames of a moving window
SELECT i, (client_profit(a, 'revenue') OVER w).revenue, (client_profit(a, 'revenue') OVER w).margin
FROM (VALUES (1, 50.0), (2, -80), (3, 20), (4, 70)) v(i, a)
WINDOW w AS (ORDER BY i ROWS 1 PRECEDING) ORDER BY i;
-- NaN revenue gives NaN (NaN / NaN), so does +Infinity revenue (its net
-- profit is +Infinity too, and Infinity / Infinity is NaN in numeric);
-- -Infinity revenue is not positive: NULL
SELECT g, (client_profit(amount, kind)).margin
FROM (VALUES (1, 'NaN'::numeric, 'revenue'), (2, 'Infinity', 'revenue'), (2, 5, 'cogs'),
             (3, '-Infinity', 'revenue')) v(g, amount, kind)
GROUP BY g ORDER BY g;

-- Margins beyond the range of double precision are an error naming margin
-- (22003); within it, every size is computed, subnormal ones included:
-- 1e-20 / 1e300 = 1e-320, and (1e-50 / 3) to 16 digits
SELECT (client_profit(amount, kind)).margin
FROM (VALUES (1e300, 'revenue'), (1e300 - 1e-20, 'cogs')) v(amount, kind);
SELECT (client_profit(amount, kind)).margin = ((1e-50)::numeric(1000, 100) / 3)::float8 AS tiny_margin_exact
FROM (VALUES (3, 'revenue'), (3 - 1e-50, 'cogs')) v(amount, kind);
-- a 1000-digit revenue with cogs 0.5: the margin 1 - 0.5 / revenue rounds to 1
SELECT (client_profit(amount, kind)).margin
FROM (VALUES (repeat('9', 1000)::numeric, 'revenue'), (0.5, 'cogs')) v(amount, kind);
\set VERBOSITY default
-- cogs 1e309 against revenue 1: the margin -1e309 has no double precision value
SELECT (client_profit(amount, kind)).margin
FROM (VALUES (1::numeric, 'revenue'), (1e309, 'cogs')) v(amount, kind);
-- a 1000-digit cost
SELECT (client_profit(amount, kind)).net_profit
FROM (VALUES (1::numeric, 'revenue'), (repeat('9', 1000)::numeric, 'cogs')) v(amount, kind);
-- a margin of 1e-400: not zero, and below the smallest double precision value
SELECT (client_profit(amount, kind)).margin
FROM (VALUES (1e300, 'revenue'), (1e300 - 1e-100, 'cogs')) v(amount, kind);
\set VERBOSITY sqlstate
SELECT (client_profit(amount, kind)).margin
FROM (VALUES (1::numeric, 'revenue'), (1e309, 'cogs')) v(amount, kind);
\set VERBOSITY default
