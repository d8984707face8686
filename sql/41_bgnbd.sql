-- 41_bgnbd: hyp2f1, the BG/NBD fit and its predictions.
SET extra_float_digits = 0;

-- hyp2f1 over -1 < z < 1 against closed forms, evaluated in numeric with 80
-- decimals (so that their own rounding does not count): every relative
-- error below 1e-10.  1 - z is taken in float8, where it is exact for
-- z >= 1/2, because float8::numeric gives the shortest decimal, not the
-- binary value hyp2f1 receives.
CREATE FUNCTION pg_temp.nln(x numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT ln(round(x, 80)) $$;
CREATE FUNCTION pg_temp.npow(x numeric, y numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT exp(round(y, 80) * pg_temp.nln(x)) $$;
CREATE FUNCTION pg_temp.nsqrt(x numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT sqrt(round(x, 80)) $$;
-- the arithmetic-geometric mean (numeric, 80 decimals)
CREATE FUNCTION pg_temp.agm(a numeric, b numeric) RETURNS numeric LANGUAGE sql AS $$
WITH RECURSIVE m(i, x, y) AS (
    SELECT 0, round(a, 80), round(b, 80)
    UNION ALL
    SELECT i + 1, round((x + y) / 2, 80), round(sqrt(x * y), 80) FROM m WHERE i < 40)
SELECT x FROM m WHERE i = 40 $$;
CREATE TEMP TABLE h_z AS
SELECT z, z::numeric AS nz, CASE WHEN z >= 0.5 THEN (1 - z)::numeric ELSE 1 - z::numeric END AS nw
FROM unnest(ARRAY[-0.999999999999, -0.99, -0.9, -0.5, -1e-8, 1e-8, 0.3, 0.5, 0.7, 0.9, 0.999, 0.999999,
                  0.9999999999, 0.99999999999999]::float8[]) z;
CREATE TEMP TABLE h_closed (form text, a float8, b float8, c float8, z float8, value numeric);
-- 2F1(a, 1; 2; z) = ((1-z)^(1-a) - 1) / ((a-1) z); 2F1(1, 1; 2; z) = -ln(1-z) / z (c - a - b = 0)
INSERT INTO h_closed
SELECT '2F1(a,1;2;z)', a, 1, 2, z,
       CASE WHEN a = 1 THEN -pg_temp.nln(nw) / nz ELSE (pg_temp.npow(nw, 1 - a::numeric) - 1) / ((a::numeric - 1) * nz) END
FROM h_z, unnest(ARRAY[100, 40, 2.5, 1, 0.5, -3.25, -100.5]::float8[]) a
WHERE (1 - a) * ln(1 - z) < 650;
-- 2F1(1, 2; 3; z) = 2 (-ln(1-z) - z) / z^2 (c - a - b = 0) and
-- 2F1(1, 1; 3; z) = 2 ((1-z) ln(1-z) + z) / z^2 (c - a - b = 1)
INSERT INTO h_closed SELECT '2F1(1,2;3;z)', 1, 2, 3, z, 2 * (-pg_temp.nln(nw) - nz) / (nz * nz) FROM h_z;
INSERT INTO h_closed SELECT '2F1(1,1;3;z)', 1, 1, 3, z, 2 * (nw * pg_temp.nln(nw) + nz) / (nz * nz) FROM h_z;
-- 2F1(1/2, 1/2; 3/2; z) = asin(sqrt z) / sqrt z, asinh(sqrt(-z)) / sqrt(-z) for z < 0 (c - a - b = 1/2),
-- asin as atan2 so that it needs no 1 - sqrt(z)
INSERT INTO h_closed
SELECT '2F1(1/2,1/2;3/2;z)', 0.5, 0.5, 1.5, z,
       CASE WHEN z > 0 THEN atan2(sqrt(z), sqrt(nw::float8))::numeric / pg_temp.nsqrt(nz)
            ELSE pg_temp.nln(pg_temp.nsqrt(-nz) + pg_temp.nsqrt(nw)) / pg_temp.nsqrt(-nz) END
FROM h_z;
-- 2F1(1/2, 1; 3/2; z) = atanh(sqrt z) / sqrt z = ln((1 + sqrt z)^2 / (1 - z)) / (2 sqrt z),
-- atan(sqrt(-z)) / sqrt(-z) for z < 0
INSERT INTO h_closed
SELECT '2F1(1/2,1;3/2;z)', 0.5, 1, 1.5, z,
       CASE WHEN z > 0 THEN pg_temp.nln((1 + pg_temp.nsqrt(nz)) ^ 2 / nw) / (2 * pg_temp.nsqrt(nz))
            ELSE atan(sqrt(-z))::numeric / pg_temp.nsqrt(-nz) END
FROM h_z;
-- A&S 15.1.15: 2F1(a, 1-a; 3/2; sin^2 x) = sin((2a-1) x) / ((2a-1) sin x), 0 <= z < 1
INSERT INTO h_closed
SELECT '2F1(a,1-a;3/2;z)', a, 1 - a, 1.5, z,
       (sin((2 * a - 1) * x) / ((2 * a - 1) * sin(x)))::numeric
FROM h_z, unnest(ARRAY[7.3, 0.25, -2.6]::float8[]) a, LATERAL (SELECT atan2(sqrt(z), sqrt(nw::float8)) AS x) s
WHERE z > 0 AND abs(sin((2 * a - 1) * x) / ((2 * a - 1) * sin(x))) > 1e-3;
-- 2F1(1/2, 1/2; 1; z) = 2 K(sqrt z) / pi = 1 / AGM(1, sqrt(1 - z)) (c - a - b = 0)
INSERT INTO h_closed SELECT '2F1(1/2,1/2;1;z)', 0.5, 0.5, 1, z, 1 / pg_temp.agm(1, pg_temp.nsqrt(nw)) FROM h_z;
-- 2F1(a, b; b; z) = (1-z)^-a
INSERT INTO h_closed SELECT '2F1(a,b;b;z)', 2.5, 3.7, 3.7, z, pg_temp.npow(nw, -2.5) FROM h_z;
SELECT form, count(*) AS cases,
       count(*) FILTER (WHERE abs(hyp2f1(a, b, c, z)::numeric / value - 1) < 1e-10) AS within_1e_10
FROM h_closed GROUP BY form ORDER BY form;
-- the values the tracker reported wrong: 0.0112233..., 0.0197044..., 23.0258...
SELECT round(hyp2f1(100, 1, 2, -0.9)::numeric, 10) AS a100,
       round(hyp2f1(-100.5, 1, 2, 0.5)::numeric, 10) AS a_minus_100_5,
       abs(hyp2f1(40, 1, 2, -0.5)::numeric / ((1.5 ^ (-39::numeric) - 1) / (39 * -0.5)) - 1) < 1e-10 AS a40,
       round(hyp2f1(1, 1, 2, 0.9999999999)::numeric, 10) AS near_one;
-- and against the series summed in plain SQL numeric with 80 digits, on
-- parameters of every sign (alternating and growing terms included)
CREATE FUNCTION pg_temp.f21(a numeric, b numeric, c numeric, z numeric, terms int) RETURNS numeric
LANGUAGE sql AS $$
WITH RECURSIVE s(k, term) AS (
    SELECT 0, 1::numeric(1000, 80)
    UNION ALL
    SELECT k + 1, round(term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z, 80)::numeric(1000, 80) FROM s WHERE k < terms)
SELECT sum(term) FROM s $$;
SELECT a, b, c, z,
       abs(hyp2f1(a, b, c, z) / pg_temp.f21(a::numeric, b::numeric, c::numeric, z::numeric, 3000)::float8 - 1) < 1e-10 AS series_ok
FROM (VALUES (1.976, -0.207, 2.219, 0.474), (1.976, -0.207, 302.219, 0.9), (300.24, 302.4, 303.2, 0.47),
             (0.5, 0.25, 1.75, 0.95), (25.3, 0.8, 26.1, 0.3), (-3.7, 2.2, 1.6, -0.7), (5.5, -2.25, 3.1, 0.8),
             (0.3, 0.6, -2.5, 0.4), (12.5, 7.25, 3.5, -0.6), (-20.5, 1.3, 4.2, 0.6), (-20.5, 15.3, 24.2, 0.6),
             (-7.5, 3.3, 4.2, 0.9), (-7.5, 3.3, 4.2, -0.9), (60, 2.5, 0.3, -0.85)) v(a, b, c, z)
ORDER BY a, b, c, z;
-- where every form cancels (here the series' terms reach 1e7 for a value of
-- 4.14229e-6), the answer is an error, never an inaccurate number
SELECT round(pg_temp.f21(-20.5, 15.3, 4.2, 0.6, 3000), 11) AS series_value;
SELECT hyp2f1(-20.5, 15.3, 4.2, 0.6);
-- 2F1(-2, 1; 3; 1/2) = 1 - 2/3 * 1/2 + 2*2/(3*4) * 1/4 = 17/24
SELECT hyp2f1(1, 1, 2, 0) AS at_zero, hyp2f1(3, 0, 2, 0.5) AS b_zero, hyp2f1(-2, 1, 3, 0.5) = 17 / 24.0 AS polynomial;
-- errors: z outside (-1, 1), a pole, a result out of range (printed with
-- the z it was given, not rounded to 1), NaN
SELECT hyp2f1(1, 1, 2, 1);
SELECT hyp2f1(1, 1, -2, 0.5);
SELECT hyp2f1(1, 300, 2, 0.9999999999);
SELECT hyp2f1('NaN', 1, 2, 0.5);

-- 1,000 client histories simulated from the BG/NBD model (r, alpha, a, b)
-- = (0.5, 6, 0.8, 2.5), ages 26 to 52 weeks (test/clv/simulate.sql)
\i test/clv/simulate.sql
CREATE TABLE bg_hist AS
SELECT client AS i, frequency, recency, age
FROM pg_temp.clv_simulate(1000, 0.5, 6, 0.8, 2.5, 6, 4, 15, 52, 1);
SELECT count(*), sum(frequency), count(*) FILTER (WHERE frequency > 0) AS repeat_buyers FROM bg_hist;

-- The log-likelihood of equation (6) of Fader, Hardie & Lee (2005), in
-- plain SQL, with the gamma and beta function ratios as finite products
-- (x is a whole number): an independent check of the fit.
CREATE FUNCTION pg_temp.bg_ll(r float8, alpha float8, a float8, b float8) RETURNS float8
LANGUAGE sql AS $$
SELECT sum(ln(
         exp(lg + r * ln(alpha) - (r + frequency) * ln(alpha + age) + lb1)
         + CASE WHEN frequency > 0
                THEN exp(lg + r * ln(alpha) - (r + frequency) * ln(alpha + recency)
                         + ln(a / (a + b + frequency - 1)) + lb2) ELSE 0 END))
FROM (SELECT frequency, recency, age,
             (SELECT coalesce(sum(ln(r + j)), 0) FROM generate_series(0, frequency::int - 1) j) AS lg,
             (SELECT coalesce(sum(ln((b + j) / (a + b + j))), 0) FROM generate_series(0, frequency::int - 1) j) AS lb1,
             (SELECT coalesce(sum(ln((b + j) / (a + b + j))), 0) FROM generate_series(0, frequency::int - 2) j) AS lb2
      FROM bg_hist) h $$;

CREATE TABLE bg_fit AS SELECT (bgnbd_fit(frequency, recency, age)).* FROM bg_hist;
SELECT clients, converged, r > 0 AND alpha > 0 AND a > 0 AND b > 0 AS positive FROM bg_fit;
-- the reported log-likelihood is equation (6) at the reported parameters
SELECT abs(log_likelihood / pg_temp.bg_ll(r, alpha, a, b) - 1) < 1e-12 AS log_likelihood_ok FROM bg_fit;
-- and it is a maximum: moving any parameter by 0.1% either way lowers it
SELECT bool_and(pg_temp.bg_ll(r * (1 + d1), alpha * (1 + d2), a * (1 + d3), b * (1 + d4)) < log_likelihood) AS is_maximum
FROM bg_fit,
     (VALUES (0.001, 0, 0, 0), (-0.001, 0, 0, 0), (0, 0.001, 0, 0), (0, -0.001, 0, 0),
             (0, 0, 0.001, 0), (0, 0, -0.001, 0), (0, 0, 0, 0.001), (0, 0, 0, -0.001),
             (0.001, 0.001, 0, 0), (-0.001, -0.001, 0, 0), (0, 0, 0.001, 0.001), (0, 0, -0.001, -0.001)) v(d1, d2, d3, d4);
-- identical histories are grouped, so duplicating every client changes
-- nothing but the counts: the same parameters, twice the log-likelihood
SELECT abs(d.r / f.r - 1) < 1e-7 AND abs(d.alpha / f.alpha - 1) < 1e-7 AND abs(d.a / f.a - 1) < 1e-7
       AND abs(d.b / f.b - 1) < 1e-7 AND abs(d.log_likelihood / (2 * f.log_likelihood) - 1) < 1e-12
       AND d.clients = 2000 AS duplicated_ok
FROM bg_fit f, (SELECT (bgnbd_fit(frequency, recency, age)).* FROM (SELECT * FROM bg_hist UNION ALL SELECT * FROM bg_hist) u) d;

-- A fit that does not converge says so: converged = false and a WARNING
-- naming the model, the limit the likelihood rises toward and what it means
-- for the data.  Clients simulated with one dropout probability for all
-- (Beta(1e6, 3e6): 0.25 for everyone), and with almost none (Beta(0.05, 1e6)).
SELECT abs(a / (a + b) - 0.25) < 0.05 AS near_simulated_dropout, a > 1e6 AND b > 1e6 AS a_and_b_large, converged
FROM (SELECT (bgnbd_fit(frequency, recency, age)).* FROM pg_temp.clv_simulate(1000, 0.5, 6, 1e6, 3e6, 6, 4, 15, 52, 1)) f;
SELECT a / (a + b) < 1e-6 AS no_dropout, converged
FROM (SELECT (bgnbd_fit(frequency, recency, age)).* FROM pg_temp.clv_simulate(1000, 0.5, 6, 0.05, 1e6, 6, 4, 15, 52, 1)) f;

-- NULLs are skipped; no rows gives NULL
SELECT (bgnbd_fit(frequency, recency, age)).clients FROM
  (SELECT frequency, recency, age FROM bg_hist UNION ALL VALUES (NULL, 1, 2), (1, NULL, 2), (1, 1, NULL)) u;
SELECT bgnbd_fit(frequency, recency, age) IS NULL AS is_null FROM bg_hist WHERE false;
-- invalid histories
SELECT bgnbd_fit(-1, 0, 10);
SELECT bgnbd_fit(1.5, 2, 10);
SELECT bgnbd_fit(1, -2, 10);
SELECT bgnbd_fit(1, 12, 10);
SELECT bgnbd_fit(0, 2, 10);
SELECT bgnbd_fit(1, 2, 'Infinity');
SELECT bgnbd_fit(1, 'NaN', 10);

-- Predictions with the published CDNOW parameters (r, alpha, a, b) =
-- (0.243, 4.414, 0.793, 2.426), against the paper's formulas summed in
-- plain SQL numeric: P(alive) (Fader, Hardie & Lee's note on P(alive)) and
-- the conditional expectation (equation 10) with the untransformed 2F1
-- series, for light and heavy buyers and a client almost surely gone.
CREATE TABLE bg_model AS SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd AS m;
CREATE FUNCTION pg_temp.p_alive(r numeric, al numeric, a numeric, b numeric, x numeric, tx numeric, bigt numeric) RETURNS numeric
LANGUAGE sql AS $$
SELECT CASE WHEN x = 0 THEN 1 ELSE 1 / (1 + a / (b + x - 1) * exp((r + x) * ln((al + bigt) / (al + tx)))) END $$;
CREATE FUNCTION pg_temp.expected(r numeric, al numeric, a numeric, b numeric, t numeric, x numeric, tx numeric, bigt numeric) RETURNS numeric
LANGUAGE sql AS $$
SELECT (a + b + x - 1) / (a - 1)
       * (1 - exp((r + x) * ln((al + bigt) / (al + bigt + t)))
              * pg_temp.f21(r + x, b + x, a + b + x - 1, round(t / (al + bigt + t), 80), 4000))
       * pg_temp.p_alive(r, al, a, b, x, tx, bigt) $$;
SELECT x, tx, bigt, t,
       abs(bgnbd_p_alive(m, x, tx, bigt) / pg_temp.p_alive(0.243, 4.414, 0.793, 2.426, x::numeric, tx::numeric, bigt::numeric)::float8 - 1) < 1e-10 AS p_alive_ok,
       abs(bgnbd_expected_purchases(m, t, x, tx, bigt)
           / pg_temp.expected(0.243, 4.414, 0.793, 2.426, t::numeric, x::numeric, tx::numeric, bigt::numeric)::float8 - 1) < 1e-10 AS expected_ok
FROM bg_model,
     (VALUES (0, 0, 38.86, 39), (2, 30.43, 38.86, 39), (1, 1.71, 38.86, 1), (7, 35, 36, 52), (26, 30.86, 31, 39),
             (150, 38, 38.86, 39), (40, 2, 38.86, 39), (0, 0, 5, 0.5)) v(x, tx, bigt, t)
ORDER BY x, tx;
-- the paper's worked example: a customer with 2 repeat purchases, the last
-- at 30.43 weeks, observed for 38.86 weeks, is expected to make 1.226
-- purchases in the next 39 weeks; P(alive) and E[X(39)] of a new client by
-- the unconditional formula (equation 9) in plain SQL
SELECT round(bgnbd_expected_purchases(m, 39, 2, 30.43, 38.86)::numeric, 3) AS expected_39,
       abs(bgnbd_expected_purchases(m, 39)
           / ((0.793 + 2.426 - 1) / (0.793 - 1)
              * (1 - (4.414 / (4.414 + 39)) ^ 0.243 * pg_temp.f21(0.243, 2.426, 0.793 + 2.426 - 1, round(39 / 43.414, 80), 4000)))::float8
           - 1) < 1e-10 AS new_client_ok
FROM bg_model;
-- a heavy buyer gone long ago: P(alive) ~ 1e-11, no NaN, not negative
SELECT bgnbd_p_alive(m, 25, 10, 38.86) BETWEEN 1e-12 AND 1e-10 AS tiny,
       abs(bgnbd_p_alive(m, 25, 10, 38.86) / pg_temp.p_alive(0.243, 4.414, 0.793, 2.426, 25, 10, 38.86)::float8 - 1) < 1e-10 AS p_alive_ok,
       abs(bgnbd_expected_purchases(m, 39, 25, 10, 38.86) / pg_temp.expected(0.243, 4.414, 0.793, 2.426, 39, 25, 10, 38.86)::float8 - 1) < 1e-10 AS expected_ok,
       bgnbd_p_alive(m, 1e6, 1, 1e6) AS gone
FROM bg_model;
-- a = 1 is no 0/0: the value lies between those at a = 1 -+ 1e-6
SELECT bgnbd_expected_purchases(ROW(0.243, 4.414, 1, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86)
       BETWEEN least(lo, hi) AND greatest(lo, hi) AND abs(lo - hi) < 1e-5 AS continuous_at_a_1
FROM (SELECT bgnbd_expected_purchases(ROW(0.243, 4.414, 1 - 1e-6, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86) AS lo,
             bgnbd_expected_purchases(ROW(0.243, 4.414, 1 + 1e-6, 2.426, NULL, NULL, NULL)::bgnbd, 39, 2, 30.43, 38.86) AS hi) s;
SELECT bgnbd_expected_purchases(m, 0, 2, 30.43, 38.86) AS zero_horizon, bgnbd_p_alive(m, NULL, 1, 2) AS null_is_null FROM bg_model;
SELECT bgnbd_expected_purchases(m, -1, 2, 30.43, 38.86) FROM bg_model;
SELECT bgnbd_p_alive(m, 2, 40, 38.86) FROM bg_model;
SELECT bgnbd_p_alive(ROW(0.243, -4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd, 2, 30, 38.86);
SELECT bgnbd_p_alive(ROW(NULL, 4.414, 0.793, 2.426, NULL, NULL, NULL)::bgnbd, 2, 30, 38.86);

-- Predictions over the whole parameter space.  The expected purchases of a
-- client alive with purchase rate ~ Gamma(r, alpha) and dropout probability
-- p ~ Beta(a, b) are E_p[(1 - (1 + p tau)^-r) / p], tau = t / alpha, which
-- integrates in closed form for some (r, a, b), at every horizon:
--   (1, 2, 1):   2 (1 - ln(1 + tau) / tau)     (density 2p)
--   (1, 1, 1):   ln(1 + tau)                   (uniform p: a = 1 exactly)
--   (1, 1/2, 1): sqrt(tau) atan(sqrt(tau))     (density p^-1/2 / 2)
--   (2, 2, 1):   2 tau / (1 + tau)
--   r -> 0, (a, b) = (2, 1): r * 2 ((1 + tau) ln(1 + tau) / tau - 1)
--   a = 1e12, b = 3e12 (p = 1/4 for everyone): 4 (1 - (1 + tau/4)^-r)
-- (evaluated in numeric; horizons from 1e-9 to 1e12 model time units)
CREATE TEMP TABLE bg_tau AS
SELECT tau, round(tau::numeric, 80) AS nt, pg_temp.nln(1 + round(tau::numeric, 80)) AS l1t
FROM unnest(ARRAY[1e-9, 1e-3, 1, 30, 1e3, 1e6, 1e9, 1e12]::float8[]) tau;
CREATE TEMP TABLE bg_closed (model text, r float8, a float8, b float8, tau float8, value numeric);
INSERT INTO bg_closed SELECT '(1, 2, 1)', 1, 2, 1, tau, 2 * (1 - l1t / nt) FROM bg_tau;
INSERT INTO bg_closed SELECT '(1, 1, 1)', 1, 1, 1, tau, l1t FROM bg_tau;
INSERT INTO bg_closed SELECT '(1, 1/2, 1)', 1, 0.5, 1, tau, (sqrt(tau) * atan(sqrt(tau)))::numeric FROM bg_tau;
INSERT INTO bg_closed SELECT '(2, 2, 1)', 2, 2, 1, tau, 2 * nt / (1 + nt) FROM bg_tau;
INSERT INTO bg_closed SELECT '(1e-300, 2, 1)', 1e-300, 2, 1, tau, 1e-300 * 2 * ((1 + nt) * l1t / nt - 1) FROM bg_tau;
INSERT INTO bg_closed SELECT '(0.7, 1e12, 3e12)', 0.7, 1e12, 3e12, tau, 4 * (1 - pg_temp.npow(1 + nt / 4, -0.7)) FROM bg_tau;
SELECT model, count(*) AS horizons,
       count(*) FILTER (WHERE abs(bgnbd_expected_purchases(ROW(r, 1, a, b, NULL, NULL, NULL)::bgnbd, tau)::numeric
                                  / value - 1) < 1e-10) AS within_1e_10
FROM bg_closed GROUP BY model ORDER BY model;
-- Models fits produce, against equation 10 with every input at 80
-- decimals: a = 824669, b = 1.76e7 (a real bgnbd_fit result, 22003 before);
-- b = 3a for a = 500 to 1e6 (22003 from a = 1000 on); b = 1e14 (2% off
-- before); for a new client and for x = 3, t_x = 10, T = 30.
CREATE FUNCTION pg_temp.expected80(r numeric, al numeric, a numeric, b numeric, t numeric, x numeric, tx numeric, bigt numeric) RETURNS numeric
LANGUAGE sql AS $$
SELECT (a + b + x - 1) / (a - 1)
       * (1 - pg_temp.npow((al + bigt) / (al + bigt + t), r + x)
              * pg_temp.f21(r + x, b + x, a + b + x - 1, round((t / (al + bigt + t)), 80), 4000))
       * pg_temp.p_alive(r, al, a, b, x, tx, bigt)
FROM (SELECT round(r, 80) AS r, round(al, 80) AS al, round(a, 80) AS a, round(b, 80) AS b, round(t, 80) AS t,
             round(x, 80) AS x, round(tx, 80) AS tx, round(bigt, 80) AS bigt) v $$;
SELECT a, b, x,
       abs(bgnbd_expected_purchases(ROW(0.24, 4.41, a, b, NULL, NULL, NULL)::bgnbd, 10, x, tx, bigt)
           / pg_temp.expected80(0.24, 4.41, a::numeric, b::numeric, 10, x, tx, bigt)::float8 - 1) < 1e-10 AS expected_ok
FROM (VALUES (824669, 1.76e7), (500, 1500), (1000, 3000), (1e4, 3e4), (1e6, 3e6), (0.79, 1e14)) m(a, b),
     (VALUES (0, 0, 0), (3, 10, 30)) h(x, tx, bigt)
ORDER BY a, x;
-- b = 1e300: p is 0 for everyone, and the limit r t / alpha is exact
SELECT abs(bgnbd_expected_purchases(ROW(0.24, 4.41, 0.79, 1e300, NULL, NULL, NULL)::bgnbd, 10) / (0.24 * 10 / 4.41) - 1) < 1e-15 AS no_dropout_limit;
-- b = 3a for a up to 1e300 (the tracker's ROW(0.24, 4.41, a, 3 * a, 0,
-- 100, true)): p concentrates at 1/4, the limit 4 (1 - (1 + t/(4 alpha))^-r)
SELECT a, abs(bgnbd_expected_purchases(ROW(0.24, 4.41, a, 3 * a, 0, 100, true)::bgnbd, 10)
              / (4 * (1 - (1 + 10 / 4.41 / 4) ^ -0.24)) - 1) < 1e-10 AS p_quarter_limit
FROM unnest(ARRAY[1e14, 1e100, 1e300]::float8[]) a ORDER BY a;
-- a and b small (mass near p = 0 and p = 1, a tail 1/b long in logit p),
-- against equation 10 at 80 decimals
SELECT count(*) AS cases,
       count(*) FILTER (WHERE abs(bgnbd_expected_purchases(ROW(r, 1, a, b, NULL, NULL, NULL)::bgnbd, 30, x, tx, bigt)
                                  / pg_temp.expected80(r::numeric, 1, a::numeric, b::numeric, 30, x, tx, bigt)::float8 - 1) < 1e-10) AS within_1e_10
FROM unnest(ARRAY[1e-4, 0.5, 3]::float8[]) r, unnest(ARRAY[1e-12, 1e-6, 1e-3, 0.1]::float8[]) a,
     unnest(ARRAY[1e-12, 1e-6, 0.01, 2]::float8[]) b, (VALUES (0, 0, 0), (3, 10, 30)) h(x, tx, bigt);
-- Each way the expectation is computed, against equation 10 at 80
-- decimals, on a grid that crosses where one hands over to the next:
-- Euler's series (its coefficients shared by the horizons of a call) while
-- it does not cancel, that is while b is not much larger than r + x; its
-- alternating form when a + b < 1 + r; the series of positive terms for z
-- up to 0.9; the quadrature beyond.  b from 0.3 to 3e6, new clients, light
-- and heavy buyers, z = t / (alpha + T + t) from 0.02 to 0.97 (near 1
-- Euler's series would need more terms than it may take).
SELECT count(*) AS cases,
       count(*) FILTER (WHERE abs(bgnbd_expected_purchases(ROW(r, 10, a, b, NULL, NULL, NULL)::bgnbd, t, x, tx, bigt)
                                  / pg_temp.expected80(r::numeric, 10, a::numeric, b::numeric, t::numeric, x, tx, bigt)::float8 - 1) < 1e-10) AS within_1e_10
FROM unnest(ARRAY[0.25, 2]::float8[]) r, unnest(ARRAY[0.5, 1.2, 3]::float8[]) a,
     unnest(ARRAY[0.3, 3, 30, 300, 3e3, 3e4, 3e6]::float8[]) b,
     (VALUES (0, 0, 0), (3, 10, 30), (40, 29, 30)) h(x, tx, bigt),
     unnest(ARRAY[1, 30, 300]::float8[]) t;
-- a = b = 1e-300: p is 0 or 1 with probability 1/2 each, so a new client
-- buys (r tau + 1 - (1 + tau)^-r) / 2, tau = t / alpha
SELECT r, al, abs(bgnbd_expected_purchases(ROW(r, al, 1e-300, 1e-300, NULL, NULL, NULL)::bgnbd, 1000)
                  / (0.5 * r * 1000 / al + 0.5 * g1) - 1) < 1e-12 AS two_point_limit
FROM (VALUES (1e-4::float8, 1::float8), (1e-300, 1e-4), (2, 1)) v(r, al),
     -- 1 - (1 + tau)^-r, its first-order term r ln(1 + tau) for tiny r
     LATERAL (SELECT CASE WHEN r < 1e-100 THEN r * ln(1 + 1000 / al) ELSE 1 - (1 + 1000 / al) ^ -r END AS g1) e
ORDER BY r, al;
-- Over a grid of extreme models (every parameter 1e-300, 1e-4, 1, 1e4 or
-- 1e300), histories and horizons: P(alive) in [0, 1]; the expectation
-- finite, at least 0, at most (r+x) t / (alpha+T) (purchases at the
-- client's rate with no dropout) and not falling as t grows (to 1e-9); no error
-- unless that bound exceeds 1e300 or two parameters or more sit at the
-- ends of the double range (where some are refused, never answered wrong).
CREATE FUNCTION pg_temp.try_expected(m bgnbd, t float8, x float8, tx float8, bigt float8) RETURNS float8
LANGUAGE plpgsql AS $$
BEGIN
    RETURN bgnbd_expected_purchases(m, t, x, tx, bigt);
EXCEPTION WHEN numeric_value_out_of_range THEN
    RETURN NULL;
END $$;
CREATE TEMP TABLE bg_grid AS
SELECT r, al, a, b, x, tx, bigt, t1, t2,
       ROW(r, al, a, b, NULL, NULL, NULL)::bgnbd AS m,
       ln(r + x) + ln(t2) - ln(al + bigt) AS ln_bound2,
       (abs(ln(r)) > 600)::int + (abs(ln(al)) > 600)::int + (abs(ln(a)) > 600)::int + (abs(ln(b)) > 600)::int AS extremes
FROM unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) r,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) al,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) a,
     unnest(ARRAY[1e-300, 1e-4, 1, 1e4, 1e300]::float8[]) b,
     (VALUES (0, 0, 0), (1000, 29, 30)) h(x, tx, bigt),
     (VALUES (1, 1e3)) th(t1, t2);
CREATE TEMP TABLE bg_grid_values AS
SELECT *, pg_temp.try_expected(m, t1, x, tx, bigt) AS e1, pg_temp.try_expected(m, t2, x, tx, bigt) AS e2,
       bgnbd_p_alive(m, x, tx, bigt) AS p
FROM bg_grid;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE NOT p BETWEEN 0 AND 1) AS p_alive_out_of_range,
       count(*) FILTER (WHERE e2 IS NULL AND ln_bound2 < ln(1e300) AND extremes <= 1) AS errors_below_bound,
       count(*) FILTER (WHERE e1 < 0 OR e2 < 0 OR e1 > e2 * (1 + 1e-9)
                              OR (e2 > 0 AND ln(e2) > ln_bound2 + 1e-12) OR e1 = 'Infinity' OR e2 = 'Infinity') AS wrong_values
FROM bg_grid_values;

-- any split of the rows gives the same fit, bit for bit
CREATE TABLE bg_big AS SELECT (i % 1000) + 1 AS j, i FROM generate_series(1, 20000) i;
CREATE TABLE bg_rows AS SELECT b.i, h.frequency, h.recency, h.age + (b.i % 7) AS age FROM bg_big b JOIN bg_hist h ON h.i = b.j;
CREATE TABLE bg_serial AS SELECT bgnbd_fit(frequency, recency, age ORDER BY i) AS f FROM bg_rows;
\i test/parallel_plans.sql
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM bg_rows) = f AS parallel_result_equals_serial,
       (f).converged, (f).clients
FROM bg_serial;
CREATE TABLE bg_part (i int, frequency float8, recency float8, age float8) PARTITION BY HASH (i);
CREATE TABLE bg_part_0 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE bg_part_1 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE bg_part_2 PARTITION OF bg_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO bg_part SELECT * FROM bg_rows;
ANALYZE bg_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM bg_part) = f AS partitionwise_result_equals_serial FROM bg_serial;
-- grouped: one fit per segment
SELECT count(*) AS segments, bool_and(p.f = s.f) AS partitionwise_result_equals_serial
FROM (SELECT i % 2 AS seg, bgnbd_fit(frequency, recency, age) AS f FROM bg_part GROUP BY 1) p
JOIN (SELECT i % 2 AS seg, bgnbd_fit(frequency, recency, age ORDER BY i) AS f FROM bg_rows GROUP BY 1) s USING (seg);
RESET ALL;
DROP TABLE bg_hist, bg_fit, bg_model, bg_big, bg_rows, bg_serial, bg_part;
