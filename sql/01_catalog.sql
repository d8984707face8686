-- 01_catalog: self-checks over every object of the extension; each query
-- must return zero rows.
CREATE TEMP VIEW cprof_members AS
SELECT classid, objid
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cprof')
  AND deptype = 'e';

-- every function and aggregate is PARALLEL SAFE
SELECT p.oid::regprocedure AS not_parallel_safe
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.proparallel <> 's'
ORDER BY 1::text;

-- every function and aggregate has a comment
SELECT p.oid::regprocedure AS function_without_comment
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1::text;

-- every type has a comment
SELECT t.oid::regtype AS type_without_comment
FROM pg_type t JOIN cprof_members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
WHERE obj_description(t.oid, 'pg_type') IS NULL
ORDER BY 1::text;

-- every aggregate with an internal state can run in parallel and partitionwise
SELECT a.aggfnoid::regprocedure AS aggregate_without_combine_serialize
FROM pg_aggregate a JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
WHERE a.aggtranstype = 'internal'::regtype
  AND (a.aggcombinefn = 0 OR a.aggserialfn = 0 OR a.aggdeserialfn = 0)
ORDER BY 1::text;

-- no function is VOLATILE: everything cprof computes depends only on its
-- arguments (IMMUTABLE), or on a setting (STABLE, which must say why)
SELECT p.oid::regprocedure AS volatile_function
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.provolatile = 'v'
ORDER BY 1::text;

-- every C function's symbol is its SQL name, or <SQL name>_<variant> for an
-- overload with code of its own (STYLE.md section 6)
SELECT p.oid::regprocedure AS symbol_differs_from_name
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND p.prosrc <> p.proname
  AND NOT (starts_with(p.prosrc, p.proname || '_') AND length(p.prosrc) > length(p.proname) + 1)
ORDER BY 1::text;
