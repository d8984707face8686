-- 03_install: cprof is a trusted extension.  A database owner who is not a
-- superuser installs, updates and drops it; a role without CREATE on the
-- database cannot.  Its install script follows the rules for trusted
-- extensions.  A schema that already has a type or table named like one of
-- cprof's types makes CREATE EXTENSION fail, changing nothing; a schema of
-- cprof's own works beside it.  And the caveat of docs/install.md: in a
-- schema where another role may create functions, a loosely typed call
-- can reach that role's function instead of cprof's.
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS cprof_install;
DROP ROLE IF EXISTS regress_cprof_owner;
DROP ROLE IF EXISTS regress_cprof_other;
RESET client_min_messages;
CREATE ROLE regress_cprof_owner;
CREATE ROLE regress_cprof_other;
CREATE DATABASE cprof_install OWNER regress_cprof_owner;
\c cprof_install

-- 1. the database owner, not a superuser, installs cprof
SET ROLE regress_cprof_owner;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE EXTENSION cprof;
SELECT extversion, extowner::regrole, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'cprof';
CREATE TEMP VIEW cprof_members AS
SELECT classid, objid FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cprof');
-- the script ran as the bootstrap superuser (OID 10), who owns the objects:
-- the installer cannot redefine them
SELECT count(*) > 100 AS many_functions, bool_and(p.proowner = 10) AS owned_by_bootstrap_superuser
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid;
SELECT bool_and(t.typowner = 10) AS types_owned_by_bootstrap_superuser
FROM pg_type t JOIN cprof_members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid;
-- the rules for trusted extensions, over every member: only C functions
-- (a SQL or PL body would be parsed at run time with the caller's
-- search_path) unless they pin their own search_path, and no views,
-- tables or sequences
SELECT p.oid::regprocedure AS function_with_body_resolved_at_run_time
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT c.oid::regclass AS relation_member
FROM pg_class c JOIN cprof_members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
ORDER BY c.oid::regclass::text COLLATE "C";
-- and it works
SELECT (client_profit(amount, kind)).net_profit, expected_tenure(0.9::double precision)
FROM (VALUES (100.00, 'revenue'), (30, 'cogs')) AS t(amount, kind);
-- the owner can also install the base version and update it, and drop it
DROP EXTENSION cprof;
CREATE EXTENSION cprof VERSION '1.0';
ALTER EXTENSION cprof UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'cprof';
DROP EXTENSION cprof;

-- 2. a role without CREATE on the database cannot
SET ROLE regress_cprof_other;
CREATE EXTENSION cprof;
SET ROLE regress_cprof_owner;

-- 3. a schema with a type or a table named like one of cprof's types:
-- CREATE EXTENSION fails and leaves nothing behind
CREATE TYPE rfm AS (customer integer, score integer);
CREATE EXTENSION cprof;
DROP TYPE rfm;
CREATE TABLE profit (month date, amount numeric);
CREATE EXTENSION cprof;
SELECT count(*) AS cprof_objects_left FROM pg_proc WHERE proname LIKE 'cprof\_%';
-- every type cprof creates clashes the same way (a table named like each)
DO $$
DECLARE
    t text;
    msg text;
BEGIN
    DROP TABLE profit;
    FOREACH t IN ARRAY ARRAY['profit', 'cohort_value', 'rfm', 'bgnbd', 'gamma_gamma', 'pareto_nbd',
                             'cprof_client_profit_state', 'cprof_hhi_state', 'cprof_cohort_ltv_state',
                             'cprof_rfm_state'] LOOP
        EXECUTE format('CREATE TABLE %I (x integer)', t);
        BEGIN
            CREATE EXTENSION cprof;
            msg := 'installed';
        EXCEPTION WHEN duplicate_object THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
        END;
        RAISE NOTICE '%: %', t, msg;
        EXECUTE format('DROP TABLE %I', t);
    END LOOP;
END $$;
-- the way out: a schema of cprof's own, after the user's schema on the path
CREATE TYPE rfm AS (customer integer, score integer);
CREATE SCHEMA cprof;
CREATE EXTENSION cprof SCHEMA cprof;
SET search_path = public, cprof;
SELECT 'rfm'::regtype AS users_type, 'cprof.rfm'::regtype AS cprofs_type;
SELECT (rfm(day, amount, date '2025-03-31', '1 day')).*
FROM (VALUES (date '2025-01-01', 10.00), ('2025-01-11', 20.00), ('2025-01-31', 40.00)) AS t(day, amount);
SELECT ROW(7, 3)::rfm AS users_value;

-- 4. the caveat: a role allowed to create objects in cprof's schema can
-- capture a call whose argument types do not match cprof's exactly
GRANT CREATE ON SCHEMA cprof TO regress_cprof_other;
SET ROLE regress_cprof_other;
CREATE FUNCTION cprof.expected_tenure(retention numeric) RETURNS double precision
    LANGUAGE sql AS 'SELECT -1::double precision';
SET ROLE regress_cprof_owner;
SELECT expected_tenure(0.97) AS loosely_typed_call,
       abs(expected_tenure(0.97::double precision) - 100.0 / 3) < 1e-9 AS exact_call_reaches_cprof;
DROP FUNCTION cprof.expected_tenure(numeric);
REVOKE CREATE ON SCHEMA cprof FROM regress_cprof_other;

RESET ROLE;
\c :regress_db
DROP DATABASE cprof_install;
DROP ROLE regress_cprof_owner;
DROP ROLE regress_cprof_other;
