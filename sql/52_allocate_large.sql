-- 52_allocate_large: one window partition of 3 million rows, checked by
-- aggregates in integer arithmetic; cancellation; a non-superuser.

-- the tables of this test live in a schema of their own, dropped at the end
CREATE SCHEMA regress_allocate_large;
SET search_path = regress_allocate_large, public;
SET work_mem = '256MB';

-- Weights 0 to 1023 (one row in 7 NULL); the amount 1,234,567.89 is
-- K = 123,456,789 cents.  Row i's exact share is K w_i / W cents: floor
-- fl_i = K w_i div W and remainder K w_i mod W (bigint, exact).
CREATE TEMP TABLE big_parts AS
SELECT i, w, allocate(1234567.89, w) OVER (ORDER BY i) AS part
FROM (SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE (hashint8(i) & 1023)::int END AS w
      FROM generate_series(1, 3000000) i) g;
-- The largest-remainder rule, completely: every part is its floor or one
-- cent more; K - sum(floor) rows get the cent; every remainder that gets it
-- is at least every remainder that does not; among rows tied at the
-- smallest remainder that gets it, the earlier rows (by i) get it.
SELECT sum(w) AS tw FROM big_parts \gset
SELECT count(*) AS rows_with_weight,
       count(*) FILTER (WHERE bonus NOT IN (0, 1)) AS not_floor_or_next,
       count(*) FILTER (WHERE bonus = 1) AS cents_handed_out,
       count(*) FILTER (WHERE bonus = 1) = 123456789 - sum(fl) AS as_many_as_left,
       min(rem) FILTER (WHERE bonus = 1) >= max(rem) FILTER (WHERE bonus = 0) AS largest_remainders_get_them,
       coalesce(max(i) FILTER (WHERE bonus = 1 AND rem = cut) < min(i) FILTER (WHERE bonus = 0 AND rem = cut), true) AS ties_by_order
FROM (SELECT i, (part * 100)::bigint - 123456789::bigint * w / :tw AS bonus,
             123456789::bigint * w / :tw AS fl, 123456789::bigint * w % :tw AS rem
      FROM big_parts WHERE w IS NOT NULL) r,
     (SELECT min(123456789::bigint * w % :tw) AS cut FROM big_parts
      WHERE (part * 100)::bigint > 123456789::bigint * w / :tw) c;
SELECT sum(part) AS total, count(*) AS rows, count(*) FILTER (WHERE part IS NULL) AS null_parts,
       count(*) FILTER (WHERE (part IS NULL) <> (w IS NULL)) AS null_mismatch
FROM big_parts;

-- A statement timeout cancels the partition's first call
SET statement_timeout = '100ms';
SELECT count(s) FROM (SELECT allocate(1234567.89, w) OVER (ORDER BY i) FROM big_parts) s;
RESET statement_timeout;

-- A role with no privilege beyond reading its table
CREATE ROLE regress_cprof_allocate;
CREATE TABLE small_log (pool int, client int, hours numeric, amount numeric, capacity numeric);
INSERT INTO small_log VALUES (1, 1, 10, 100.00, 40), (1, 2, 20, 100.00, 40), (2, 1, 5, 9.99, 4);
GRANT USAGE ON SCHEMA regress_allocate_large TO regress_cprof_allocate;
GRANT SELECT ON small_log TO regress_cprof_allocate;
SET ROLE regress_cprof_allocate;
SELECT pool, client, allocate(amount, hours) OVER w, allocate_capacity(amount, hours, capacity) OVER w
FROM small_log WINDOW w AS (PARTITION BY pool ORDER BY client) ORDER BY pool, client;
SELECT pool, idle_capacity(amount, hours, capacity) FROM small_log GROUP BY pool ORDER BY pool;
RESET ROLE;
DROP TABLE small_log;
REVOKE USAGE ON SCHEMA regress_allocate_large FROM regress_cprof_allocate;
DROP ROLE regress_cprof_allocate;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA regress_allocate_large CASCADE;
RESET client_min_messages;
