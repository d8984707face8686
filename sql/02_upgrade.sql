-- 02_upgrade: an installed 1.0 with users' objects on it (views, a
-- materialized view, a stored profit column) survives ALTER EXTENSION
-- UPDATE, and the updated extension's catalog is identical to a fresh
-- install of the default version: every member with its definition
-- (functions, aggregates with their support functions and state types,
-- types with their fields, comments).  Keep this test for every version.
SELECT current_database() AS regress_db \gset
\set VERBOSITY terse
SET client_min_messages = warning;
DROP DATABASE IF EXISTS cprof_upgraded;
DROP DATABASE IF EXISTS cprof_fresh;
RESET client_min_messages;
CREATE DATABASE cprof_upgraded;
CREATE DATABASE cprof_fresh;

-- The description of every member of the extension, one line each,
-- independent of OIDs, kept in a psql variable across the two databases.
\set describe 'SELECT d.line FROM (SELECT pg_describe_object(classid, objid, 0) || '' | '' || coalesce(obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)), ''<no comment>'') AS line FROM pg_depend WHERE refclassid = ''pg_extension''::regclass AND refobjid = (SELECT oid FROM pg_extension WHERE extname = ''cprof'') AND deptype = ''e'' UNION ALL SELECT ''function '' || p.oid::regprocedure || '' | '' || concat_ws('' '', p.prorettype::regtype, p.prosrc, p.prolang::regprocedure, p.provolatile, p.proparallel, p.proisstrict, p.proretset, p.prokind, p.procost, p.prorows, coalesce(pg_get_expr(p.proargdefaults, 0), ''-''), coalesce(array_to_string(p.proargnames, '',''), ''-'')) FROM pg_proc p JOIN pg_depend e ON e.classid = ''pg_proc''::regclass AND e.objid = p.oid AND e.deptype = ''e'' AND e.refobjid = (SELECT oid FROM pg_extension WHERE extname = ''cprof'') UNION ALL SELECT ''aggregate '' || a.aggfnoid::regprocedure || '' | '' || concat_ws('' '', a.aggkind, a.aggnumdirectargs, a.aggtransfn::regprocedure, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify, a.aggsortop, a.aggtranstype::regtype, a.aggtransspace, a.aggmtranstype::regtype, a.aggmtransspace, coalesce(a.agginitval, ''-''), coalesce(a.aggminitval, ''-'')) FROM pg_aggregate a JOIN pg_depend e ON e.classid = ''pg_proc''::regclass AND e.objid = a.aggfnoid AND e.deptype = ''e'' AND e.refobjid = (SELECT oid FROM pg_extension WHERE extname = ''cprof'') UNION ALL SELECT ''type '' || t.oid::regtype || '' | '' || concat_ws('' '', t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typanalyze, t.typcategory, (SELECT string_agg(attname || '' '' || format_type(atttypid, atttypmod), '', '' ORDER BY attnum) FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped)) FROM pg_type t JOIN pg_depend e ON e.classid = ''pg_type''::regclass AND e.objid = t.oid AND e.deptype = ''e'' AND e.refobjid = (SELECT oid FROM pg_extension WHERE extname = ''cprof'')) d'

-- 1.0 with a user's objects on it, then the update
\c cprof_upgraded
CREATE EXTENSION cprof VERSION '1.0';
CREATE TABLE ledger (client_id int, month date, amount numeric, kind text);
INSERT INTO ledger
SELECT c, date '2025-01-01' + (m * interval '1 month'), ((c * 37 + m * 11) % 500) / 4.0,
       (ARRAY['revenue', 'discount', 'cogs', 'service', 'acquisition'])[1 + (c + m) % 5]
FROM generate_series(1, 50) c, generate_series(0, 11) m;
CREATE VIEW client_pnl AS
    SELECT client_id, (client_profit(amount, kind)).* FROM ledger GROUP BY client_id;
CREATE MATERIALIZED VIEW monthly_pnl AS
    SELECT client_id, month, client_profit(amount, kind) AS pnl FROM ledger GROUP BY client_id, month;
CREATE TABLE stored_pnl AS SELECT client_id, pnl FROM monthly_pnl;
CREATE VIEW concentration AS
    SELECT pareto_share(net_profit) AS top20, hhi(revenue) AS hhi FROM client_pnl;
-- every other aggregate whose state type changes: hhi, cohort_ltv and rfm
-- in views, a materialized view and stored values
CREATE VIEW client_rfm AS
    SELECT client_id, rfm(month, amount, date '2025-12-31', '1 month') AS by_day,
           rfm(month::timestamptz, amount, timestamptz '2025-12-31 00:00+00', '7 days') AS by_time
    FROM ledger WHERE kind = 'revenue' GROUP BY client_id;
CREATE VIEW cohorts AS
    SELECT client_id % 4 AS cohort,
           cohort_ltv(net_profit, (client_id % 13 + 1)::float8, client_id % 3 = 0) AS plain,
           cohort_ltv(net_profit, (client_id % 13 + 1)::float8, client_id % 3 = 0, 0.01) AS discounted
    FROM client_pnl GROUP BY 1;
CREATE MATERIALIZED VIEW segment_summary AS
    SELECT client_id % 3 AS segment, hhi(amount) AS hhi, hhi(amount::float8) AS hhi_f, hhi(amount::int) AS hhi_i,
           cohort_ltv(amount, 1.0, kind = 'cogs') AS cohort,
           rfm(month, amount, date '2025-12-31', '1 day') AS rfm,
           client_profit(amount, amount / 3) AS net
    FROM ledger GROUP BY 1;
-- the model fits, over the per-client summaries (their warnings, as the 50
-- clients do not make every model converge, are not the point here)
CREATE VIEW fits AS
    SELECT bgnbd_fit((r).frequency, (r).recency, (r).age) AS bgnbd,
           pareto_nbd_fit((r).frequency, (r).recency, (r).age) AS pareto_nbd,
           gamma_gamma_fit((r).frequency, (r).monetary) AS gamma_gamma
    FROM (SELECT by_day AS r FROM client_rfm) c;
CREATE TABLE stored_values AS
    SELECT r.client_id, r.by_day, c.plain, c.discounted FROM client_rfm r LEFT JOIN cohorts c ON c.cohort = r.client_id;
-- the 1.0 definitions at work on the 1.1 library before the update:
-- partial aggregation (partitionwise: their serialize, deserialize and
-- combine functions) and moving window frames (their inverse functions)
CREATE TABLE ledger_parts (LIKE ledger) PARTITION BY HASH (client_id);
CREATE TABLE ledger_parts_0 PARTITION OF ledger_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE ledger_parts_1 PARTITION OF ledger_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO ledger_parts SELECT * FROM ledger;
ANALYZE ledger_parts;
SET enable_partitionwise_aggregate = on;
CREATE VIEW split AS
    SELECT kind, client_profit(amount, kind) AS pnl, client_profit(amount, -amount) AS net, hhi(amount),
           cohort_ltv(amount, 2.0, amount > 50, 0.1), rfm(month, amount, date '2025-12-31', '1 day'),
           bgnbd_fit(client_id % 5, client_id % 5, 12), gamma_gamma_fit(1 + client_id % 3, amount + 1)
    FROM ledger_parts GROUP BY kind;
CREATE VIEW moving AS
    SELECT client_id, month, client_profit(amount, kind) OVER w AS pnl, client_profit(amount, 0) OVER w AS net
    FROM ledger WINDOW w AS (PARTITION BY client_id ORDER BY month ROWS 2 PRECEDING);
-- the answers before the update, to compare after it
SET client_min_messages = error;
CREATE TABLE before_update AS
    SELECT (SELECT string_agg(c::text, ';' ORDER BY client_id) FROM client_pnl c) AS pnl,
           (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM monthly_pnl GROUP BY client_id) r) AS rollup,
           (SELECT c::text FROM concentration c) AS conc,
           (SELECT string_agg(r::text, ';' ORDER BY client_id) FROM client_rfm r) AS rfm,
           (SELECT string_agg(c::text, ';' ORDER BY cohort) FROM cohorts c) AS cohorts,
           (SELECT string_agg(s::text, ';' ORDER BY segment) FROM segment_summary s) AS summary,
           (SELECT string_agg(s::text, ';' ORDER BY kind) FROM split s) AS split,
           (SELECT string_agg(m::text, ';' ORDER BY client_id, month) FROM moving m) AS moving,
           (SELECT f::text FROM fits f) AS fits;
RESET client_min_messages;
CREATE FUNCTION plan_has(q text, pattern text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || ' ';
    END LOOP;
    RETURN plan LIKE pattern;
END $$;
SELECT (SELECT count(*) FROM client_rfm) AS clients_with_revenue,
       (SELECT count(*) FROM split) AS kinds,
       plan_has('SELECT * FROM split', '%Finalize%Partial%') AS partial_aggregation;
ALTER EXTENSION cprof UPDATE;
REFRESH MATERIALIZED VIEW monthly_pnl;
REFRESH MATERIALIZED VIEW segment_summary;
-- the combine functions of 1.1 cost 100 (a partial state is dear in a
-- parallel plan); on this small table that keeps the planner from the
-- partial plan under test unless operators cost nothing
SET cpu_operator_cost = 0;
SELECT extversion FROM pg_extension WHERE extname = 'cprof';
SELECT (SELECT string_agg(c::text, ';' ORDER BY client_id) FROM client_pnl c) = pnl AS views_unchanged,
       (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM monthly_pnl GROUP BY client_id) r) = rollup AS rollup_unchanged,
       (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM stored_pnl GROUP BY client_id) r) = rollup AS stored_values_unchanged,
       (SELECT c::text FROM concentration c) = conc AS concentration_unchanged
FROM before_update;
SET client_min_messages = error;	-- the fits' warnings
SELECT (SELECT string_agg(r::text, ';' ORDER BY client_id) FROM client_rfm r) = rfm AS rfm_unchanged,
       (SELECT string_agg(c::text, ';' ORDER BY cohort) FROM cohorts c) = cohorts AS cohort_ltv_unchanged,
       (SELECT string_agg(s::text, ';' ORDER BY segment) FROM segment_summary s) = summary AS materialized_unchanged,
       (SELECT bool_and(s.by_day = r.by_day AND s.plain IS NOT DISTINCT FROM c.plain
                        AND s.discounted IS NOT DISTINCT FROM c.discounted)
        FROM stored_values s JOIN client_rfm r USING (client_id) LEFT JOIN cohorts c ON c.cohort = s.client_id) AS stored_unchanged,
       (SELECT string_agg(s::text, ';' ORDER BY kind) FROM split s) = split AS split_unchanged,
       (SELECT string_agg(m::text, ';' ORDER BY client_id, month) FROM moving m) = moving AS moving_unchanged
FROM before_update;
SELECT (SELECT f::text FROM fits f) = fits AS fits_unchanged FROM before_update;
RESET client_min_messages;
SELECT plan_has('SELECT * FROM split', '%Finalize%Partial%') AS partial_aggregation;
\o /dev/null
SELECT string_agg(line, E'\n' ORDER BY line) AS upgraded_catalog FROM (:describe) x \gset
\o

-- a fresh install of the default version
\c cprof_fresh
CREATE EXTENSION cprof;
-- members that differ, in either direction: none
(SELECT 'only after the update: ' || line FROM unnest(string_to_array(:'upgraded_catalog', E'\n')) line
 EXCEPT SELECT 'only after the update: ' || line FROM (:describe) x)
UNION ALL
(SELECT 'only in a fresh install: ' || line FROM (:describe) x
 EXCEPT SELECT 'only in a fresh install: ' || line FROM unnest(string_to_array(:'upgraded_catalog', E'\n')) line)
ORDER BY 1;
SELECT count(*) > 100 AS catalog_compared FROM (:describe) x;

\c :regress_db
DROP DATABASE cprof_upgraded;
DROP DATABASE cprof_fresh;
