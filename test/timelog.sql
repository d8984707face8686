/*
 * test/timelog.sql: deterministic generator of the time-tracking data of the
 * demo ledger's clients, for time-driven costing (docs/allocation.md).  Run
 * with psql -v clients=N after test/ledger.sql; re-runnable.
 *
 * Makes two tables in schema cprof_demo (created if missing; only these two
 * tables are dropped and re-created):
 *   time_log(staff, department, client_id, month, hours)
 *       hours that staff of three departments recorded on clients 1..N,
 *       one row per staff member, client and month (hours numeric(7,2),
 *       in quarter hours).  support and account_management serve clients
 *       after the sale (the ledger's 'service' kind); presales works on them
 *       in the two months up to their acquisition ('sales').
 *   cost_pools(department, month, amount, capacity_hours)
 *       what each department cost in the month (numeric(12,2): salaries and
 *       overhead of its staff) and its practical capacity in hours (130 hours
 *       a month per person, about 80% of the time paid for).
 * Months run from 2024-01 to 2025-12, the span of the ledger.  The staff of
 * a department grows in steps, its demand with the client base, so some
 * department-months are under-used (idle capacity) and some over-used.
 *
 * The clients' segments and active months come from cprof_demo.clients
 * when it exists (acquired_on, churned_on); otherwise they are drawn here.
 * Department sizes scale with N, so the utilisation does not depend on it.
 * No random(): every draw is hashint8 of the row and a salt.
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS cprof_demo;
DROP TABLE IF EXISTS cprof_demo.time_log;
DROP TABLE IF EXISTS cprof_demo.cost_pools;

-- u(i, salt): a deterministic uniform draw in (0, 1)
CREATE OR REPLACE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;

-- The clients 1..N: segment, first and last month of activity, and how
-- demanding each one is (a heavy-tailed factor: a few small clients take
-- far more time than their revenue suggests).
SELECT to_regclass('cprof_demo.clients') IS NOT NULL AS have_clients \gset
\if :have_clients
CREATE TEMP TABLE tl_clients AS
SELECT client_id, segment,
       date_trunc('month', acquired_on)::date AS first_month,
       date_trunc('month', coalesce(churned_on, date '2025-12-31'))::date AS last_month
FROM cprof_demo.clients WHERE client_id BETWEEN 1 AND :clients;
\else
CREATE TEMP TABLE tl_clients AS
SELECT c AS client_id,
       (ARRAY['Consumer', 'SMB', 'SMB', 'Mid-market', 'Mid-market', 'Enterprise'])[1 + (pg_temp.u(c, 31) * 6)::int % 6] AS segment,
       date_trunc('month', date '2024-01-01' + (pg_temp.u(c, 32) * 600)::int)::date AS first_month,
       least(date_trunc('month', date '2024-01-01' + (pg_temp.u(c, 32) * 600)::int
                                 + (ceil(ln(pg_temp.u(c, 33)) / ln(0.97)) * 30)::int)::date,
             date '2025-12-01') AS last_month
FROM generate_series(1, :clients) c;
\endif
ALTER TABLE tl_clients ADD COLUMN demand double precision;
UPDATE tl_clients SET demand = least(pg_temp.u(client_id, 34) ^ (-0.6), 12);

-- The departments: the monthly cost of a person (salary and overhead);
-- what a client of each segment needs from each: the probability of a
-- month with hours, and their mean.
CREATE TEMP TABLE tl_departments (department text, cost numeric);
INSERT INTO tl_departments VALUES ('support', 5200), ('account_management', 7500), ('presales', 6800);
CREATE TEMP TABLE tl_needs (department text, segment text, probability double precision, hours double precision);
INSERT INTO tl_needs VALUES
    ('support', 'Consumer', 0.03, 0.25), ('support', 'SMB', 0.05, 0.3),
    ('support', 'Mid-market', 0.10, 0.5), ('support', 'Enterprise', 0.25, 1.0),
    ('account_management', 'Mid-market', 0.15, 0.3), ('account_management', 'Enterprise', 0.60, 0.75),
    -- presales: in the month of the acquisition and the month before
    ('presales', 'Consumer', 0.10, 0.25), ('presales', 'SMB', 0.30, 0.3),
    ('presales', 'Mid-market', 0.60, 1.0), ('presales', 'Enterprise', 1, 2.5);

CREATE TEMP TABLE tl_months AS
SELECT m::date AS month FROM generate_series(date '2024-01-01', date '2025-12-01', interval '1 month') m;

/*
 * Hours: the mean x the client's demand x a monthly draw, in quarter hours,
 * in the months the department works for the client, with its probability.
 */
CREATE TEMP TABLE tl_hours AS
SELECT n.department, c.client_id, m.month, k.key,
       greatest(round((n.hours * c.demand * (0.25 + 1.5 * pg_temp.u(k.key, 42)) * 4)::numeric) / 4, 0.25) AS hours
FROM tl_clients c
JOIN tl_needs n USING (segment)
JOIN tl_months m ON CASE WHEN n.department = 'presales'
                         THEN m.month IN (c.first_month, (c.first_month - interval '1 month')::date)
                         ELSE m.month BETWEEN c.first_month AND c.last_month END
CROSS JOIN LATERAL (SELECT (c.client_id * 100 + (m.month - date '2024-01-01') / 28) * 8 + length(n.department) AS key) k
WHERE pg_temp.u(k.key, 43) < n.probability;

/*
 * Staffing: every quarter a department is staffed for the hours it
 * recorded on average in the quarter's months, at a planned utilisation
 * drawn between 60% and 115% (at least one person): the months vary around
 * it, so some are under-used and some over-used.
 */
CREATE TEMP TABLE tl_staff AS
SELECT d.department, m.month,
       greatest(round(q.avg_hours / (130 * (0.60 + 0.55 * pg_temp.u(q.qkey, 45)))), 1)::int AS staff
FROM tl_departments d CROSS JOIN tl_months m
JOIN (SELECT d2.department, date_trunc('quarter', m2.month) AS quarter,
             sum(coalesce(h.hours, 0)) / 3 AS avg_hours,
             extract(epoch FROM date_trunc('quarter', m2.month))::bigint + length(d2.department) AS qkey
      FROM tl_departments d2 CROSS JOIN tl_months m2
      LEFT JOIN (SELECT department, month, sum(hours) AS hours FROM tl_hours GROUP BY 1, 2) h
        ON h.department = d2.department AND h.month = m2.month
      GROUP BY 1, 2, 4) q
  ON q.department = d.department AND q.quarter = date_trunc('quarter', m.month);

-- each row of hours goes to one member of the department's staff
CREATE TABLE cprof_demo.time_log AS
SELECT h.department || '-' || lpad(n::text, greatest(3, length(n::text)), '0') AS staff,
       h.department, h.client_id, h.month, h.hours::numeric(7, 2) AS hours
FROM tl_hours h
JOIN tl_staff s USING (department, month)
CROSS JOIN LATERAL (SELECT 1 + (pg_temp.u(h.key, 41) * s.staff)::int % s.staff AS n) k;

CREATE TABLE cprof_demo.cost_pools AS
SELECT s.department, s.month,
       round((s.staff * d.cost * (0.97 + 0.06 * pg_temp.u(extract(epoch FROM s.month)::bigint + length(d.department), 44)))::numeric, 2)::numeric(12, 2) AS amount,
       (s.staff * 130)::numeric(8, 1) AS capacity_hours
FROM tl_staff s JOIN tl_departments d USING (department);
ALTER TABLE cprof_demo.cost_pools ADD PRIMARY KEY (department, month);
VACUUM ANALYZE cprof_demo.time_log;
VACUUM ANALYZE cprof_demo.cost_pools;
DROP TABLE tl_clients, tl_needs, tl_departments, tl_months, tl_hours, tl_staff;
RESET client_min_messages;
