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
    floor_ms double precision
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
