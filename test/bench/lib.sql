/*
 * test/bench/lib.sql: timing helpers for `make bench`.
 *
 * bench_compare(section, label, cprof_query, plain_query, floor_query)
 *   checks that cprof_query and plain_query return the same rows (unless
 *   check => false), then times each query 3 times as
 *   SELECT count(s) FROM (query) s, which makes every column of every row be
 *   computed (STYLE.md section 8), and records the medians with the plan
 *   settings in force (enable_hashagg, max_parallel_workers_per_gather).
 *   floor_query is the bare scan-and-sum of the same rows under the same
 *   plan shape; plain_query is what an analyst would write without cprof.
 */
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_result;
CREATE TABLE bench_result (
    seq serial,
    section text,
    label text,
    plan text,
    workers int,
    cprof_ms double precision,
    plain_ms double precision,
    floor_ms double precision,
    v10_ms double precision
);

CREATE OR REPLACE FUNCTION bench_time(query text, runs int DEFAULT 3)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    times double precision[] := '{}';
    n bigint;
BEGIN
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE 'SELECT count(s) FROM (' || query || ') s' INTO n;
        times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) t);
END $$;

CREATE OR REPLACE FUNCTION bench_compare(section text, label text, cprof_query text,
                                         plain_query text, floor_query text,
                                         check_equal boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    same boolean;
BEGIN
    IF check_equal THEN
        EXECUTE format('SELECT NOT EXISTS ((%s) EXCEPT ALL (%s)) AND NOT EXISTS ((%s) EXCEPT ALL (%s))',
                       cprof_query, plain_query, plain_query, cprof_query) INTO same;
        IF NOT same THEN
            RAISE EXCEPTION 'bench %: cprof and plain SQL results differ', label;
        END IF;
    END IF;
    INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
    VALUES (section, label,
            CASE WHEN current_setting('enable_hashagg')::boolean THEN 'hash' ELSE 'sort' END,
            current_setting('max_parallel_workers_per_gather')::int,
            bench_time(cprof_query), bench_time(plain_query), bench_time(floor_query));
    RAISE NOTICE 'bench % done', label;
END $$;

CREATE OR REPLACE FUNCTION bench_versus_10(section text, label text, query text,
                                           check_query text DEFAULT NULL, runs int DEFAULT 3)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    q_new text := replace(replace(query, '{s}', ''), '{v}', '');
    q_old text := replace(replace(query, '{s}', 'cprof10.'), '{v}', '10');
    c_new text := replace(replace(coalesce(check_query, query), '{s}', ''), '{v}', '');
    c_old text := replace(replace(coalesce(check_query, query), '{s}', 'cprof10.'), '{v}', '10');
    t0 timestamptz;
    t_new double precision[] := '{}';
    t_old double precision[] := '{}';
    same boolean;
    n bigint;
BEGIN
    IF to_regnamespace('cprof10') IS NULL THEN
        RAISE NOTICE 'bench % skipped: cprof 1.0 is not loaded', label;
        RETURN;
    END IF;
    -- this build's library first: cprof10.so, linked -Bsymbolic, binds its
    -- own calls to itself whatever was loaded before it, but not the reverse
    PERFORM expected_tenure(0.5::double precision);
    EXECUTE format('SELECT NOT EXISTS ((SELECT x::text FROM (%1$s) x) EXCEPT ALL (SELECT x::text FROM (%2$s) x))'
                   ' AND NOT EXISTS ((SELECT x::text FROM (%2$s) x) EXCEPT ALL (SELECT x::text FROM (%1$s) x))',
                   c_new, c_old) INTO same;
    IF NOT same THEN
        RAISE EXCEPTION 'bench %: this build and cprof 1.0 give different results', label;
    END IF;
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE 'SELECT count(s) FROM (' || q_new || ') s' INTO n;
        t_new := t_new || extract(epoch FROM clock_timestamp() - t0) * 1000;
        t0 := clock_timestamp();
        EXECUTE 'SELECT count(s) FROM (' || q_old || ') s' INTO n;
        t_old := t_old || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
    INSERT INTO bench_result (section, label, plan, workers, cprof_ms, v10_ms)
    VALUES (section, label,
            CASE WHEN current_setting('enable_hashagg')::boolean THEN 'hash' ELSE 'sort' END,
            current_setting('max_parallel_workers_per_gather')::int,
            (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(t_new) t),
            (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(t_old) t));
    RAISE NOTICE 'bench % (against 1.0) done', label;
END $$;
