-- test/statefuzz/setup.sql: the state fuzzer's cases, generated from the
-- catalog (run by test/statefuzz/run.sh as a superuser, in a throwaway
-- cluster where cprof and the test-only module statefuzz are installed).
--
-- 1. sf.agg: every aggregate of the extension (pg_depend members), with its
--    support functions from pg_aggregate; with :control = 1 also avg(float8),
--    a core aggregate whose state has a concrete type (float8[]), so that
--    the path for concrete state types runs even while cprof has none.
-- 2. sf.state: valid states, made by "source" aggregates that run the
--    aggregate's own transition function and return its state: through
--    FINALFUNC = its serialize function (internal states: the serialized
--    bytes), or with no final function (concrete states: the state value,
--    kept as its send bytes and its output text).  The input rows come from
--    sf.sample(), one value per argument type, so a new aggregate is covered
--    without a row here; an argument type sf.sample() does not know is an
--    error that names it.
-- 3. sf.chain: one fuzz aggregate per distinct (deserialize or state type,
--    combine, final) of the aggregates: internal states go through
--    sf.trans/sf.serialize (test/statefuzz/statefuzz.c) into cprof's
--    DESERIALFUNC, COMBINEFUNC and FINALFUNC; concrete states through the
--    type's input or receive function into an aggregate whose SFUNC and
--    COMBINEFUNC are cprof's combine function and FINALFUNC its final.
-- 4. sf.fcase/sf.fbytes: the cases, one row per state in a case (pos 1, 2:
--    combined in that order):
--      own     each valid state through its own chain (must give a result)
--      mut     mutants of a valid state through its own chain: truncated,
--              extended, bit-flipped, bytes set to 00/ff/80, 4- and 8-byte
--              fields overwritten with extreme integers and doubles,
--              random positions rewritten (texts: cut, characters and
--              numbers replaced)
--      pair    a valid state combined with a mutant of it, both orders
--      cross   a valid state of another aggregate (another family, or
--              another form of the same family) through the chain
--      xpair   valid states of two aggregates with the same deserialize
--              function combined, both orders
--      random  random bytes, half of them with a correct version byte
--    Randomness is hashint8extended() with fixed seeds: the same catalog
--    gives the same cases.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

\if :{?control}
\else
\set control 1
\endif

CREATE EXTENSION IF NOT EXISTS cprof;
CREATE SCHEMA sf;

CREATE FUNCTION sf.trans(internal, bytea) RETURNS internal
    AS '$libdir/statefuzz', 'statefuzz_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sf.serialize(internal) RETURNS bytea
    AS '$libdir/statefuzz', 'statefuzz_serialize' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION sf.recv(bytea, anyelement) RETURNS anyelement
    AS '$libdir/statefuzz', 'statefuzz_recv' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

-- 1. the aggregates
CREATE TABLE sf.agg AS
SELECT row_number() OVER (ORDER BY p.oid::regprocedure::text)::int AS id,
       p.oid AS aggfnoid,
       p.oid::regprocedure::text AS name,
       p.proargtypes::oid[] AS argtypes,
       a.aggtransfn::oid AS transfn,
       a.aggcombinefn::oid AS combinefn,
       a.aggserialfn::oid AS serialfn,
       a.aggdeserialfn::oid AS deserialfn,
       a.aggfinalfn::oid AS finalfn,
       a.aggfinalextra AS finalextra,
       a.aggfinalmodify AS finalmodify,
       a.aggtranstype AS transtype,
       a.agginitval AS initval,
       a.aggtranstype = 'internal'::regtype AS internal_state,
       e.extname IS NULL AS control
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
LEFT JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cprof'
WHERE a.aggkind = 'n'
  AND (e.extname = 'cprof' OR (:control = 1 AND p.oid = 'avg(float8)'::regprocedure));

-- 2. valid states
-- A literal of type t for row i: 'vary' values change from row to row,
-- the others are the same in every row (aggregate parameters such as
-- top_fraction must be).  NULL when the type is unknown.
CREATE FUNCTION sf.sample(t regtype, i int, vary boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v text;
    fields text;
BEGIN
    v := CASE t
        WHEN 'numeric'::regtype THEN
            CASE WHEN vary THEN (((i * 37) % 101) - 20 + 0.25)::text ELSE '10' END
        WHEN 'double precision'::regtype THEN
            CASE WHEN vary THEN (i * 2 - 1)::text ELSE '0.5' END
        WHEN 'real'::regtype THEN
            CASE WHEN vary THEN (i * 1.5)::text ELSE '0.5' END
        WHEN 'integer'::regtype THEN
            CASE WHEN vary THEN (i * 3 - 5)::text ELSE '5' END
        WHEN 'smallint'::regtype THEN
            CASE WHEN vary THEN (i * 3 - 5)::text ELSE '5' END
        WHEN 'bigint'::regtype THEN
            CASE WHEN vary THEN (i * 3 - 5)::text ELSE '2' END
        WHEN 'text'::regtype THEN
            CASE WHEN vary THEN (ARRAY['revenue', 'discount', 'cogs', 'service', 'sales',
                                       'commission', 'quality', 'acquisition', 'bad_debt',
                                       'referral'])[1 + i % 10]
                 ELSE 'revenue' END
        WHEN 'boolean'::regtype THEN
            CASE WHEN vary THEN (i % 3 = 0)::text ELSE 'true' END
        WHEN 'date'::regtype THEN
            CASE WHEN vary THEN ('2020-01-01'::date + i * 17)::text ELSE '2030-01-01' END
        WHEN 'timestamp with time zone'::regtype THEN
            CASE WHEN vary THEN ('2020-01-01 10:00+00'::timestamptz + i * interval '17 days 3 hours')::text
                 ELSE '2030-01-01 00:00+00' END
        WHEN 'interval'::regtype THEN '7 days'
        WHEN 'double precision[]'::regtype THEN '{0.2,0.5}'
        ELSE NULL
    END;
    IF v IS NOT NULL THEN
        RETURN format('%L::%s', v, t);
    END IF;
    -- profit: a value client_profit itself built, so that its derived
    -- fields agree with its lines (the roll-up checks them)
    IF t::text = 'profit' THEN
        RETURN format('(SELECT client_profit(a, k) FROM (VALUES (%s, ''revenue''), (%s, ''cogs''), (%s, ''service'')) v(a, k))',
                      sf.sample('numeric', i, vary), sf.sample('numeric', i + 1, vary), sf.sample('numeric', i + 2, vary));
    END IF;
    -- composite types: every field sampled
    SELECT string_agg(sf.sample(att.atttypid, i + att.attnum, vary), ', ' ORDER BY att.attnum)
      INTO fields
      FROM pg_type ty JOIN pg_attribute att ON att.attrelid = ty.typrelid
     WHERE ty.oid = t AND ty.typtype = 'c' AND att.attnum > 0 AND NOT att.attisdropped;
    IF fields IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN format('ROW(%s)::%s', fields, t);
END;
$$;

CREATE TABLE sf.state (
    id serial PRIMARY KEY,
    agg int NOT NULL,				-- sf.agg.id
    label text NOT NULL,			-- how it was made
    query text NOT NULL,			-- the real aggregate over the same rows
    bytes bytea NOT NULL,			-- serialized state (or the type's send bytes)
    txt text,						-- concrete states: the output text
    small boolean NOT NULL			-- made from one row
);

DO $$
DECLARE
    a record;
    mode text;
    n int;
    args text;
    cols text;
    rowsql text;
    vals text[];
    src text;
    b bytea;
    t text;
    sample text;
    made int;
BEGIN
    FOR a IN SELECT * FROM sf.agg ORDER BY id LOOP
        SELECT string_agg(format_type(x, NULL), ', ' ORDER BY o)
          INTO args FROM unnest(a.argtypes) WITH ORDINALITY u(x, o);
        SELECT string_agg('c' || o, ', ' ORDER BY o)
          INTO cols FROM unnest(a.argtypes) WITH ORDINALITY u(x, o);
        src := 'sf.src_' || a.id;
        IF a.internal_state THEN
            IF a.serialfn = 0 OR a.deserialfn = 0 THEN
                RAISE NOTICE 'statefuzz: % has an internal state and no serialize/deserialize functions: not fuzzed', a.name;
                CONTINUE;
            END IF;
            EXECUTE format('CREATE AGGREGATE %s(%s) (SFUNC = %s, STYPE = internal, FINALFUNC = %s%s)',
                           src, args, a.transfn::regproc, a.serialfn::regproc,
                           CASE WHEN a.initval IS NULL THEN '' ELSE format(', INITCOND = %L', a.initval) END);
        ELSE
            EXECUTE format('CREATE AGGREGATE %s(%s) (SFUNC = %s, STYPE = %s%s)',
                           src, args, a.transfn::regproc, a.transtype::regtype,
                           CASE WHEN a.initval IS NULL THEN '' ELSE format(', INITCOND = %L', a.initval) END);
        END IF;
        made := 0;
        FOREACH mode IN ARRAY ARRAY['first', 'all', 'nulls'] LOOP
            FOREACH n IN ARRAY ARRAY[1, 3, 40] LOOP
                CONTINUE WHEN mode = 'nulls' AND n <> 3;
                vals := '{}';
                FOR i IN 1 .. n LOOP
                    SELECT string_agg(
                               CASE WHEN mode = 'nulls' AND i = 2 THEN format('NULL::%s', format_type(x, NULL))
                                    ELSE sf.sample(x, i, mode = 'all' OR o = 1) END,
                               ', ' ORDER BY o)
                      INTO rowsql FROM unnest(a.argtypes) WITH ORDINALITY u(x, o);
                    IF rowsql IS NULL THEN
                        RAISE EXCEPTION 'statefuzz: sf.sample() has no value for an argument type of %: add one', a.name;
                    END IF;
                    vals := vals || format('(%s)', rowsql);
                END LOOP;
                sample := format('FROM (VALUES %s) v(%s)', array_to_string(vals, ', '), cols);
                BEGIN
                    IF a.internal_state THEN
                        EXECUTE format('SELECT %s(%s) %s', src, cols, sample) INTO b;
                        t := NULL;
                    ELSE
                        EXECUTE format('SELECT %s(s), s::text FROM (SELECT %s(%s) AS s %s) x',
                                       (SELECT typsend::regproc FROM pg_type WHERE oid = a.transtype),
                                       src, cols, sample) INTO b, t;
                    END IF;
                EXCEPTION WHEN OTHERS THEN
                    b := NULL;
                END;
                CONTINUE WHEN b IS NULL;
                CONTINUE WHEN EXISTS (SELECT FROM sf.state WHERE agg = a.id AND bytes = b);
                INSERT INTO sf.state (agg, label, query, bytes, txt, small)
                VALUES (a.id, format('%s/%s', mode, n),
                        format('SELECT %s(%s) %s', a.aggfnoid::regproc, cols, sample), b, t, n = 1);
                made := made + 1;
            END LOOP;
        END LOOP;
        IF made = 0 THEN
            RAISE EXCEPTION 'statefuzz: no valid state of % from sf.sample() rows: teach sf.sample() its argument types', a.name;
        END IF;
    END LOOP;
END;
$$;

-- 3. the chains and their fuzz aggregates
CREATE TABLE sf.chain AS
SELECT row_number() OVER (ORDER BY min(id))::int AS id,
       internal_state,
       CASE WHEN internal_state THEN deserialfn ELSE transtype END AS entry,
       combinefn, finalfn,
       min(finalmodify) AS finalmodify,
       array_agg(id ORDER BY id) AS aggs,
       bool_and(control) AS control
FROM sf.agg
WHERE id IN (SELECT agg FROM sf.state)
GROUP BY internal_state, CASE WHEN internal_state THEN deserialfn ELSE transtype END, combinefn, finalfn;

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM sf.chain ORDER BY id LOOP
        IF c.finalfn = 0 OR c.combinefn = 0 THEN
            RAISE EXCEPTION 'statefuzz: chain % has no final or combine function; teach the fuzzer that shape', c.id;
        END IF;
        IF c.internal_state THEN
            EXECUTE format('CREATE AGGREGATE sf.fz_%s(bytea) (SFUNC = sf.trans, STYPE = internal, '
                           'SERIALFUNC = sf.serialize, DESERIALFUNC = %s, COMBINEFUNC = %s, '
                           'FINALFUNC = %s, FINALFUNC_MODIFY = %s, PARALLEL = SAFE)',
                           c.id, c.entry::regproc, c.combinefn::regproc, c.finalfn::regproc,
                           CASE c.finalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                ELSE 'READ_WRITE' END);
        ELSE
            EXECUTE format('CREATE AGGREGATE sf.fz_%s(%s) (SFUNC = %s, STYPE = %s, '
                           'COMBINEFUNC = %s, FINALFUNC = %s, FINALFUNC_MODIFY = %s, PARALLEL = SAFE)',
                           c.id, c.entry::regtype, c.combinefn::regproc, c.entry::regtype,
                           c.combinefn::regproc, c.finalfn::regproc,
                           CASE c.finalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                ELSE 'READ_WRITE' END);
        END IF;
    END LOOP;
END;
$$;

-- The harness reaches cprof's final function: every valid state through its
-- own chain gives what the real aggregate gives over the same rows.
DO $$
DECLARE
    s record;
    want text;
    got text;
    bad int := 0;
BEGIN
    FOR s IN SELECT st.*, c.id AS chain, c.internal_state, c.entry
               FROM sf.state st JOIN sf.chain c ON st.agg = ANY (c.aggs) ORDER BY st.id LOOP
        EXECUTE format('SELECT (%s)::text', s.query) INTO want;
        IF s.internal_state THEN
            EXECUTE format('SELECT sf.fz_%s(b)::text FROM (VALUES ($1)) v(b)', s.chain) INTO got USING s.bytes;
        ELSE
            EXECUTE format('SELECT sf.fz_%s(sf.recv(b, NULL::%s))::text FROM (VALUES ($1)) v(b)',
                           s.chain, s.entry::regtype) INTO got USING s.bytes;
        END IF;
        IF want IS DISTINCT FROM got THEN
            RAISE WARNING 'statefuzz harness: state % of aggregate % gives % through its chain, % directly',
                s.id, s.agg, got, want;
            bad := bad + 1;
        END IF;
    END LOOP;
    IF bad > 0 THEN
        RAISE EXCEPTION 'statefuzz harness: % states do not round-trip through their chain', bad;
    END IF;
END;
$$;

-- 4. the cases
-- A pseudo-random number in [0, m) from (seed, k): the same on every run.
CREATE FUNCTION sf.rnd(seed bigint, k bigint, m bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashint8extended(k, seed) % m) $$;

-- Mutants of serialized bytes s; 'full' mutates every field position of a
-- small state, otherwise a sample of positions.
CREATE FUNCTION sf.mutants(s bytea, seed bigint, full_fields boolean)
RETURNS TABLE (label text, m bytea)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    len int := length(s);
    lim int := CASE WHEN full_fields THEN least(len, 48) ELSE least(len, 16) END;
    p int;
    w bytea;
    -- -1, INT64_MIN, INT64_MAX, 2^31 (int64), NaN and -Infinity (double)
    words8 bytea[] := ARRAY['\xffffffffffffffff', '\x8000000000000000', '\x7fffffffffffffff',
                            '\x0000000080000000', '\x7ff8000000000000', '\xfff0000000000000']::bytea[];
    -- -1, INT32_MIN, INT32_MAX
    words4 bytea[] := ARRAY['\xffffffff', '\x80000000', '\x7fffffff']::bytea[];
BEGIN
    -- truncated and extended
    FOR p IN SELECT DISTINCT x FROM unnest(ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17,
                                                len / 4, len / 2, (3 * len) / 4,
                                                len - 9, len - 8, len - 4, len - 2, len - 1]) x
             WHERE x >= 0 AND x < len ORDER BY x LOOP
        label := 'cut@' || p; m := substr(s, 1, p); RETURN NEXT;
    END LOOP;
    label := 'extend+00'; m := s || '\x00'::bytea; RETURN NEXT;
    label := 'extend+ff8'; m := s || '\xffffffffffffffff'::bytea; RETURN NEXT;
    label := 'doubled'; m := s || s; RETURN NEXT;
    -- bits and bytes
    FOR p IN 0 .. lim - 1 LOOP
        label := format('flip@%s.0', p); m := set_byte(s, p, get_byte(s, p) # 1); RETURN NEXT;
        label := format('flip@%s.7', p); m := set_byte(s, p, get_byte(s, p) # 128); RETURN NEXT;
        label := format('set@%s=00', p); m := set_byte(s, p, 0); RETURN NEXT;
        label := format('set@%s=ff', p); m := set_byte(s, p, 255); RETURN NEXT;
    END LOOP;
    -- fields: 8- and 4-byte windows at every offset overwritten
    FOR p IN 0 .. lim - 1 LOOP
        IF p + 8 <= len THEN
            FOREACH w IN ARRAY words8 LOOP
                label := format('w8@%s=%s', p, encode(w, 'hex'));
                m := overlay(s placing w from p + 1 for 8); RETURN NEXT;
            END LOOP;
        END IF;
        IF p + 4 <= len THEN
            FOREACH w IN ARRAY words4 LOOP
                label := format('w4@%s=%s', p, encode(w, 'hex'));
                m := overlay(s placing w from p + 1 for 4); RETURN NEXT;
            END LOOP;
        END IF;
    END LOOP;
    -- random positions past the sampled ones
    IF len > lim THEN
        FOR k IN 1 .. 24 LOOP
            p := lim + sf.rnd(seed, k, len - lim);
            label := format('rnd@%s', p);
            m := set_byte(s, p, sf.rnd(seed + 1, k, 256)::int); RETURN NEXT;
        END LOOP;
    END IF;
END;
$$;

-- Mutants of a state's output text.
CREATE FUNCTION sf.text_mutants(s text, seed bigint)
RETURNS TABLE (label text, m text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    len int := length(s);
    p int;
    tok text;
    nums int := (SELECT count(*) FROM regexp_matches(s, '-?[0-9.]+(e[-+]?[0-9]+)?', 'g'));
BEGIN
    label := 'empty'; m := ''; RETURN NEXT;
    FOR p IN SELECT DISTINCT x FROM unnest(ARRAY[1, 2, len / 2, len - 1]) x WHERE x > 0 AND x < len LOOP
        label := 'cut@' || p; m := substr(s, 1, p); RETURN NEXT;
    END LOOP;
    label := 'doubled'; m := s || s; RETURN NEXT;
    -- each number replaced by extremes
    FOR k IN 1 .. least(nums, 16) LOOP
        FOREACH tok IN ARRAY ARRAY['-1', '0', '-0', 'NaN', 'Infinity', '-Infinity', '1e308', '1e-320',
                                   '9223372036854775807', '-9223372036854775808', '2147483648',
                                   '99999999999999999999999', '1.5', ''] LOOP
            label := format('num%s=%s', k, tok);
            m := regexp_replace(s, '-?[0-9.]+(e[-+]?[0-9]+)?', tok, k);
            RETURN NEXT;
        END LOOP;
    END LOOP;
    -- characters replaced at random
    FOR k IN 1 .. 16 LOOP
        p := 1 + sf.rnd(seed, k, greatest(len, 1));
        label := format('chr@%s', p);
        m := overlay(s placing substr('{}(),-.0123456789eE"\ xNa', 1 + sf.rnd(seed + 1, k, 25)::int, 1)
                     from p for 1);
        RETURN NEXT;
    END LOOP;
END;
$$;

CREATE TABLE sf.fcase (
    id serial PRIMARY KEY,
    chain int NOT NULL,
    kind text NOT NULL,			-- own, mut, pair, cross, xpair, random
    via text NOT NULL,			-- bytes (deserialize or receive) or text (input)
    label text NOT NULL,
    single boolean NOT NULL		-- one state: can run through a parallel plan
);
CREATE TABLE sf.fbytes (
    case_id int NOT NULL,
    pos int NOT NULL,
    b bytea,
    t text
);

DO $$
DECLARE
    c record;
    s record;
    o record;
    mu record;
    cid int;
BEGIN
    FOR c IN SELECT * FROM sf.chain ORDER BY id LOOP
        -- each distinct state of the chain's aggregates once
        FOR s IN SELECT * FROM (SELECT DISTINCT ON (st.bytes) st.*, ag.name
                                  FROM sf.state st JOIN sf.agg ag ON ag.id = st.agg
                                 WHERE st.agg = ANY (c.aggs) ORDER BY st.bytes, st.id) d
                  ORDER BY d.id LOOP
            -- own
            INSERT INTO sf.fcase (chain, kind, via, label, single)
            VALUES (c.id, 'own', 'bytes', format('%s %s', s.name, s.label), true) RETURNING id INTO cid;
            INSERT INTO sf.fbytes VALUES (cid, 1, s.bytes, NULL);
            -- mutants (bytes)
            FOR mu IN SELECT * FROM sf.mutants(s.bytes, s.id, s.small) LOOP
                INSERT INTO sf.fcase (chain, kind, via, label, single)
                VALUES (c.id, 'mut', 'bytes', format('%s %s %s', s.name, s.label, mu.label), true)
                RETURNING id INTO cid;
                INSERT INTO sf.fbytes VALUES (cid, 1, mu.m, NULL);
                -- combined with the valid state, both orders: the cuts and
                -- the bytes set to 00 or ff in the first 32
                IF s.small AND (mu.label LIKE 'cut@%'
                                OR (mu.label ~ '^set@' AND substring(mu.label from '@([0-9]+)')::int < 32)) THEN
                    INSERT INTO sf.fcase (chain, kind, via, label, single)
                    VALUES (c.id, 'pair', 'bytes', format('%s %s valid+%s', s.name, s.label, mu.label), false)
                    RETURNING id INTO cid;
                    INSERT INTO sf.fbytes VALUES (cid, 1, s.bytes, NULL), (cid, 2, mu.m, NULL);
                    INSERT INTO sf.fcase (chain, kind, via, label, single)
                    VALUES (c.id, 'pair', 'bytes', format('%s %s %s+valid', s.name, s.label, mu.label), false)
                    RETURNING id INTO cid;
                    INSERT INTO sf.fbytes VALUES (cid, 1, mu.m, NULL), (cid, 2, s.bytes, NULL);
                END IF;
            END LOOP;
            -- mutants (texts), for concrete state types
            IF NOT c.internal_state THEN
                INSERT INTO sf.fcase (chain, kind, via, label, single)
                VALUES (c.id, 'own', 'text', format('%s %s', s.name, s.label), true) RETURNING id INTO cid;
                INSERT INTO sf.fbytes VALUES (cid, 1, NULL, s.txt);
                FOR mu IN SELECT * FROM sf.text_mutants(s.txt, s.id) LOOP
                    INSERT INTO sf.fcase (chain, kind, via, label, single)
                    VALUES (c.id, 'mut', 'text', format('%s %s %s', s.name, s.label, mu.label), true)
                    RETURNING id INTO cid;
                    INSERT INTO sf.fbytes VALUES (cid, 1, NULL, mu.m);
                END LOOP;
            END IF;
        END LOOP;
        -- valid states of the other aggregates (each distinct byte string once)
        FOR s IN SELECT DISTINCT ON (st.bytes) st.*, ag.name
                   FROM sf.state st JOIN sf.agg ag ON ag.id = st.agg
                  WHERE NOT st.agg = ANY (c.aggs)
                  ORDER BY st.bytes, st.id LOOP
            INSERT INTO sf.fcase (chain, kind, via, label, single)
            VALUES (c.id, 'cross', 'bytes', format('%s %s', s.name, s.label), true) RETURNING id INTO cid;
            INSERT INTO sf.fbytes VALUES (cid, 1, s.bytes, NULL);
            IF NOT c.internal_state AND s.txt IS NOT NULL THEN
                INSERT INTO sf.fcase (chain, kind, via, label, single)
                VALUES (c.id, 'cross', 'text', format('%s %s', s.name, s.label), true) RETURNING id INTO cid;
                INSERT INTO sf.fbytes VALUES (cid, 1, NULL, s.txt);
            END IF;
        END LOOP;
        -- valid states of two aggregates with the same entry, combined
        FOR s IN SELECT DISTINCT ON (st.agg) st.*, ag.name FROM sf.state st JOIN sf.agg ag ON ag.id = st.agg
                  WHERE st.agg = ANY (c.aggs) ORDER BY st.agg, st.small DESC, st.id LOOP
            FOR o IN SELECT DISTINCT ON (st.agg) st.*, ag.name FROM sf.state st JOIN sf.agg ag ON ag.id = st.agg
                      WHERE st.agg <> s.agg
                        AND (CASE WHEN c.internal_state THEN ag.deserialfn ELSE ag.transtype END) = c.entry
                      ORDER BY st.agg, st.small DESC, st.id LOOP
                CONTINUE WHEN o.bytes = s.bytes;
                INSERT INTO sf.fcase (chain, kind, via, label, single)
                VALUES (c.id, 'xpair', 'bytes', format('%s %s + %s %s', s.name, s.label, o.name, o.label), false)
                RETURNING id INTO cid;
                INSERT INTO sf.fbytes VALUES (cid, 1, s.bytes, NULL), (cid, 2, o.bytes, NULL);
                INSERT INTO sf.fcase (chain, kind, via, label, single)
                VALUES (c.id, 'xpair', 'bytes', format('%s %s + %s %s', o.name, o.label, s.name, s.label), false)
                RETURNING id INTO cid;
                INSERT INTO sf.fbytes VALUES (cid, 1, o.bytes, NULL), (cid, 2, s.bytes, NULL);
            END LOOP;
        END LOOP;
        -- random bytes
        FOR k IN 1 .. 32 LOOP
            INSERT INTO sf.fcase (chain, kind, via, label, single)
            VALUES (c.id, 'random', 'bytes', 'random ' || k, true) RETURNING id INTO cid;
            INSERT INTO sf.fbytes
            SELECT cid, 1,
                   CASE WHEN k % 2 = 0 THEN '\x01'::bytea ELSE '\x'::bytea END
                   || coalesce((SELECT string_agg(set_byte('\x00'::bytea, 0, sf.rnd(c.id * 1000 + k, j, 256)::int), ''::bytea ORDER BY j)
                                  FROM generate_series(1, sf.rnd(c.id * 1000 + k, 0, 120)::int) j), ''::bytea),
                   NULL;
        END LOOP;
    END LOOP;
END;
$$;

CREATE INDEX ON sf.fbytes (case_id);
ANALYZE sf.fcase;
ANALYZE sf.fbytes;

-- What was made, for the report.
SELECT format('statefuzz: %s aggregates (%s control), %s chains, %s valid states, %s cases (%s single, %s pairs)',
              (SELECT count(*) FROM sf.agg), (SELECT count(*) FROM sf.agg WHERE control),
              (SELECT count(*) FROM sf.chain), (SELECT count(*) FROM sf.state),
              (SELECT count(*) FROM sf.fcase), (SELECT count(*) FROM sf.fcase WHERE single),
              (SELECT count(*) FROM sf.fcase WHERE NOT single)) AS summary \gset
\echo :summary
