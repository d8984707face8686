/*
 * test/bench/50_allocate.sql: allocate, allocate_capacity and
 * idle_capacity over a table of their own: :entries rows of hours recorded
 * (numeric(8,2)) in 1,000 pools, each with its amount (numeric(12,2)) and
 * capacity joined in, rows of a pool spread over the table.
 *
 * allocate against
 *   - the floor, sum(hours) OVER (PARTITION BY pool): one pass to total the
 *     partition (with the window's sort);
 *   - the plain SQL largest-remainder query (docs/allocation.md): cents
 *     and remainders by exact integer division of numerics, the cents left
 *     per pool from a second window, the remainders ranked by row_number()
 *     (ties by id), so results are checked equal to allocate's with
 *     ORDER BY id.
 * Two more rows time allocate without a plain query: with the floor given
 * the same ORDER BY id (so both sort alike), and without ORDER BY at all
 * (ties then go by the order rows reach the window).  idle_capacity is an
 * aggregate: it is compared with amount - round(sum(hours) * amount /
 * capacity, 2) per pool, serially and with 2 workers.  Window functions do
 * not run in parallel workers, so the window rows use serial plans;
 * work_mem = 256MB, as for the concentration section.
 */
SET client_min_messages = warning;
SET work_mem = '256MB';
SET max_parallel_workers_per_gather = 0;

CREATE OR REPLACE FUNCTION pg_temp.u(i bigint, salt int) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((hashint8(i * 1000003 + salt)::bigint + 2147483648) + 0.5) / 4294967296.0;

DROP TABLE IF EXISTS alloc_hours;
CREATE TABLE alloc_hours AS
SELECT i AS id, pool,
       round((20000 + pg_temp.u(pool, 3) * 200000)::numeric, 2)::numeric(12, 2) AS amount,
       -- practical capacity: 70% to 130% of the hours the pool gets on average
       round((greatest(:entries / 1000, 1) * 4.25 * (0.7 + 0.6 * pg_temp.u(pool, 4)))::numeric, 1) AS capacity,
       round((0.25 + pg_temp.u(i, 2) * 8)::numeric, 2)::numeric(8, 2) AS hours
FROM (SELECT i, (pg_temp.u(i, 1) * 1000)::int % 1000 AS pool
      FROM generate_series(1, :entries) i) s;
VACUUM ANALYZE alloc_hours;

-- cprof and floor only (no plain query), recorded like bench_compare's rows
CREATE OR REPLACE FUNCTION pg_temp.bench_floor(label text, cprof_query text, floor_query text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_result (section, label, plan, workers, cprof_ms, plain_ms, floor_ms)
    VALUES ('allocate', label, 'sort', current_setting('max_parallel_workers_per_gather')::int,
            bench_time(cprof_query), NULL, bench_time(floor_query));
    RAISE NOTICE 'bench % done', label;
END $$;

\o /dev/null
SELECT bench_compare('allocate', 'allocate(amount, hours) OVER (PARTITION BY pool ORDER BY id)',
    $q$SELECT id, allocate(amount, hours) OVER (PARTITION BY pool ORDER BY id) AS part FROM alloc_hours$q$,
    $q$SELECT id, (fl + (rk <= e)::int) * 0.01 AS part
       FROM (SELECT id, fl, k - sum(fl) OVER (PARTITION BY pool) AS e,
                    row_number() OVER (PARTITION BY pool ORDER BY rem DESC, id) AS rk
             FROM (SELECT id, pool, k, div(k * hours, tw) AS fl, mod(k * hours, tw) AS rem
                   FROM (SELECT id, pool, hours, amount * 100 AS k,
                                sum(hours) OVER (PARTITION BY pool) AS tw
                         FROM alloc_hours) a) b) c$q$,
    $q$SELECT id, sum(hours) OVER (PARTITION BY pool) FROM alloc_hours$q$);
SELECT pg_temp.bench_floor('allocate(...) OVER (PARTITION BY pool ORDER BY id), floor sorted alike',
    $q$SELECT id, allocate(amount, hours) OVER (PARTITION BY pool ORDER BY id) FROM alloc_hours$q$,
    $q$SELECT id, sum(hours) OVER (PARTITION BY pool ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM alloc_hours$q$);
SELECT pg_temp.bench_floor('allocate(amount, hours) OVER (PARTITION BY pool)',
    $q$SELECT id, allocate(amount, hours) OVER (PARTITION BY pool) FROM alloc_hours$q$,
    $q$SELECT id, sum(hours) OVER (PARTITION BY pool) FROM alloc_hours$q$);
SELECT pg_temp.bench_floor('allocate_capacity(amount, hours, capacity) OVER (PARTITION BY pool)',
    $q$SELECT id, allocate_capacity(amount, hours, capacity) OVER (PARTITION BY pool) FROM alloc_hours$q$,
    $q$SELECT id, sum(hours) OVER (PARTITION BY pool) FROM alloc_hours$q$);
SELECT bench_compare('allocate', 'idle_capacity(amount, hours, capacity) GROUP BY pool',
    $q$SELECT pool, idle_capacity(amount, hours, capacity) FROM alloc_hours GROUP BY pool$q$,
    $q$SELECT pool, amount - round(sum(hours) * amount / capacity, 2) FROM alloc_hours GROUP BY pool, amount, capacity$q$,
    $q$SELECT pool, sum(hours) FROM alloc_hours GROUP BY pool$q$);
SET max_parallel_workers_per_gather = 2;
SELECT bench_compare('allocate', 'idle_capacity(amount, hours, capacity) GROUP BY pool, 2 workers',
    $q$SELECT pool, idle_capacity(amount, hours, capacity) FROM alloc_hours GROUP BY pool$q$,
    $q$SELECT pool, amount - round(sum(hours) * amount / capacity, 2) FROM alloc_hours GROUP BY pool, amount, capacity$q$,
    $q$SELECT pool, sum(hours) FROM alloc_hours GROUP BY pool$q$);
\o
RESET max_parallel_workers_per_gather;
RESET work_mem;
