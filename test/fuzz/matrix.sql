-- test/fuzz/matrix.sql: the bad-input matrix, generated from the catalog
-- (run by test/fuzz/run.sh as a superuser; the calls then run as a
-- non-superuser).
--
-- fz.func: every public function, aggregate and window function of cprof
-- (pg_depend members of the extension, support functions named cprof_*
-- left out), joined with its valid call in test/fuzz/matrix_base.sql; a
-- function without a row there, or a row without a function, is an error.
-- fz.bad: the bad values of each argument type: NULL, NaN, +/-Infinity,
-- zero, negative, tiny (1e-300) and huge (1e300) where the type has them,
-- the extremes of integer types, odd texts, dates and intervals, malformed
-- arrays; for a composite argument (profit, bgnbd, pareto_nbd,
-- gamma_gamma) NULL, a row of NULLs, and each field in turn replaced with
-- the bad values of its type.  A type without bad values is an error.
-- fz.call: one statement per call, printing the md5 of the result:
--   functions    the base call with one argument (or field) replaced
--   aggregates   the same values in a one-row group, in the middle of a
--                three-row group, in a moving window frame (ROWS 1
--                PRECEDING, which runs the inverse transition function)
--                and a running one; plus an empty group, an all-NULL
--                group and an empty GROUP BY
--   windows      the bad row among base rows, and alone in a partition
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA fz;
CREATE TABLE fz.base (signature text PRIMARY KEY, args text[] NOT NULL);
\ir matrix_base.sql

CREATE TABLE fz.func AS
SELECT row_number() OVER (ORDER BY p.oid::regprocedure::text)::int AS id,
       p.oid, p.oid::regprocedure::text AS signature, p.proname::text AS name,
       p.prokind, ARRAY(SELECT unnest(p.proargtypes)) AS argtypes, b.args
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cprof'
LEFT JOIN fz.base b ON b.signature = p.oid::regprocedure::text
WHERE p.proname !~ '^cprof_';

DO $$
DECLARE
    missing text;
    stale text;
BEGIN
    SELECT string_agg(signature, E'\n  ') INTO missing FROM fz.func WHERE args IS NULL;
    SELECT string_agg(signature, E'\n  ') INTO stale
      FROM fz.base b WHERE NOT EXISTS (SELECT FROM fz.func f WHERE f.signature = b.signature);
    IF missing IS NOT NULL OR stale IS NOT NULL THEN
        RAISE EXCEPTION 'bad-input matrix: test/fuzz/matrix_base.sql is out of date'
            USING DETAIL = concat_ws(E'\n',
                'functions without a base row:' || E'\n  ' || missing,
                'base rows without a function:' || E'\n  ' || stale),
                  HINT = 'Add one valid call per new function; remove the rows of dropped ones.';
    END IF;
END;
$$;

-- bad values by type: SQL expressions of that type
CREATE TABLE fz.bad (type regtype, label text, expr text);
INSERT INTO fz.bad
SELECT t::regtype, l, CASE WHEN v IS NULL THEN format('NULL::%s', t) ELSE format('%L::%s', v, t) END
FROM (VALUES
    ('double precision', 'null', NULL), ('double precision', 'nan', 'NaN'),
    ('double precision', '+inf', 'Infinity'), ('double precision', '-inf', '-Infinity'),
    ('double precision', 'zero', '0'), ('double precision', 'negative', '-1'),
    ('double precision', 'tiny', '1e-300'), ('double precision', 'huge', '1e300'),
    ('double precision', '-huge', '-1e300'), ('double precision', 'denormal', '5e-324'),
    ('numeric', 'null', NULL), ('numeric', 'nan', 'NaN'),
    ('numeric', '+inf', 'Infinity'), ('numeric', '-inf', '-Infinity'),
    ('numeric', 'zero', '0'), ('numeric', 'negative', '-1'),
    ('numeric', 'tiny', '1e-300'), ('numeric', 'huge', '1e300'), ('numeric', '-huge', '-1e300'),
    ('numeric', 'tiny1000', '1e-1000'), ('numeric', 'huge1000', '1e1000'),
    ('integer', 'null', NULL), ('integer', 'zero', '0'), ('integer', 'negative', '-1'),
    ('integer', 'min', '-2147483648'), ('integer', 'max', '2147483647'),
    ('smallint', 'null', NULL), ('smallint', 'zero', '0'), ('smallint', 'negative', '-1'),
    ('smallint', 'min', '-32768'), ('smallint', 'max', '32767'),
    ('bigint', 'null', NULL), ('bigint', 'zero', '0'), ('bigint', 'negative', '-1'),
    ('bigint', 'min', '-9223372036854775808'), ('bigint', 'max', '9223372036854775807'),
    ('text', 'null', NULL), ('text', 'empty', ''), ('text', 'upper', 'REVENUE'),
    ('text', 'unknown', 'no such kind'), ('text', 'spaces', ' revenue '),
    ('boolean', 'null', NULL), ('boolean', 'true', 'true'), ('boolean', 'false', 'false'),
    ('date', 'null', NULL), ('date', '+inf', 'infinity'), ('date', '-inf', '-infinity'),
    ('date', 'min', '4713-01-01 BC'), ('date', 'max', '5874897-12-31'), ('date', 'epoch', '1970-01-01'),
    ('timestamp with time zone', 'null', NULL), ('timestamp with time zone', '+inf', 'infinity'),
    ('timestamp with time zone', '-inf', '-infinity'),
    ('timestamp with time zone', 'min', '4713-01-01 00:00+00 BC'),
    ('timestamp with time zone', 'max', '294276-12-31 23:59:59+00'),
    ('interval', 'null', NULL), ('interval', 'zero', '0'), ('interval', 'negative', '-1 day'),
    ('interval', 'tiny', '1 microsecond'), ('interval', 'huge', '178000000 years'),
    ('interval', '-huge', '-178000000 years'), ('interval', 'month', '1 mon'),
    ('double precision[]', 'null', NULL), ('double precision[]', 'empty', '{}'),
    ('double precision[]', 'null-elem', '{NULL}'), ('double precision[]', 'nan', '{NaN}'),
    ('double precision[]', '+inf', '{Infinity}'), ('double precision[]', 'zero', '{0}'),
    ('double precision[]', 'negative', '{-1}'), ('double precision[]', 'tiny', '{1e-300}'),
    ('double precision[]', 'huge', '{1e300}'), ('double precision[]', 'bounds', '[0:1]={0.1,0.5}'),
    ('double precision[]', '2-d', '{{0.1,0.2},{0.3,0.4}}'), ('double precision[]', 'unsorted', '{0.9,0.1,0.5,0.5}')
) v(t, l, v);
-- long values
INSERT INTO fz.bad VALUES
    ('text'::regtype, 'long', 'repeat(''x'', 10000)'),
    ('double precision[]'::regtype, 'long', 'array_fill(0.5::float8, ARRAY[100000])');

-- the bad expressions of one argument: its type's, or for a composite type
-- NULL, a row of NULLs and each field replaced in the base value
CREATE FUNCTION fz.bad_args(t oid, base text)
RETURNS TABLE (label text, expr text)
LANGUAGE plpgsql AS $$
DECLARE
    att record;
    fields text;
    b record;
    n int := 0;
BEGIN
    RETURN QUERY SELECT x.label, x.expr FROM fz.bad x WHERE x.type = t ORDER BY x.label;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN;
    END IF;
    IF (SELECT typtype FROM pg_type WHERE oid = t) <> 'c' THEN
        RAISE EXCEPTION 'bad-input matrix: no bad values for type %', t::regtype
            USING HINT = 'Add rows for it to fz.bad in test/fuzz/matrix.sql.';
    END IF;
    label := 'null'; expr := format('NULL::%s', t::regtype); RETURN NEXT;
    SELECT string_agg('NULL', ', ') INTO fields
      FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = t)
       AND attnum > 0 AND NOT attisdropped;
    label := 'all-null-fields'; expr := format('ROW(%s)::%s', fields, t::regtype); RETURN NEXT;
    FOR att IN SELECT attnum, attname, atttypid FROM pg_attribute
                WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = t)
                  AND attnum > 0 AND NOT attisdropped ORDER BY attnum LOOP
        FOR b IN SELECT * FROM fz.bad x WHERE x.type = att.atttypid ORDER BY x.label LOOP
            SELECT string_agg(CASE WHEN a2.attnum = att.attnum THEN b.expr
                                   ELSE format('b.%I', a2.attname) END, ', ' ORDER BY a2.attnum)
              INTO fields
              FROM pg_attribute a2 WHERE a2.attrelid = (SELECT typrelid FROM pg_type WHERE oid = t)
               AND a2.attnum > 0 AND NOT a2.attisdropped;
            label := att.attname || '=' || b.label;
            expr := format('(SELECT ROW(%s)::%s FROM (SELECT (%s).*) b)', fields, t::regtype, base);
            RETURN NEXT;
        END LOOP;
    END LOOP;
END;
$$;

CREATE TABLE fz.call (
    id serial PRIMARY KEY,
    func int NOT NULL,			-- fz.func.id
    shape text NOT NULL,		-- call, one-row, three-rows, moving, running, empty, ...
    label text NOT NULL,		-- which argument got which bad value
    stmt text NOT NULL
);

DO $$
DECLARE
    f record;
    a record;
    i int;
    nargs int;
    cols text;
    row_base text;
    row_bad text;
    args_bad text[];
    call text;
    window_call text;
BEGIN
    FOR f IN SELECT * FROM fz.func ORDER BY id LOOP
        nargs := cardinality(f.argtypes);
        SELECT string_agg('c' || k, ', ' ORDER BY k) INTO cols FROM generate_series(1, nargs) k;
        row_base := array_to_string(f.args, ', ');
        -- the base call must work
        INSERT INTO fz.call (func, shape, label, stmt) VALUES (f.id, 'base', 'base',
            CASE f.prokind
                WHEN 'f' THEN format('SELECT coalesce(md5(%s(%s)::text), ''null'')', f.name, row_base)
                WHEN 'a' THEN format('SELECT coalesce(md5(%s(%s)::text), ''null'') FROM (VALUES (%s)) t(%s)',
                                     f.name, cols, row_base, cols)
                ELSE format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s(%s) OVER () AS x '
                            'FROM (VALUES (1, %s), (2, %s)) t(i, %s)) s', f.name, cols, row_base, row_base, cols)
            END);
        FOR i IN 1 .. nargs LOOP
            FOR a IN SELECT * FROM fz.bad_args(f.argtypes[i], f.args[i]) LOOP
                args_bad := f.args;
                args_bad[i] := a.expr;
                row_bad := array_to_string(args_bad, ', ');
                IF f.prokind = 'f' THEN
                    INSERT INTO fz.call (func, shape, label, stmt) VALUES (f.id, 'call',
                        format('arg %s %s', i, a.label),
                        format('SELECT coalesce(md5(%s(%s)::text), ''null'')', f.name, row_bad));
                ELSIF f.prokind = 'a' THEN
                    call := format('%s(%s)', f.name, cols);
                    INSERT INTO fz.call (func, shape, label, stmt) VALUES
                    (f.id, 'one-row', format('arg %s %s', i, a.label),
                     format('SELECT coalesce(md5(%s::text), ''null'') FROM (VALUES (%s)) t(%s)', call, row_bad, cols)),
                    (f.id, 'three-rows', format('arg %s %s', i, a.label),
                     format('SELECT coalesce(md5(%s::text), ''null'') FROM (VALUES (%s), (%s), (%s)) t(%s)',
                            call, row_base, row_bad, row_base, cols)),
                    (f.id, 'moving', format('arg %s %s', i, a.label),
                     format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s OVER (ORDER BY i ROWS 1 PRECEDING) AS x '
                            'FROM (VALUES (1, %s), (2, %s), (3, %s), (4, %s), (5, %s)) t(i, %s)) s',
                            call, row_bad, row_base, row_bad, row_bad, row_base, cols)),
                    (f.id, 'running', format('arg %s %s', i, a.label),
                     format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s OVER (ORDER BY i) AS x '
                            'FROM (VALUES (1, %s), (2, %s), (3, %s)) t(i, %s)) s',
                            call, row_base, row_bad, row_base, cols));
                ELSE
                    window_call := format('%s(%s)', f.name, cols);
                    INSERT INTO fz.call (func, shape, label, stmt) VALUES
                    (f.id, 'window', format('arg %s %s', i, a.label),
                     format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s OVER (ORDER BY i) AS x '
                            'FROM (VALUES (1, %s), (2, %s), (3, %s)) t(i, %s)) s',
                            window_call, row_base, row_bad, row_base, cols)),
                    (f.id, 'window-alone', format('arg %s %s', i, a.label),
                     format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s OVER (PARTITION BY i) AS x '
                            'FROM (VALUES (1, %s), (2, %s)) t(i, %s)) s',
                            window_call, row_bad, row_base, cols));
                END IF;
            END LOOP;
        END LOOP;
        IF f.prokind = 'a' THEN
            INSERT INTO fz.call (func, shape, label, stmt) VALUES
            (f.id, 'empty', 'no rows',
             format('SELECT coalesce(md5(%s(%s)::text), ''null'') FROM (VALUES (%s)) t(%s) WHERE false',
                    f.name, cols, row_base, cols)),
            (f.id, 'empty-group-by', 'no groups',
             format('SELECT count(x) FROM (SELECT %s(%s) AS x FROM (VALUES (%s)) t(%s) WHERE false GROUP BY c1) s',
                    f.name, cols, row_base, cols)),
            (f.id, 'moving', 'every argument NULL in rows 1, 3, 4',
             format('SELECT md5(array_agg(x ORDER BY i)::text) FROM (SELECT i, %s(%s) OVER (ORDER BY i ROWS 1 PRECEDING) AS x '
                    'FROM (VALUES (1, %s), (2, %s), (3, %s), (4, %s), (5, %s)) t(i, %s)) s',
                    f.name, cols,
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    row_base,
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    row_base, cols)),
            (f.id, 'all-null', 'every argument NULL, three rows',
             format('SELECT coalesce(md5(%s(%s)::text), ''null'') FROM (VALUES (%s), (%s), (%s)) t(%s)',
                    f.name, cols,
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    (SELECT string_agg(format('NULL::%s', x::regtype), ', ' ORDER BY o) FROM unnest(f.argtypes) WITH ORDINALITY u(x, o)),
                    cols));
        END IF;
    END LOOP;
END;
$$;

SELECT format('bad-input matrix: %s functions (%s aggregates, %s window functions), %s calls',
              (SELECT count(*) FROM fz.func), (SELECT count(*) FROM fz.func WHERE prokind = 'a'),
              (SELECT count(*) FROM fz.func WHERE prokind = 'w'), (SELECT count(*) FROM fz.call)) AS summary \gset
\echo :summary
