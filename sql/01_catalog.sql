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
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- every function and aggregate has a comment
SELECT p.oid::regprocedure AS function_without_comment
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- every type has a comment
SELECT t.oid::regtype AS type_without_comment
FROM pg_type t JOIN cprof_members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
WHERE obj_description(t.oid, 'pg_type') IS NULL
ORDER BY t.oid::regtype::text COLLATE "C";

-- every aggregate can run in parallel, partitionwise and split by Citus: a
-- combine function, and serialize and deserialize functions when its state
-- is internal
SELECT a.aggfnoid::regprocedure AS aggregate_without_combine_serialize
FROM pg_aggregate a JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
WHERE a.aggcombinefn = 0
   OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0))
ORDER BY a.aggfnoid::regprocedure::text COLLATE "C";

-- every base type (the aggregates' state types) has a binary form too
SELECT t.oid::regtype AS base_type_without_binary_io
FROM pg_type t JOIN cprof_members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
WHERE t.typtype = 'b' AND (t.typreceive = 0 OR t.typsend = 0)
ORDER BY t.oid::regtype::text COLLATE "C";

-- no function is VOLATILE: everything cprof computes depends only on its
-- arguments (IMMUTABLE), or on a setting (STABLE, which must say why)
SELECT p.oid::regprocedure AS volatile_function
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.provolatile = 'v'
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- every C function's symbol is its SQL name, or <SQL name>_<variant> for an
-- overload that needs code of its own (STYLE.md section 6)
SELECT p.oid::regprocedure AS symbol_differs_from_name
FROM pg_proc p JOIN cprof_members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND p.prosrc <> p.proname
  AND p.prosrc NOT LIKE replace(p.proname, '_', '\_') || '\_%'
ORDER BY p.oid::regprocedure::text COLLATE "C";
