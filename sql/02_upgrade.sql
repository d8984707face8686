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
-- the answers before the update, to compare after it
CREATE TABLE before_update AS
    SELECT (SELECT string_agg(c::text, ';' ORDER BY client_id) FROM client_pnl c) AS pnl,
           (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM monthly_pnl GROUP BY client_id) r) AS rollup,
           (SELECT c::text FROM concentration c) AS conc;
ALTER EXTENSION cprof UPDATE;
REFRESH MATERIALIZED VIEW monthly_pnl;
SELECT extversion FROM pg_extension WHERE extname = 'cprof';
SELECT (SELECT string_agg(c::text, ';' ORDER BY client_id) FROM client_pnl c) = pnl AS views_unchanged,
       (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM monthly_pnl GROUP BY client_id) r) = rollup AS rollup_unchanged,
       (SELECT string_agg(r::text, ';' ORDER BY r::text) FROM (SELECT client_id, client_profit(pnl) FROM stored_pnl GROUP BY client_id) r) = rollup AS stored_values_unchanged,
       (SELECT c::text FROM concentration c) = conc AS concentration_unchanged
FROM before_update;
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
