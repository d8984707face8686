/*
 * test/ledger.sql: the demo ledger, a deterministic generated client ledger
 * shared by `make demo`, the demo cluster (`make demo-start`), `make bench`
 * and `make test-docs`.  Run with psql, optionally with -v entries=N
 * (200,000 when not given), in any database:
 *
 *     psql -X -v entries=200000 -f test/ledger.sql
 *
 * It makes two tables in the schema cprof_demo (created if missing), and
 * touches nothing outside that schema; re-running it replaces them (and
 * stops, changing nothing, if a view of yours depends on them):
 *   cprof_demo.clients(client_id, name, segment, acquired_on, churned_on)
 *       N/10 clients; churned_on is NULL for clients still active on
 *       2025-12-31, the end of the ledger.
 *   cprof_demo.ledger(entry_id, client_id, booked_on, kind, amount, amount_f)
 *       N entries of the ten kinds of docs/domain.md; amount is
 *       numeric(14,2), amount_f the same value as double precision; about
 *       1 entry in 40 is a reversal (a negative amount).
 *
 * No random(): every draw is hashint8 of the row number and a salt, so the
 * same N gives the same data on every machine.  Client sizes are Pareto
 * distributed (shape 1.08, capped), so about 20% of clients hold about 80%
 * of revenue; each client's costs are a client-specific ratio of its
 * revenue, so that 10 to 25% of clients lose money.
 */
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?entries}
\else
\set entries 200000
\endif

-- one transaction: a failure leaves the tables as they were
BEGIN;
CREATE SCHEMA IF NOT EXISTS cprof_demo;
COMMENT ON SCHEMA cprof_demo IS 'cprof demo data: the generated ledger (test/ledger.sql) and the CDNOW data set (test/cdnow/load.sql)';
DROP TABLE IF EXISTS cprof_demo.ledger;
DROP TABLE IF EXISTS cprof_demo.clients;

-- u(i, salt): a deterministic uniform draw in (0, 1)
CREATE OR REPLACE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;

CREATE TABLE cprof_demo.clients AS
SELECT c AS client_id,
       'client ' || lpad(c::text, 7, '0') AS name,
       CASE WHEN w >= 8 THEN 'Enterprise'
            WHEN w >= 2.5 THEN 'Mid-market'
            WHEN c % 3 = 0 THEN 'Consumer'
            ELSE 'SMB' END AS segment,
       acquired_on,
       CASE WHEN churn_month <= 24 AND acquired_on + (churn_month * 30) < date '2025-12-31'
            THEN acquired_on + (churn_month * 30) END AS churned_on,
       w AS weight,
       ratio
FROM (
    SELECT c,
           -- Pareto(1.08) size, capped so no single client dominates
           least(pg_temp.u(c, 1) ^ (-1 / 1.08), 5000) AS w,
           -- costs as a share of revenue: above 1 loses money
           0.36 + 0.60 * pg_temp.u(c, 2) AS ratio,
           date '2024-01-01' + (pg_temp.u(c, 3) * 600)::int AS acquired_on,
           -- geometric churn month, about 3% a month
           ceil(ln(pg_temp.u(c, 4)) / ln(0.97))::int AS churn_month
    FROM generate_series(1, greatest(:entries / 10, 1)) AS c
) s;
ALTER TABLE cprof_demo.clients ADD PRIMARY KEY (client_id);

/*
 * Entry i belongs to client 1 + i mod n and is that client's k-th entry
 * (k = i div n); k picks the kind from a cycle of ten in which revenue comes
 * three times, so a client's costs are about ratio x its revenue.
 */
CREATE TABLE cprof_demo.ledger AS
SELECT entry_id, client_id, booked_on, kind, amount, amount::double precision AS amount_f
FROM (
SELECT i AS entry_id,
       c.client_id,
       c.acquired_on + (pg_temp.u(i, 5) * (coalesce(c.churned_on, date '2025-12-31') - c.acquired_on))::int AS booked_on,
       k.kind,
       round((CASE WHEN i % 40 = 17 THEN -0.3 ELSE 1 END
              * c.weight * k.scale * (CASE WHEN k.kind = 'revenue' THEN 1 ELSE c.ratio END)
              * (0.5 + pg_temp.u(i, 6)))::numeric, 2) AS amount
FROM generate_series(0, :entries - 1) AS i
JOIN cprof_demo.clients c ON c.client_id = 1 + i % greatest(:entries / 10, 1)
JOIN (VALUES (0, 'revenue', 100.0), (1, 'discount', 20.0), (2, 'cogs', 120.0),
             (3, 'revenue', 100.0), (4, 'service', 40.0), (5, 'sales', 30.0),
             (6, 'revenue', 100.0), (7, 'commission', 15.0), (8, 'quality', 10.0),
             (9, 'acquisition', 60.0), (10, 'bad_debt', 8.0), (11, 'referral', 12.0))
     AS k(slot, kind, scale)
  ON k.slot = ((i / greatest(:entries / 10, 1)) + c.client_id) % 12
) e;
ALTER TABLE cprof_demo.clients DROP COLUMN weight, DROP COLUMN ratio;
COMMENT ON TABLE cprof_demo.clients IS 'cprof demo: generated clients (test/ledger.sql)';
COMMENT ON TABLE cprof_demo.ledger IS 'cprof demo: generated ledger entries of the kinds client_profit knows (test/ledger.sql)';
COMMIT;
VACUUM ANALYZE cprof_demo.clients;
VACUUM ANALYZE cprof_demo.ledger;
RESET client_min_messages;
