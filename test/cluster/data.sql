/*
 * test/cluster/data.sql: the deterministic test data of the cluster tests,
 * derived from test/ledger.sql (run it first with -v entries=N).  Makes plain
 * local tables; the test scripts then copy each T into T_local and distribute
 * or shard T by client_id.
 *
 *   facts(client_id, segment, month, kind, amount numeric, amount_f double,
 *         amount_i2 smallint, amount_i4 integer, amount_i8 bigint,
 *         revenue, cost (numeric), revenue_f, cost_f, revenue_i2, cost_i2,
 *         revenue_i4, cost_i4, revenue_i8, cost_i8)
 *       one row per ledger entry, every input type of client_profit
 *   monthly(client_id, segment, month, p profit)
 *       client_profit(amount, kind) per client and month, input of
 *       client_profit(profit)
 *   purchases(client_id, segment, booked_on date, booked_at timestamptz, amount)
 *       the revenue entries with a positive amount, input of rfm
 *   histories(client_id, segment, cohort, channel, frequency, recency, age,
 *             monetary, profit, tenure, churned)
 *       two rows per client (channels web and store): a simulated purchase
 *       history in weeks, input of the model fits and of cohort_ltv
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP TABLE IF EXISTS facts, monthly, purchases, histories;

-- The smallint and integer amounts are the numeric ones rounded (smallint
-- also reduced modulo 30000 to fit); bigint is in cents.
CREATE TABLE facts AS
SELECT l.client_id, c.segment, date_trunc('month', l.booked_on)::date AS month, l.kind,
       l.amount, l.amount_f,
       (round(l.amount)::bigint % 30000)::smallint AS amount_i2,
       round(l.amount)::integer AS amount_i4,
       (l.amount * 100)::bigint AS amount_i8,
       CASE WHEN r THEN l.amount ELSE 0 END AS revenue,
       CASE WHEN r THEN 0 ELSE l.amount END AS cost,
       CASE WHEN r THEN l.amount_f ELSE 0 END AS revenue_f,
       CASE WHEN r THEN 0 ELSE l.amount_f END AS cost_f,
       CASE WHEN r THEN (round(l.amount)::bigint % 30000)::smallint ELSE 0::smallint END AS revenue_i2,
       CASE WHEN r THEN 0::smallint ELSE (round(l.amount)::bigint % 30000)::smallint END AS cost_i2,
       CASE WHEN r THEN round(l.amount)::integer ELSE 0 END AS revenue_i4,
       CASE WHEN r THEN 0 ELSE round(l.amount)::integer END AS cost_i4,
       CASE WHEN r THEN (l.amount * 100)::bigint ELSE 0 END AS revenue_i8,
       CASE WHEN r THEN 0 ELSE (l.amount * 100)::bigint END AS cost_i8
FROM cprof_demo.ledger l
JOIN cprof_demo.clients c USING (client_id)
CROSS JOIN LATERAL (SELECT l.kind IN ('revenue', 'referral') AS r) k;

CREATE TABLE monthly AS
SELECT client_id, segment, month, client_profit(amount, kind) AS p
FROM facts GROUP BY client_id, segment, month;

CREATE TABLE purchases AS
SELECT l.client_id, c.segment, l.booked_on, l.booked_on::timestamptz + interval '13 hours' AS booked_at, l.amount
FROM cprof_demo.ledger l JOIN cprof_demo.clients c USING (client_id)
WHERE l.kind = 'revenue' AND l.amount > 0;

-- Two purchase histories per client, one per sales channel, simulated from
-- the BG/NBD and Gamma-Gamma models (test/clv/simulate.sql; the ledger's own
-- histories are too short for the fits to converge quickly); a channel's
-- profit is its spend, its tenure its age, and it counts as churned when its
-- last purchase is older than half its age.
\ir ../clv/simulate.sql
CREATE TABLE histories AS
SELECT c.client_id, c.segment, to_char(c.acquired_on, 'YYYY') AS cohort, s.channel,
       s.frequency, s.recency, s.age, s.monetary,
       round((s.frequency * s.monetary)::numeric, 2) AS profit,
       s.age AS tenure,
       s.recency < s.age / 2 AS churned
FROM cprof_demo.clients c
JOIN (SELECT 1 + (client - 1) / 2 AS client_id, CASE client % 2 WHEN 0 THEN 'web' ELSE 'store' END AS channel,
             frequency, recency, age, monetary
      FROM pg_temp.clv_simulate(2 * (SELECT max(client_id) FROM cprof_demo.clients)::int, 0.5, 6, 0.8, 2.5, 6, 4, 15, 52, 11)) s
  USING (client_id);
