-- 43_clv: customer lifetime value from BG/NBD and Gamma-Gamma.
SET extra_float_digits = 0;
CREATE TABLE clv_models AS
SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS b,
       ROW(6.25, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g;

-- one month, no discount: E[Y(u)] x E(M), u = 4.345 weeks
SELECT abs(clv(b, g, 2, 30.43, 38.86, 22.35, 1, 0, 4.345)
           / (bgnbd_expected_purchases(b, 4.345, 2, 30.43, 38.86) * gamma_gamma_expected_value(g, 2, 22.35)) - 1) < 1e-12 AS one_month
FROM clv_models;
-- twelve months at 1% a month: the discounted sum of the monthly
-- increments of the expected purchases, in plain SQL
SELECT x, tx, bigt, m,
       abs(clv(b, g, x, tx, bigt, m, 12, 0.01, 4.345)
           / (SELECT sum((bgnbd_expected_purchases(b, i * 4.345, x, tx, bigt)
                          - bgnbd_expected_purchases(b, (i - 1) * 4.345, x, tx, bigt)) / 1.01 ^ i)
              * gamma_gamma_expected_value(g, x, m)
              FROM generate_series(1, 12) i) - 1) < 1e-12 AS twelve_months
FROM clv_models, (VALUES (0, 0, 38.86, 0), (1, 1.71, 38.86, 11.77), (2, 30.43, 38.86, 22.35), (60, 38, 38.86, 40)) v(x, tx, bigt, m)
ORDER BY x;
-- 150 months of 30 time units (z = t / (alpha + T + t) up to 0.998): the
-- model is asked for the horizons in chunks, and within a call they are
-- computed different ways (Euler's series, the other series, the
-- quadrature, as t grows); against the single-horizon expectations in SQL
SELECT m, x,
       abs(clv(m, g, x, tx, bigt, 20, 150, 0.01, 30)
           / (SELECT sum((bgnbd_expected_purchases(m, i * 30, x, tx, bigt)
                          - bgnbd_expected_purchases(m, (i - 1) * 30, x, tx, bigt)) / 1.01 ^ i)
              * gamma_gamma_expected_value(g, x, 20)
              FROM generate_series(1, 150) i) - 1) < 1e-12 AS long_horizon
FROM clv_models c,
     (VALUES (ROW(2, 10, 1.2, 3, NULL, NULL, NULL)::bgnbd), (ROW(0.25, 10, 0.5, 300, NULL, NULL, NULL)::bgnbd),
             (ROW(0.25, 10, 0.5, 0.3, NULL, NULL, NULL)::bgnbd)) v(m),
     (VALUES (0, 0, 0), (3, 10, 30), (40, 29, 30)) h(x, tx, bigt)
ORDER BY m::text, x;
-- the lifetimes documentation's CDNOW example (customer_lifetime_value with
-- time = 12 and discount_rate = 0.01 on the summary in weeks, with its
-- default freq 'D', i.e. 30 time units per month): 140.096211, 18.943467,
-- 38.180574 for customers 1, 2 and 3
SELECT round(clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 30)::numeric, 3) AS c1,
       round(clv(b, g, 1, 1.71, 38.86, 11.77, 12, 0.01, 30)::numeric, 3) AS c2,
       round(clv(b, g, 0, 0, 38.86, 0, 12, 0.01, 30)::numeric, 3) AS c3
FROM (SELECT ROW(0.242593, 4.413532, 0.792886, 2.425752, NULL, NULL, NULL)::bgnbd AS b,
             ROW(6.248802, 3.744588, 15.447748, NULL, NULL, NULL)::gamma_gamma AS g) s;
-- no horizon, a NULL argument
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 0, 0.01, 4.345) AS no_horizon,
       clv(b, g, 2, NULL, 38.86, 22.35, 12, 0.01, 4.345) AS null_is_null
FROM clv_models;
-- discounting lowers the value; a longer horizon raises it
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.02, 4.345) < clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS discount_lowers,
       clv(b, g, 2, 30.43, 38.86, 22.35, 24, 0.01, 4.345) > clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS horizon_raises
FROM clv_models;
-- Models at the limits a fit can run to.  No dropout (b = 1e300): E[Y(t)] =
-- (r+x) t / (alpha+T), so the CLV is the geometric sum (r+x) u / (alpha+T)
-- E(M) (1 - 1.01^-12) / 0.01, E(M) = p (v + x m) / (p x + q - 1) by hand;
-- a, b = 824669, 1.76e7 (a bgnbd_fit result that made clv fail with 22003):
-- the discounted monthly increments summed in SQL.
SELECT abs(clv(ROW(0.243, 4.414, 0.793, 1e300, NULL, NULL, NULL)::bgnbd, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)
           / ((0.243 + 2) * 4.345 / (4.414 + 38.86) * 6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 3.74 - 1)
              * (1 - 1.01 ^ -12) / 0.01) - 1) < 1e-12 AS no_dropout,
       abs(clv(m, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)
           / (SELECT sum((bgnbd_expected_purchases(m, i * 4.345, 2, 30.43, 38.86)
                          - bgnbd_expected_purchases(m, (i - 1) * 4.345, 2, 30.43, 38.86)) / 1.01 ^ i)
                     * gamma_gamma_expected_value(g, 2, 22.35)
              FROM generate_series(1, 12) i) - 1) < 1e-12 AS a_b_large,
       clv(m, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) > 0 AS positive
FROM clv_models, (SELECT ROW(0.243, 4.414, 824669, 1.76e7, NULL, NULL, NULL)::bgnbd AS m) s;
-- Each overload has a C symbol of its own (1.0 chose the model at run time
-- by the name of the record's third field); the 1.0 symbol, clv, remains
-- for a database still at version 1.0 (its two overloads, as the 1.0
-- script declares them), and chooses the model by the argument's type.
SELECT p.oid::regprocedure AS overload, p.prosrc AS symbol FROM pg_proc p WHERE p.proname = 'clv' ORDER BY p.oid::regprocedure::text COLLATE "C";
CREATE FUNCTION pg_temp.clv_1_0(bgnbd, gamma_gamma, float8, float8, float8, float8, integer, float8, float8)
    RETURNS float8 AS '$libdir/cprof', 'clv' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION pg_temp.clv_1_0(pareto_nbd, gamma_gamma, float8, float8, float8, float8, integer, float8, float8)
    RETURNS float8 AS '$libdir/cprof', 'clv' LANGUAGE C IMMUTABLE STRICT;
SELECT pg_temp.clv_1_0(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)
         = clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS bgnbd_same_as_1_1,
       pg_temp.clv_1_0(p, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)
         = clv(p, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS pareto_nbd_same_as_1_1
FROM clv_models, (SELECT ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL)::pareto_nbd AS p) s;
-- bad arguments
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, -1, 0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, -0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 'NaN', 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 0) FROM clv_models;
SELECT clv(b, g, 2, 40, 38.86, 22.35, 12, 0.01, 4.345) FROM clv_models;
SELECT clv(b, g, 2, 30.43, 38.86, 0, 12, 0.01, 4.345) FROM clv_models;
SELECT clv(b, ROW(6.25, 0.9, 15.44, NULL, NULL, NULL)::gamma_gamma, 0, 0, 38.86, 0, 12, 0.01, 4.345) FROM clv_models;
-- A call site reads a model's parameters once and reuses them while the
-- model's value stays the same: rows whose models alternate (and differ
-- only in a field that is not a parameter) get the values each model gives
-- alone, and a model with a bad parameter after good ones is refused.
CREATE TABLE clv_rows AS
SELECT i, CASE i % 3 WHEN 0 THEN b1 WHEN 1 THEN b2 ELSE b3 END AS b,
       CASE i % 2 WHEN 0 THEN g1 ELSE g2 END AS g
FROM generate_series(1, 12) i,
     (SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS b1,
             ROW(0.5, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS b2,
             ROW(0.5, 4.414, 0.793, 2.426, -100, NULL, NULL)::bgnbd AS b3,
             ROW(6.25, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g1,
             ROW(2, 3.74, 15.44, NULL, NULL, NULL)::gamma_gamma AS g2) m;
-- each model alone: EXECUTE plans the query anew, a call site of its own
CREATE FUNCTION pg_temp.alone(b bgnbd, g gamma_gamma) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
    v float8[];
BEGIN
    EXECUTE 'SELECT ARRAY[clv($1, $2, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345), bgnbd_expected_purchases($1, 39, 2, 30.43, 38.86),
                          bgnbd_p_alive($1, 2, 30.43, 38.86), gamma_gamma_expected_value($2, 2, 22.35)]'
        INTO v USING b, g;
    RETURN v;
END $$;
SELECT count(*) AS rows,
       count(DISTINCT c) AS distinct_clv,
       count(*) FILTER (WHERE ARRAY[c, e, pa, ev] = pg_temp.alone(b, g)) AS same_as_alone
FROM (SELECT *, clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS c, bgnbd_expected_purchases(b, 39, 2, 30.43, 38.86) AS e,
             bgnbd_p_alive(b, 2, 30.43, 38.86) AS pa, gamma_gamma_expected_value(g, 2, 22.35) AS ev
      FROM clv_rows) r;
SELECT i, bgnbd_p_alive(b, 2, 30.43, 38.86) > 0 AS ok
FROM (SELECT i, b FROM clv_rows WHERE i <= 2
      UNION ALL SELECT 3, ROW(0.243, 0, 0.793, 2.426, NULL, NULL, NULL)::bgnbd) s
ORDER BY i;
DROP TABLE clv_rows;
DROP TABLE clv_models;
