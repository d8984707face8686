/*
 * test/bench/30_ltv.sql: the scalar ltv() over 1,000,000 rows (whatever the
 * ledger size) beside the same formula written as an SQL expression, in
 * double precision and in numeric, and the floor, a bare sum(margin) over
 * the same rows.  Each query is one sum() over a sequential scan, so the
 * three have the same plan shape; 0 and 2 parallel workers.
 *
 * Infinite horizon: margin / (1 + discount - retention).
 * Finite horizon:   the textbook closed form
 *                   margin / (1 + d) * (1 - q^T) / (1 - q),  q = r / (1 + d),
 *                   which is what an analyst would write (and which loses
 *                   digits when q is near 1; ltv() does not).
 * Targets (issue 5): ltv() at most 1.2 x the double precision expression,
 * and faster than the numeric expression.
 */
SET client_min_messages = warning;

DROP TABLE IF EXISTS ltv_input;
CREATE TABLE ltv_input AS
SELECT i,
       m, m::double precision AS m_f,
       r, r::numeric AS r_n,
       d, d::numeric AS d_n,
       periods
FROM (
    SELECT i,
           round(10 + (abs(hashint8(i * 4 + 1)) % 100000) / 100.0, 2) AS m,
           (0.5 + (abs(hashint8(i * 4 + 2)) % 4900) / 10000.0)::double precision AS r,
           ((abs(hashint8(i * 4 + 3)) % 20) / 100.0)::double precision AS d,
           1 + (abs(hashint8(i * 4 + 4)) % 60)::int AS periods
    FROM generate_series(1::bigint, 1000000) AS i
) s;
VACUUM ANALYZE ltv_input;

-- the same numbers, within the precision each form promises
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM ltv_input
               WHERE abs(ltv(m_f, r, d) - m_f / (1 + d - r)) > 1e-13 * (m_f / (1 + d - r))
                  OR abs(ltv(m, r, d) - m / (1 + d_n - r_n)) > 6e-15 * (m / (1 + d_n - r_n))
                  OR abs(ltv(m_f, r, d, periods)
                         - m_f / (1 + d) * (1 - power(r / (1 + d), periods)) / (1 - r / (1 + d)))
                     > 1e-11 * ltv(m_f, r, d, periods)) THEN
        RAISE EXCEPTION 'bench ltv: ltv() and the SQL expressions differ';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION pg_temp.run(workers int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
    PERFORM bench_compare('ltv', 'ltv(margin, r, d) double vs double expr',
        'SELECT sum(ltv(m_f, r, d)) FROM ltv_input',
        'SELECT sum(m_f / (1 + d - r)) FROM ltv_input',
        'SELECT sum(m_f) FROM ltv_input',
        check_equal => false);
    PERFORM bench_compare('ltv', 'ltv(margin, r, d) numeric vs numeric expr',
        'SELECT sum(ltv(m, r, d)) FROM ltv_input',
        'SELECT sum(m / (1 + d_n - r_n)) FROM ltv_input',
        'SELECT sum(m) FROM ltv_input',
        check_equal => false);
    PERFORM bench_compare('ltv', 'ltv(margin, r, d, T) double vs double expr',
        'SELECT sum(ltv(m_f, r, d, periods)) FROM ltv_input',
        'SELECT sum(m_f / (1 + d) * (1 - power(r / (1 + d), periods)) / (1 - r / (1 + d))) FROM ltv_input',
        'SELECT sum(m_f) FROM ltv_input',
        check_equal => false);
    PERFORM bench_compare('ltv', 'ltv(margin, r, d, T) numeric vs numeric expr',
        'SELECT sum(ltv(m, r, d, periods)) FROM ltv_input',
        'SELECT sum(m / (1 + d_n) * (1 - power(r_n / (1 + d_n), periods)) / (1 - r_n / (1 + d_n))) FROM ltv_input',
        'SELECT sum(m) FROM ltv_input',
        check_equal => false);
    -- ltv(numeric) against the double precision expression: the price of
    -- an exact-looking numeric result
    PERFORM bench_compare('ltv', 'ltv(margin, r, d) numeric vs double expr',
        'SELECT sum(ltv(m, r, d)) FROM ltv_input',
        'SELECT sum(m_f / (1 + d - r)) FROM ltv_input',
        'SELECT sum(m_f) FROM ltv_input',
        check_equal => false);
END $$;

\o /dev/null
SELECT pg_temp.run(0);
SELECT pg_temp.run(2);
\o
DROP TABLE ltv_input;
