-- test/fuzz/ledger.sql: the small database sqlsmith works on (test/fuzz/run.sh).
-- Tables with a column of every type a cprof function takes, so that the
-- random queries can call them on real columns: a ledger (numeric, double
-- precision and integer amounts, kinds, dates, times), client histories,
-- fitted models, profit values and concentration parameters.  NULLs,
-- negative amounts, refunds and zeros are included.  Generated, no files.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE ledger AS
SELECT i AS entry,
       1 + (i * 7919) % 40 AS client,
       '2021-01-01'::date + (i * 37) % 700 AS booked,
       '2021-01-01 08:00+00'::timestamptz + ((i * 37) % 700) * interval '1 day' + (i % 24) * interval '1 hour' AS booked_at,
       (ARRAY['revenue', 'discount', 'cogs', 'service', 'sales', 'commission', 'quality',
              'acquisition', 'bad_debt', 'referral'])[1 + i % 10] AS kind,
       CASE WHEN i % 17 = 0 THEN NULL
            WHEN i % 23 = 0 THEN -((i % 500) + 0.5)
            ELSE ((i * 131) % 5000) / 4.0 END::numeric(12, 2) AS amount,
       CASE WHEN i % 19 = 0 THEN NULL ELSE ((i * 131) % 5000) / 4.0 END::float8 AS amount_f,
       ((i * 13) % 200 - 20)::int AS qty,
       ((i * 13) % 200 - 20)::smallint AS qty_s,
       ((i * 13) % 200 - 20)::bigint AS qty_b
FROM generate_series(1, 600) i;

CREATE TABLE histories AS
SELECT c AS client,
       f::float8 AS frequency,
       CASE WHEN f = 0 THEN 0 ELSE least(38.0, f * 3.5 + c % 5) END::float8 AS recency,
       38.0::float8 + c % 3 AS age,
       CASE WHEN f = 0 THEN 0 ELSE 10 + (c * 7) % 90 END::float8 AS monetary
FROM generate_series(1, 60) c, LATERAL (SELECT (c * 7) % 9 AS f) x;

CREATE TABLE models AS
SELECT ROW(0.243, 4.414, 0.793, 2.426, -9582.4, 2357, true)::bgnbd AS bg,
       ROW(0.553, 10.58, 0.606, 11.67, -9595.0, 2357, true)::pareto_nbd AS pn,
       ROW(6.25, 3.74, 15.44, -4000, 946, true)::gamma_gamma AS gg,
       12 AS months, 0.01::float8 AS monthly_discount, 4.345::float8 AS units_per_month;

CREATE TABLE profits AS
SELECT client, client_profit(amount, kind) AS p, client_profit(amount_f, kind) AS pf
FROM ledger GROUP BY client;

CREATE TABLE settings AS
SELECT x AS share, ARRAY[0.1, x, 0.9]::float8[] AS fractions, (x * 20)::int AS points,
       (x * 10)::bigint AS n, interval '7 days' * x AS unit, 0.8::float8 * x AS retention
FROM unnest(ARRAY[0.2, 0.5, 0.8]::float8[]) x;

ANALYZE;
