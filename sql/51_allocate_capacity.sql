-- 51_allocate_capacity: time-driven costing.  allocate_capacity(amount,
-- usage, capacity [, unit]) charges each row usage x amount / capacity (its
-- time at the capacity cost rate) with largest-remainder rounding;
-- idle_capacity(amount, usage, capacity [, unit]) is what stays
-- unallocated.  Values by hand, then generated pools against plain SQL.

-- the tables of this test live in a schema of their own, dropped at the end
CREATE SCHEMA regress_allocate_capacity;
SET search_path = regress_allocate_capacity, public;

CREATE FUNCTION pg_temp.err(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    msg text;
    hint text;
BEGIN
    EXECUTE 'SELECT count(s) FROM (' || query || ') s';
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || msg || E'\n       hint: ' || hint;
END $$;

-- The support department costs 48,000.00 a month for 1,600 hours of
-- practical capacity: 30.00 an hour.
-- March, under-used: 400 + 350.5 + 600 = 1,350.5 hours are charged 12,000.00,
-- 10,515.00 and 18,000.00; the 249.5 idle hours, 7,485.00, stay with the
-- department.  April, over-used: 900 + 800 = 1,700 hours are charged
-- 27,000.00 and 24,000.00, 3,000.00 more than the department cost.
CREATE TABLE time_log (dept text, month date, client int, hours numeric);
INSERT INTO time_log VALUES
    ('support', '2025-03-01', 1, 400), ('support', '2025-03-01', 2, 350.5), ('support', '2025-03-01', 3, 600),
    ('support', '2025-04-01', 1, 900), ('support', '2025-04-01', 2, 800);
CREATE TABLE cost_pools (dept text, month date, amount numeric, capacity numeric);
INSERT INTO cost_pools VALUES ('support', '2025-03-01', 48000.00, 1600), ('support', '2025-04-01', 48000.00, 1600);
SELECT t.month, t.client, t.hours,
       allocate_capacity(p.amount, t.hours, p.capacity) OVER (PARTITION BY t.dept, t.month ORDER BY t.client) AS charged,
       allocate(p.amount, t.hours) OVER (PARTITION BY t.dept, t.month ORDER BY t.client) AS proportional
FROM time_log t JOIN cost_pools p USING (dept, month) ORDER BY 1, 2;
SELECT t.month, p.amount, sum(t.hours) AS hours, idle_capacity(p.amount, t.hours, p.capacity) AS idle
FROM time_log t JOIN cost_pools p USING (dept, month) GROUP BY 1, 2 ORDER BY 1;

-- A rate that does not terminate: 10,000.00 for 3 hours, 1 hour each for two
-- clients.  Exact 3,333.333...; the total 6,666.666... rounds to 6,666.67,
-- so one cent goes to the first row: 3,333.34 and 3,333.33; idle 3,333.33.
SELECT c, allocate_capacity(10000.00, 1, 3) OVER (ORDER BY c) FROM generate_series(1, 2) c;
SELECT idle_capacity(10000.00, 1, 3) FROM generate_series(1, 2) c;
-- The total rounds half up (away from zero): 1.00 for 8 hours, 1 hour each
-- for three clients: 0.125 each, total 0.375, rounded to 0.38, so two of
-- the three rows get 0.13: 0.13, 0.13, 0.12, idle 0.62; a credit of -1.00
-- mirrors it.
SELECT c, allocate_capacity(1.00, 1, 8) OVER w AS charge, allocate_capacity(-1.00, 1, 8) OVER w AS credit
FROM generate_series(1, 3) c WINDOW w AS (ORDER BY c) ORDER BY c;
SELECT idle_capacity(1.00, 1, 8) AS idle, idle_capacity(-1.00, 1, 8) AS idle_credit FROM generate_series(1, 3);
-- Units: 100.00 for 3 hours, 1 hour each for two clients, in units of
-- 0.05: 666.67 units each, total 1,333.33 units rounded to 1,333 (66.65):
-- 33.35 and 33.30, idle 33.35.  In whole units (unit 1) of 48,000.00 for
-- 1,600 hours: 333.33 hours are 9,999.90, charged 10,000.00.
SELECT c, allocate_capacity(100.00, 1, 3, 0.05) OVER (ORDER BY c) FROM generate_series(1, 2) c;
SELECT idle_capacity(100.00, 1, 3, 0.05) FROM generate_series(1, 2);
SELECT allocate_capacity(48000.00, 333.33, 1600, 1) OVER () AS charged,
       idle_capacity(48000.00, 333.33, 1600, 1) OVER () AS idle;
-- No usage at all: every part 0, the whole amount idle; NULL usage: a NULL
-- part, no share.
SELECT c, u, allocate_capacity(500.00, u, 40) OVER (ORDER BY c)
FROM (VALUES (1, 0), (2, NULL), (3, 0)) v(c, u) ORDER BY c;
SELECT idle_capacity(500.00, u, 40) FROM (VALUES (0), (NULL), (0)) v(u);
SELECT c, u, allocate_capacity(500.00, u, 40) OVER (ORDER BY c)
FROM (VALUES (1, 10), (2, NULL), (3, 5)) v(c, u) ORDER BY c;
-- idle_capacity over no rows, or over pools whose amount is NULL: NULL
SELECT idle_capacity(500.00, u, 40) FROM (VALUES (1)) v(u) WHERE false;
SELECT idle_capacity(NULL, u, 40) FROM (VALUES (1), (2)) v(u);
-- double precision usage and capacity are taken as ::numeric; a double
-- precision amount gives unrounded parts (and with a unit, rounded ones)
SELECT c, allocate_capacity(100.00, 1::float8, 3::float8) OVER w AS usage_float8,
       allocate_capacity(100::float8, 1::float8, 3::float8) OVER w AS amount_float8,
       allocate_capacity(100::float8, 1::float8, 3::float8, 0.01) OVER w AS amount_float8_cents
FROM generate_series(1, 2) c WINDOW w AS (ORDER BY c) ORDER BY c;
SELECT idle_capacity(100.00, 1::float8, 3::float8) FROM generate_series(1, 2);

-- Generated pools: 40 departments x 12 months; practical capacity 120 to
-- 1,560 hours; recorded hours from 40% to 140% of it over 1 to 50 clients
-- (some NULL, some zero, some with decimals); amounts with cents, a few
-- credits.
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;
CREATE TABLE pools AS
SELECT d * 100 + m AS pool,
       round((CASE WHEN (d + m) % 13 = 0 THEN -1 ELSE 1 END * (5000 + pg_temp.u(d * 100 + m, 1) * 200000))::numeric, 2) AS amount,
       (120 * (1 + d % 13))::numeric AS capacity,
       0.4 + pg_temp.u(d * 100 + m, 2) AS load
FROM generate_series(1, 40) d, generate_series(1, 12) m;
CREATE TABLE usage AS
SELECT p.pool, i AS client, p.amount, p.capacity,
       CASE WHEN (p.pool + i) % 17 = 0 THEN NULL
            WHEN (p.pool + i) % 23 = 0 THEN 0
            ELSE round((p.capacity * p.load * 2 * pg_temp.u(p.pool * 100 + i, 3) / n)::numeric, 1) END AS hours
FROM (SELECT *, 1 + pool % 50 AS n FROM pools) p, generate_series(1, p.n) i;
SELECT count(DISTINCT pool) AS pools, count(*) AS rows,
       count(DISTINCT pool) FILTER (WHERE used > capacity) AS over_used,
       count(DISTINCT pool) FILTER (WHERE used < capacity) AS under_used
FROM (SELECT *, sum(hours) OVER (PARTITION BY pool) AS used FROM usage) s;

CREATE TABLE charged AS
SELECT pool, client, amount, capacity, hours,
       allocate_capacity(amount, hours, capacity) OVER (PARTITION BY pool ORDER BY client) AS part
FROM usage;
-- each part within one cent of hours x amount / capacity (exact:
-- |part x capacity - hours x amount| < 0.01 x capacity); NULL exactly for
-- NULL hours
SELECT count(*) FILTER (WHERE abs(part * capacity - hours * amount) >= 0.01 * capacity) AS off_by_a_cent_or_more,
       count(*) FILTER (WHERE (part IS NULL) <> (hours IS NULL)) AS null_mismatch
FROM charged;
-- the parts of a pool add up to sum(hours) x amount / capacity rounded to
-- cents half away from zero (in integers: floor((2N + D) / 2D) cents with
-- N = sum(hours) |amount|, D = 0.01 capacity), and idle_capacity is the
-- amount minus that, exactly
SELECT count(*) AS pools,
       count(*) FILTER (WHERE total <> sign(amount) * div(2 * used * abs(amount) + 0.01 * capacity, 0.02 * capacity) * 0.01) AS total_not_rounded_sum,
       count(*) FILTER (WHERE idle::text IS DISTINCT FROM (amount - total)::text) AS idle_differs,
       count(*) FILTER (WHERE amount > 0 AND idle < 0) AS over_used_charges,
       count(*) FILTER (WHERE amount > 0 AND idle > 0) AS under_used_charges,
       count(*) FILTER (WHERE sign(idle) <> sign(amount) * sign(capacity - used) AND abs(capacity - used) * abs(amount) >= 0.005 * capacity) AS idle_sign_wrong
FROM (SELECT c.pool, c.amount, c.capacity, sum(c.part) AS total, coalesce(sum(c.hours), 0) AS used,
             i.idle
      FROM charged c
      JOIN (SELECT pool, idle_capacity(amount, hours, capacity) AS idle FROM usage GROUP BY pool) i USING (pool)
      GROUP BY c.pool, c.amount, c.capacity, i.idle) s;
-- the largest-remainder rule in plain SQL: x = hours |amount| / (0.01
-- capacity) cents, floor and remainder by integer division, E = the rounded
-- total minus the floors, the E largest remainders (ties by client) get a
-- cent more
SELECT count(*) AS rows, count(*) FILTER (WHERE c.part::text IS DISTINCT FROM p.part::text) AS differing
FROM charged c
FULL JOIN (SELECT pool, client, round(sign(amount) * (fl + (rk <= e)::int) * 0.01, 2) AS part
           FROM (SELECT *, div(2 * sum(n) OVER (PARTITION BY pool) + d, 2 * d) - sum(fl) OVER (PARTITION BY pool) AS e,
                        row_number() OVER (PARTITION BY pool ORDER BY n - fl * d DESC, client) AS rk
                 FROM (SELECT *, div(n, d) AS fl
                       FROM (SELECT pool, client, amount, hours * abs(amount) AS n, 0.01 * capacity AS d
                             FROM usage WHERE hours IS NOT NULL) u1) u2) u3
           UNION ALL SELECT pool, client, NULL FROM usage WHERE hours IS NULL) p USING (pool, client);
-- allocate is allocate_capacity with the capacity set to the total weight
SELECT count(*) FILTER (WHERE a.part <> c.part) AS differing
FROM (SELECT pool, client, allocate(amount, hours) OVER (PARTITION BY pool ORDER BY client) AS part
      FROM usage WHERE pool IN (SELECT pool FROM usage GROUP BY pool HAVING sum(hours) > 0)) a
JOIN (SELECT pool, client, allocate_capacity(amount, hours, total) OVER (PARTITION BY pool ORDER BY client) AS part
      FROM (SELECT *, sum(hours) OVER (PARTITION BY pool) AS total FROM usage) u WHERE total > 0) c USING (pool, client);
-- with a unit of 0.05 and of 1, and with double precision hours and
-- capacity: the parts add up to amount - idle_capacity, every pool
SELECT count(*) FILTER (WHERE s05 <> amount - i05) AS differing_005,
       count(*) FILTER (WHERE s1 <> amount - i1) AS differing_1,
       count(*) FILTER (WHERE sf <> amount - i) AS differing_float8,
       count(*) FILTER (WHERE s05 % 0.05 <> 0 OR s1 % 1 <> 0) AS not_multiples
FROM (SELECT pool, amount, sum(p05) AS s05, sum(p1) AS s1, sum(pf) AS sf
      FROM (SELECT pool, amount,
                   allocate_capacity(amount, hours, capacity, 0.05) OVER w AS p05,
                   allocate_capacity(amount, hours, capacity, 1) OVER w AS p1,
                   allocate_capacity(amount, hours::float8, capacity::float8) OVER w AS pf
            FROM usage WINDOW w AS (PARTITION BY pool ORDER BY client)) x
      GROUP BY pool, amount) s
JOIN (SELECT pool, idle_capacity(amount, hours, capacity, 0.05) AS i05,
             idle_capacity(amount, hours, capacity, 1) AS i1,
             idle_capacity(amount, hours::float8, capacity::float8) AS i
      FROM usage GROUP BY pool) i USING (pool);

-- Parallel and partitionwise aggregation give the serial result
-- (usage_big: every row 8 times, so that parallel workers get rows of every pool)
CREATE TABLE usage_big AS SELECT u.* FROM usage u, generate_series(1, 8) copy;
ANALYZE usage_big;
CREATE TABLE serial AS
SELECT pool, idle_capacity(amount, hours, capacity)::text AS idle FROM usage_big GROUP BY pool;
CREATE TABLE serial_f AS
SELECT pool, idle_capacity(amount, hours::float8, capacity::float8, 0.05)::text AS idle_f FROM usage GROUP BY pool;
\i test/parallel_plans.sql
SELECT count(*) AS pools,
       count(*) FILTER (WHERE s.idle IS DISTINCT FROM x.idle) AS parallel_differs
FROM serial s FULL JOIN (SELECT pool, idle_capacity(amount, hours, capacity)::text AS idle
                         FROM usage_big GROUP BY pool) x USING (pool);
SET enable_hashagg = off;
SELECT count(*) FILTER (WHERE s.idle IS DISTINCT FROM x.idle) AS parallel_sorted_differs
FROM serial s FULL JOIN (SELECT pool, idle_capacity(amount, hours, capacity)::text AS idle
                         FROM usage_big GROUP BY pool) x USING (pool);
RESET enable_hashagg;
-- the same pools split over the partitions of a table (by client), so that
-- every partition holds part of each pool and the states are combined
CREATE TABLE usage_parts (LIKE usage) PARTITION BY HASH (client);
CREATE TABLE usage_parts_0 PARTITION OF usage_parts FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE usage_parts_1 PARTITION OF usage_parts FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE usage_parts_2 PARTITION OF usage_parts FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO usage_parts SELECT * FROM usage;
ANALYZE usage_parts;
SET enable_partitionwise_aggregate = on;
SELECT count(*) AS pools, count(*) FILTER (WHERE s.idle_f IS DISTINCT FROM x.idle_f) AS partitionwise_differs
FROM serial_f s FULL JOIN (SELECT pool, idle_capacity(amount, hours::float8, capacity::float8, 0.05)::text AS idle_f
                         FROM usage_parts GROUP BY pool) x USING (pool);
RESET enable_partitionwise_aggregate;
\i test/parallel_plans_off.sql

-- Crafted states of idle_capacity (its state type's text and binary
-- forms) are tested with the other state types in 19_crafted_states.

-- Errors: SQLSTATE, message naming the values, hint
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, 0) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, -8) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, 'NaN'::numeric) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1::float8, 'Infinity'::float8) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, NULL::numeric) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, c) OVER () FROM (VALUES (160), (170)) v(c)$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100::float8, 1::float8, c) OVER () FROM (VALUES (160::float8), (170)) v(c)$$);
SELECT pg_temp.err($$SELECT allocate_capacity(a, 1, 160) OVER () FROM (VALUES (100.00), (200.00)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, u, 160) OVER () FROM (VALUES (1), (-2)) v(u)$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, u, 160) OVER () FROM (VALUES (1::float8), ('NaN')) v(u)$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, 160, 0) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate_capacity(100.00, 1, 160, NULL) OVER ()$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, 0)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, NULL::numeric)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1::float8, 'NaN'::float8)$$);
SELECT pg_temp.err($$SELECT idle_capacity(a, 1, 160) FROM (VALUES (100.00), (200.00)) v(a)$$);
SELECT pg_temp.err($$SELECT idle_capacity(a, 1, 160) FROM (VALUES (100.00), (100.0)) v(a)$$);
SELECT pg_temp.err($$SELECT idle_capacity(a, 1, 160) FROM (VALUES (100.00), (NULL)) v(a)$$);
SELECT pg_temp.err($$SELECT idle_capacity(a, 1, 160) FROM (VALUES (NULL), (100.00)) v(a)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, c) FROM (VALUES (160), (170)) v(c)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, 160, u) FROM (VALUES (0.01), (0.05)) v(u)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, 160, -1)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, 1, 160, NULL)$$);
SELECT pg_temp.err($$SELECT idle_capacity(100.00, u, 160) FROM (VALUES (1), (-2)) v(u)$$);
SELECT pg_temp.err($$SELECT idle_capacity('Infinity', 1, 160)$$);

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA regress_allocate_capacity CASCADE;
RESET client_min_messages;
