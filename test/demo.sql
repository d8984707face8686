/*
 * test/demo.sql: the report `make demo` prints, read only through cprof's
 * functions from the demo data in the schema cprof_demo.  Re-runnable in
 * any database where cprof can be installed: it installs cprof if missing
 * and generates the demo ledger (test/ledger.sql: 20,000 clients, 200,000
 * entries) only when cprof_demo.ledger does not exist yet.  It writes no
 * table outside pg_temp.  With -v picture_dir=DIR it also writes the data
 * of the two pictures there (whale_curve.csv, waterfall.csv; test/pictures/),
 * which `make demo` draws with gnuplot.
 */
\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cprof;
SELECT to_regclass('cprof_demo.ledger') IS NULL AS need_ledger \gset
\if :need_ledger
\set entries 200000
\echo 'generating the demo ledger (20,000 clients, 200,000 entries) ...'
\ir ledger.sql
SET client_min_messages = warning;
\endif
-- the demo tables first, then wherever cprof and the rest already are
SELECT set_config('search_path', 'cprof_demo, ' || current_setting('search_path'), false) \gset

-- A margin is a ratio over revenue: with no revenue, or refunds above sales
-- (revenue <= 0), it means nothing, and the report leaves it empty, as
-- client_profit's own margin does.
CREATE OR REPLACE FUNCTION pg_temp.margin_pct(p profit) RETURNS numeric
    LANGUAGE sql IMMUTABLE
    RETURN round((p).margin::numeric * 100, 1);  -- NULL unless revenue > 0

-- one P&L per client, the base of every section below
DROP TABLE IF EXISTS pg_temp.client_pnl;
CREATE TEMP TABLE client_pnl AS
SELECT c.client_id, c.name, c.segment, c.acquired_on, c.churned_on,
       client_profit(l.amount, l.kind) AS p
FROM ledger l JOIN clients c USING (client_id)
GROUP BY c.client_id, c.name, c.segment, c.acquired_on, c.churned_on;

\echo
\echo '== Company P&L waterfall (client_profit over the whole ledger) =='
SELECT line, to_char(amount, 'FM999,999,999,990.00') AS amount
FROM (SELECT client_profit(amount, kind) AS p FROM ledger) t,
LATERAL (VALUES (1, 'revenue', (p).revenue),
                (2, '- discount', (p).discount),
                (3, '- cogs', (p).cogs),
                (4, '= gross profit', (p).gross_profit),
                (5, '- cost to serve', (p).cost_to_serve),
                (6, '= contribution', (p).contribution),
                (7, '- acquisition', (p).acquisition),
                (8, '- bad debt', (p).bad_debt),
                (9, '= net profit', (p).net_profit),
                (10, '+ referral value', (p).referral),
                (11, '= total value', (p).total_value)) AS w(n, line, amount)
ORDER BY n;
SELECT pg_temp.margin_pct(p) AS "net margin %", (p).entries AS "ledger entries"
FROM (SELECT client_profit(amount, kind) AS p FROM ledger) t;

\echo
\echo '== The 10 most profitable clients =='
SELECT name, segment, (p).revenue, (p).net_profit,
       pg_temp.margin_pct(p) AS "margin %"
FROM client_pnl ORDER BY (p).net_profit DESC, client_id LIMIT 10;

\echo
\echo '== The 10 least profitable clients =='
SELECT name, segment, (p).revenue, (p).cost_to_serve, (p).net_profit,
       pg_temp.margin_pct(p) AS "margin %"
FROM client_pnl ORDER BY (p).net_profit, client_id LIMIT 10;

\echo
\echo '== Clients that lose money =='
SELECT count(*) FILTER (WHERE (p).net_profit < 0) AS "loss-making clients",
       round(100.0 * count(*) FILTER (WHERE (p).net_profit < 0) / count(*), 1) AS "% of clients",
       -(client_profit(p) FILTER (WHERE (p).net_profit < 0)).net_profit AS "profit they destroy",
       (client_profit(p) FILTER (WHERE (p).net_profit >= 0)).net_profit AS "profit of the others"
FROM client_pnl;

\echo
\echo '== Profit by segment (client_profit rolled up from the client P&Ls) =='
SELECT segment, count(*) AS clients, (client_profit(p)).revenue, (client_profit(p)).net_profit,
       pg_temp.margin_pct(client_profit(p)) AS "margin %",
       count(*) FILTER (WHERE (p).net_profit < 0) AS "loss-making"
FROM client_pnl GROUP BY segment ORDER BY (client_profit(p)).net_profit DESC;

\echo
\echo '== Concentration: the whale curve of net profit =='
SELECT round(pareto_share((p).revenue, 0.2)::numeric * 100, 1) AS "top 20% share of revenue %",
       round(pareto_share((p).net_profit, 0.2)::numeric * 100, 1) AS "top 20% share of profit %",
       round(pareto_fraction((p).net_profit, 1.0)::numeric * 100, 1) AS "% of clients making 100% of profit",
       round(gini((p).revenue)::numeric, 3) AS "gini of revenue"
FROM client_pnl;
SELECT abc, count(*) AS clients, (client_profit(p)).net_profit
FROM (SELECT p, pareto_class((p).revenue) OVER () AS abc FROM client_pnl) s
GROUP BY abc ORDER BY abc;

\echo
\echo '== Lifetime value by segment (cohort_ltv, 1% discount a month) =='
SELECT segment, (v).clients, (v).churned, round((v).churn_rate::numeric * 100, 2) AS "monthly churn %",
       round((v).expected_tenure::numeric, 1) AS "expected months", round((v).margin, 2) AS "margin a month",
       round((v).ltv, 2) AS ltv
FROM (SELECT segment,
             cohort_ltv((p).net_profit,
                        (coalesce(churned_on, date '2025-12-31') - acquired_on) / 30.4375,
                        churned_on IS NOT NULL, 0.01) AS v
      FROM client_pnl GROUP BY segment) s
ORDER BY (v).ltv DESC;

-- == Cost to serve from time and cost pools ==
-- test/demo_costing.sql generates cprof_demo.time_log and
-- cprof_demo.cost_pools (test/timelog.sql) and prints the costing report.
\ir demo_costing.sql

\if :{?picture_dir}
-- the data of the pictures, drawn by test/pictures/*.gp
\o :picture_dir/whale_curve.csv
\ir pictures/whale_curve.sql
\o :picture_dir/waterfall.csv
\ir pictures/waterfall.sql
\o
\endif
