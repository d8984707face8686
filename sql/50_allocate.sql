-- 50_allocate: allocate(amount, weight [, unit]), the largest-remainder
-- window function.  Every check compares with values computed here in plain
-- SQL (exact numeric arithmetic) or by hand, and prints a count of the rows
-- or partitions that differ.

-- the tables of this test live in a schema of their own, dropped at the end
CREATE SCHEMA regress_allocate;
SET search_path = regress_allocate, public;

-- Errors as one line each: SQLSTATE, message and hint (no LOCATION lines,
-- which move with the source).
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

-- The motivating case: 120,000.00 over 7 clients by hours.  Rounding each
-- share to cents loses two cents.  allocate floors every share to the cent
-- and gives the three cents left to the largest remainders: clients 3
-- (0.727 of a cent), 4 and 7 (0.4545 each).
CREATE TABLE hours (client int, hours numeric);
INSERT INTO hours VALUES (1, 37), (2, 42), (3, 18), (4, 25), (5, 9), (6, 31), (7, 14);
SELECT client, hours,
       round(120000.00 * hours / sum(hours) OVER (), 2) AS rounded,
       allocate(120000.00, hours) OVER (ORDER BY client) AS allocated,
       120000.00 * hours / sum(hours) OVER () AS exact
FROM hours ORDER BY client;
SELECT sum(rounded) AS sum_rounded, sum(allocated) AS sum_allocated
FROM (SELECT round(120000.00 * hours / sum(hours) OVER (), 2) AS rounded,
             allocate(120000.00, hours) OVER (ORDER BY client) AS allocated FROM hours) s;

-- By hand: 100.00 over three equal weights is 33.333...: one cent left,
-- which goes to the first row in the window's order (ties by ORDER BY).
SELECT c, allocate(100.00, 1) OVER (ORDER BY c) AS asc_order,
       allocate(100.00, 1) OVER (ORDER BY c DESC) AS desc_order
FROM generate_series(1, 3) c ORDER BY c;
-- 10.00 over weights 1, 2, 3, 4 in units of 0.05 (by hand: 200 units;
-- exact 20, 40, 60, 80 units): 1.00, 2.00, 3.00, 4.00.  Over 1, 1, 1 in
-- units of 0.05: 66.67 units each, 66 + 66 + 66 + 2 left over for the first
-- two rows: 3.35, 3.35, 3.30.
SELECT c, allocate(10.00, c, 0.05) OVER (ORDER BY c) FROM generate_series(1, 4) c;
SELECT c, allocate(10.00, 1, 0.05) OVER (ORDER BY c) FROM generate_series(1, 3) c;
-- A unit coarser than the amount's scale (1: whole amounts, 0.050 is the
-- unit 0.05, 25) and a finer one (0.001); the parts show the larger of the
-- amount's scale and the unit's.
SELECT c, allocate(1000.00, c, 1) OVER w AS unit_1, allocate(1000.00, c, 0.050) OVER w AS unit_005,
       allocate(1000, c, 25) OVER w AS unit_25, allocate(1000, c, 0.001) OVER w AS unit_0001
FROM generate_series(1, 6) c WINDOW w AS (ORDER BY c) ORDER BY c;
-- Negative amounts (a credit handed back): the mirror image of the positive
-- allocation, the extra cents going to the same rows.
SELECT c, allocate(-100.00, 1) OVER w AS credit, allocate(100.00, 1) OVER w AS charge,
       allocate(-0.05, c) OVER w AS small_credit
FROM generate_series(1, 3) c WINDOW w AS (ORDER BY c) ORDER BY c;
-- An amount of zero gives zeros at the amount's scale; one row takes all.
SELECT c, allocate(0.00, c) OVER (ORDER BY c) FROM generate_series(1, 2) c;
SELECT allocate(123.45, 7) OVER () FROM generate_series(1, 1);
-- NULL weights: a NULL part and no share; zero weights: 0.
SELECT c, w, allocate(10.00, w) OVER (ORDER BY c)
FROM (VALUES (1, NULL), (2, 0), (3, 1), (4, NULL), (5, 2), (6, 0)) v(c, w) ORDER BY c;
-- A pool whose amount is NULL on every row (missing from a LEFT JOIN): NULL parts.
SELECT c, allocate(NULL::numeric, c) OVER (ORDER BY c) FROM generate_series(1, 2) c;
-- Weight types: integer, bigint, double precision (taken as weight::numeric)
-- and numeric give the same parts for the same values.
SELECT c, allocate(100.00, c) OVER w AS int4, allocate(100.00, c::bigint) OVER w AS int8,
       allocate(100.00, c::float8) OVER w AS float8, allocate(100.00, c::numeric) OVER w AS numeric
FROM generate_series(1, 3) c WINDOW w AS (ORDER BY c) ORDER BY c;
-- bigint weights keep every digit: 0.01 over 10^16 and 10^16 + 1 goes to
-- the larger weight; as double precision the weights are equal and the
-- cent goes to the first row
SELECT c, allocate(0.01, w) OVER (ORDER BY c) AS exact, allocate(0.01, w::float8) OVER (ORDER BY c) AS as_double
FROM (VALUES (1, 10000000000000000::bigint), (2, 10000000000000001::bigint)) v(c, w);
-- The frame clause is ignored: the whole partition counts.
SELECT c, allocate(100.00, 1) OVER (ORDER BY c ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS framed
FROM generate_series(1, 3) c ORDER BY c;

-- Generated pools: 300 pools of 1 to 60 rows, amounts with cents (one pool
-- in 7 a credit), weights with two decimals, one in 9 NULL, one in 11
-- zero, and every fifth pool with equal weights (ties everywhere).
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;
CREATE TABLE pools AS
SELECT g AS pool,
       round((CASE WHEN g % 7 = 3 THEN -1 ELSE 1 END * pg_temp.u(g, 1) * 10 ^ (1 + g % 6))::numeric, 2) AS amount
FROM generate_series(1, 300) g;
CREATE TABLE rows AS
SELECT p.pool, i AS client, p.amount,
       CASE WHEN (p.pool * 31 + i) % 9 = 0 THEN NULL
            WHEN (p.pool * 17 + i) % 11 = 0 THEN 0
            WHEN p.pool % 5 = 0 THEN 3.50
            ELSE round((pg_temp.u(p.pool * 100 + i, 2) * 100)::numeric, 2) END AS w
FROM pools p, generate_series(1, 1 + (p.pool * 7) % 60) i;
-- pools whose weights are all zero or NULL cannot be allocated: leave them out
DELETE FROM rows WHERE pool IN (SELECT pool FROM rows GROUP BY pool HAVING coalesce(sum(w), 0) = 0);
SELECT count(DISTINCT pool) AS pools, count(*) AS rows, count(*) FILTER (WHERE w IS NULL) AS null_weights,
       count(*) FILTER (WHERE w = 0) AS zero_weights, count(DISTINCT pool) FILTER (WHERE amount < 0) AS credits
FROM rows;

-- The largest-remainder rule written in plain SQL: K = |amount| / unit
-- units; row i's exact share K w / W splits into floor and remainder
-- (integer division, exact); the K - sum(floor) rows with the largest
-- remainders, ties by client, get one unit more.
CREATE FUNCTION pg_temp.plain_lr(src text, unit_sql text) RETURNS TABLE (pool int, client int, part numeric)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT pool, client,
               round(sign(amount) * (fl + (rk <= e)::int) * u, greatest(scale(amount), min_scale(u)))
        FROM (SELECT pool, client, amount, u, fl,
                     k - sum(fl) OVER (PARTITION BY pool) AS e,
                     row_number() OVER (PARTITION BY pool ORDER BY rem DESC, client) AS rk
              FROM (SELECT pool, client, amount, u, k,
                           div(k * w, tw) AS fl, k * w - div(k * w, tw) * tw AS rem
                    FROM (SELECT pool, client, amount, w, u, abs(amount) / u AS k,
                                 sum(w) OVER (PARTITION BY pool) AS tw
                          FROM (SELECT *, %2$s AS u FROM %1$I) r0
                          WHERE w IS NOT NULL) r1) r2) r3
        UNION ALL
        SELECT pool, client, NULL FROM %1$I WHERE w IS NULL$q$, src, unit_sql);
END $$;

CREATE TABLE parts AS
SELECT pool, client, amount, w,
       allocate(amount, w) OVER (PARTITION BY pool ORDER BY client) AS part
FROM rows;
-- exactness: every pool's parts add up to its amount
SELECT count(*) AS pools, count(*) FILTER (WHERE total IS DISTINCT FROM amount) AS not_adding_up
FROM (SELECT pool, amount, sum(part) AS total FROM parts GROUP BY pool, amount) s;
-- proportionality: every part within one cent of amount * w / sum(w)
-- (|part * W - amount * w| < 0.01 * W, exact), a NULL part exactly for a
-- NULL weight, 0 for a zero weight
SELECT count(*) FILTER (WHERE abs(part * tw - amount * w) >= 0.01 * tw) AS off_by_a_cent_or_more,
       count(*) FILTER (WHERE (part IS NULL) <> (w IS NULL)) AS null_mismatch,
       count(*) FILTER (WHERE w = 0 AND part <> 0) AS zero_weight_nonzero
FROM (SELECT *, sum(w) OVER (PARTITION BY pool) AS tw FROM parts) s;
-- the largest-remainder rule: the same parts as the plain SQL, display
-- scale included (compared as text)
SELECT count(*) AS rows, count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing
FROM parts a FULL JOIN pg_temp.plain_lr('rows', '0.01') p USING (pool, client);
-- ties go by the window's ORDER BY: in descending client order the extra
-- cents of the equal-weight pools go to the other end
SELECT count(*) FILTER (WHERE d.part <> a.part) > 0 AS order_matters,
       count(*) FILTER (WHERE d.part <> p.part) AS differs_from_plain_desc
FROM (SELECT pool, client, allocate(amount, w) OVER (PARTITION BY pool ORDER BY client DESC) AS part
      FROM rows WHERE pool % 5 = 0) d
JOIN parts a USING (pool, client)
JOIN (SELECT pool, client,
             round(sign(amount) * (div(k * w, tw) + (row_number() OVER (PARTITION BY pool ORDER BY k * w - div(k * w, tw) * tw DESC, client DESC)
                    <= k - sum(div(k * w, tw)) OVER (PARTITION BY pool))::int) * 0.01, 2) AS part
      FROM (SELECT *, abs(amount) / 0.01 AS k, sum(w) OVER (PARTITION BY pool) AS tw
            FROM rows WHERE pool % 5 = 0 AND w IS NOT NULL) r) p USING (pool, client);
-- negative amounts mirror positive ones
SELECT count(*) FILTER (WHERE n.part <> -a.part) AS not_mirrored
FROM (SELECT pool, client, allocate(-amount, w) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) n
JOIN parts a USING (pool, client);

-- Units other than cents, against the plain SQL with the same unit (the
-- amounts rounded to a multiple of the unit first)
UPDATE rows SET amount = round(round(amount * 20) / 20, 2);
SELECT count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing_005
FROM (SELECT pool, client, allocate(amount, w, 0.05) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) a
FULL JOIN pg_temp.plain_lr('rows', '0.05') p USING (pool, client);
UPDATE rows SET amount = round(amount);
SELECT count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing_1
FROM (SELECT pool, client, allocate(amount, w, 1) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) a
FULL JOIN pg_temp.plain_lr('rows', '1') p USING (pool, client);
SELECT count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing_0001
FROM (SELECT pool, client, allocate(amount, w, 0.001) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) a
FULL JOIN pg_temp.plain_lr('rows', '0.001') p USING (pool, client);
-- every part of a unit-0.05 allocation is a multiple of 0.05
SELECT count(*) FILTER (WHERE part % 0.05 <> 0) AS not_multiples
FROM (SELECT allocate(amount, w, 0.05) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) s;

-- double precision weights are taken as weight::numeric (15 significant
-- digits): the parts equal those of the numeric weights w::float8::numeric
SELECT count(*) FILTER (WHERE a.part IS DISTINCT FROM b.part) AS differing_float8_weights
FROM (SELECT pool, client, allocate(amount, (w / 3)::float8) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) a
JOIN (SELECT pool, client, allocate(amount, (w / 3)::float8::numeric) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) b
USING (pool, client);
-- integer and bigint weights against the plain SQL
UPDATE rows SET w = round(w);
DELETE FROM rows WHERE pool IN (SELECT pool FROM rows GROUP BY pool HAVING coalesce(sum(w), 0) = 0);
SELECT count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing_int4,
       count(*) FILTER (WHERE b.part::text IS DISTINCT FROM p.part::text) AS differing_int8
FROM (SELECT pool, client, allocate(amount, w::int) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) a
JOIN (SELECT pool, client, allocate(amount, w::bigint * 1000000000000) OVER (PARTITION BY pool ORDER BY client) AS part FROM rows) b
USING (pool, client)
FULL JOIN pg_temp.plain_lr('rows', '1') p USING (pool, client);

-- Values past the int128 fast path go through exact numeric arithmetic:
-- a 45-digit amount, weights of 10^30 (their products overflow), weights
-- with 40 decimals.  Same rule, against the plain SQL.
CREATE TABLE huge AS
SELECT pool, client, amount * 1e40 + 0.01 AS amount, w FROM rows WHERE pool % 3 = 0
UNION ALL
SELECT pool + 1000, client, amount, w * 1e30 FROM rows WHERE pool % 3 = 1
UNION ALL
SELECT pool + 2000, client, amount, w * 1e-40 FROM rows WHERE pool % 3 = 2;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE a.part::text IS DISTINCT FROM p.part::text) AS differing,
       count(*) FILTER (WHERE abs(a.part) > 1e40) > 0 AS has_huge_parts
FROM (SELECT pool, client, allocate(amount, w) OVER (PARTITION BY pool ORDER BY client) AS part FROM huge) a
FULL JOIN pg_temp.plain_lr('huge', $$('1e-' || scale(amount))::numeric$$) p USING (pool, client);
-- by hand: (10^44 + 0.01) / 6 in cents is m + 5/6 with m = (10^46 - 4) / 6,
-- so the shares 1, 2, 3 floor to m, 2m + 1, 3m + 2 with remainders 5/6,
-- 4/6, 3/6: the first two rows get the two cents left
SELECT c, allocate(1e44 + 0.01, c) OVER (ORDER BY c) FROM generate_series(1, 3) c;

-- Double precision amounts: parts unrounded, the rounding residue added to
-- the largest part, so that the exact sum of the parts (computed here from
-- their binary representations) is within one ulp of the amount; with a
-- unit, the amount is taken as amount::numeric and the parts are the
-- numeric parts as double precision.
CREATE FUNCTION pg_temp.exact(x float8) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN
  (SELECT CASE WHEN x = 0 THEN 0 ELSE
     (CASE WHEN bits < 0 THEN -1 ELSE 1 END)
     * (CASE WHEN e = 0 THEN f ELSE f + 4503599627370496 END)
     * (CASE WHEN e2 >= 0 THEN 2::numeric ^ e2 ELSE (5::numeric ^ (-e2)) * ('1e' || e2)::numeric END) END
   FROM (SELECT bits, (bits >> 52) & 2047 AS e, bits & 4503599627370495 AS f,
                greatest((bits >> 52) & 2047, 1) - 1075 AS e2
         FROM (SELECT ('x' || encode(float8send(x), 'hex'))::bit(64)::bigint AS bits) b) c);
-- the ulp of x: 2^(e - 1075), e its biased exponent (1 for subnormals)
CREATE FUNCTION pg_temp.ulp(x float8) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN
  (SELECT CASE WHEN e2 >= 0 THEN 2::numeric ^ e2 ELSE (5::numeric ^ (-e2)) * ('1e' || e2)::numeric END
   FROM (SELECT greatest((('x' || encode(float8send(x), 'hex'))::bit(64)::bigint >> 52) & 2047, 1) - 1075 AS e2) s);
SELECT trim_scale(pg_temp.exact(0.1)) AS exact_tenth, trim_scale(pg_temp.ulp(1)) AS ulp_of_1,
       trim_scale(pg_temp.ulp(-3)) = trim_scale(pg_temp.ulp(1)) * 2 AS ulp_of_3_is_2_ulp_of_1;
CREATE TABLE fp AS
SELECT pool, client, amount::float8 AS amount, (w / 7)::float8 AS w FROM rows;
SELECT count(*) AS pools,
       count(*) FILTER (WHERE abs(total - pg_temp.exact(amount)) > pg_temp.ulp(amount)) AS off_by_more_than_an_ulp
FROM (SELECT pool, amount, sum(pg_temp.exact(part)) AS total
      FROM (SELECT pool, amount, allocate(amount, w) OVER (PARTITION BY pool ORDER BY client) AS part FROM fp) s
      GROUP BY pool, amount) t;
-- each part is amount * (w / sum(w)) up to that residue: within 1e-12 relative
SELECT count(*) FILTER (WHERE abs(part - amount * w / tw) > 1e-12 * abs(amount)) AS far_from_proportional,
       count(*) FILTER (WHERE (part IS NULL) <> (w IS NULL)) AS null_mismatch
FROM (SELECT *, sum(w) OVER (PARTITION BY pool) AS tw,
             allocate(amount, w) OVER (PARTITION BY pool ORDER BY client) AS part FROM fp) s;
-- with a unit: the numeric allocation of amount::numeric, as double precision
SELECT count(*) FILTER (WHERE a.part IS DISTINCT FROM b.part::float8) AS differing
FROM (SELECT pool, client, allocate(amount, w, 0.01) OVER (PARTITION BY pool ORDER BY client) AS part FROM fp) a
JOIN (SELECT pool, client, allocate(amount::numeric, w, 0.01) OVER (PARTITION BY pool ORDER BY client) AS part FROM fp) b
USING (pool, client);
SELECT c, allocate(100::float8, 1::float8) OVER w AS unrounded, allocate(100::float8, 1::float8, 0.01) OVER w AS cents
FROM generate_series(1, 3) c WINDOW w AS (ORDER BY c) ORDER BY c;

-- Two partitions and two windows in one query, each partition allocated on
-- its own (by hand: pool 1 by c in descending order is 1.67, 3.33, 5.00;
-- pool 2, 0.33 and 0.67); then a window without ORDER BY
SELECT pool, c, allocate(a, 1) OVER (PARTITION BY pool ORDER BY c) AS by_pool,
       allocate(a, c) OVER (PARTITION BY pool ORDER BY c DESC) AS by_c_desc
FROM (VALUES (1, 1, 10.00), (1, 2, 10.00), (1, 3, 10.00), (2, 1, 1.00), (2, 2, 1.00)) v(pool, c, a)
ORDER BY pool, c;
SELECT sum(p) AS total FROM (SELECT allocate(99.99, c) OVER () AS p FROM generate_series(1, 7) c) s;

-- Errors: SQLSTATE, message naming the values, hint
SELECT pg_temp.err($$SELECT allocate(a, 1) OVER () FROM (VALUES (120000.00), (95000.00)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate(a, 1) OVER () FROM (VALUES (100.00), (100.0)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate(a, 1) OVER () FROM (VALUES (100.00), (NULL)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate(a, 1) OVER () FROM (VALUES (NULL), (100.00)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate(a, 1) OVER () FROM (VALUES (1::float8), (2::float8)) v(a)$$);
SELECT pg_temp.err($$SELECT allocate('NaN'::numeric, 1) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate('Infinity'::float8, 1::float8) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (1), (-1)) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (1.5), (-0.01)) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (1::float8), ('-Infinity')) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (1::numeric), ('NaN')) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (-1e50::numeric)) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100::float8, w) OVER () FROM (VALUES (1::float8), ('NaN')) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.00, w) OVER () FROM (VALUES (0), (NULL), (0)) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100::float8, w) OVER () FROM (VALUES (0::float8)) v(w)$$);
SELECT pg_temp.err($$SELECT allocate(100.03, 1, 0.05) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(1e50 + 0.03, 1, 0.05) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, 0) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, -0.01) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, 'NaN') OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, 'Infinity') OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, NULL) OVER ()$$);
SELECT pg_temp.err($$SELECT allocate(100.00, 1, u) OVER () FROM (VALUES (0.01), (0.05)) v(u)$$);
SELECT pg_temp.err($$SELECT allocate(1e308::float8, w) OVER () FROM (VALUES (1e308::float8), (1e308)) v(w)$$);
-- a volatile weight would be read twice with different values
SELECT pg_temp.err($$SELECT allocate(100.00, random()) OVER () FROM generate_series(1, 3)$$);
SELECT sum(p) AS from_a_subquery FROM (SELECT allocate(100.00, r) OVER () AS p FROM (SELECT random() AS r FROM generate_series(1, 3)) s) t;
-- a NULL-amount pool does not read its weights
SELECT pg_temp.err($$SELECT allocate(NULL::numeric, w) OVER () FROM (VALUES (-1)) v(w)$$);

-- Catalog: every form is an IMMUTABLE, PARALLEL SAFE window function
SELECT p.oid::regprocedure AS function, p.prorettype::regtype AS returns, p.prokind, p.provolatile, p.proparallel
FROM pg_proc p WHERE p.proname = 'allocate' ORDER BY p.oid::regprocedure::text COLLATE "C";

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA regress_allocate CASCADE;
RESET client_min_messages;
