-- test/fuzz/matrix_report.sql: the bad-input matrix's summary
-- (test/fuzz/run.sh), run in the directory of matrix.tsv (results of
-- hostile_run_cases) and known.tsv (STATUS TAB function name).
-- Variables: strict (0/1), late (ms), seconds.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP TABLE raw (call_id int, status text, ms text, message text, result text);
\copy raw FROM 'matrix.tsv' WITH (FORMAT text, NULL '')
CREATE TEMP TABLE known (status text, name text);
\copy known FROM 'known.tsv' WITH (FORMAT text)

CREATE TEMP VIEW outcome AS
SELECT r.call_id, r.status, nullif(r.ms, '')::int AS ms, r.message, c.shape, c.label,
       f.signature, f.name, f.prokind,
       CASE WHEN r.status IN ('CRASH', 'LOST') THEN 'CRASH'
            WHEN nullif(r.ms, '')::int > :late THEN 'LATE'
            WHEN r.status LIKE 'XX%' THEN 'INTERNAL'
            WHEN r.message LIKE 'moving-aggregate transition function must not return null%' THEN 'CONTRACT'
            WHEN c.shape = 'base' AND r.status <> '00000' THEN 'BASE'
            WHEN r.status = 'SKIP' THEN 'skip'
            WHEN r.status = '00000' THEN 'result'
            WHEN r.status = '57014' THEN 'timeout'
            ELSE 'error' END AS outcome
FROM raw r JOIN fz.call c ON c.id = r.call_id JOIN fz.func f ON f.id = c.func;

CREATE TEMP VIEW failure AS
SELECT o.*, EXISTS (SELECT FROM known k WHERE k.name = o.name AND k.status = o.outcome) AS is_known
FROM outcome o WHERE o.outcome IN ('CRASH', 'LATE', 'INTERNAL', 'CONTRACT', 'BASE');

\pset footer off
\pset border 1
\echo
\echo matrix: calls by shape (as the non-superuser hostile)
SELECT shape, count(*) AS calls,
       count(*) FILTER (WHERE outcome = 'result') AS results,
       count(*) FILTER (WHERE outcome = 'error') AS clean_errors,
       count(*) FILTER (WHERE outcome = 'timeout') AS timeouts,
       count(*) FILTER (WHERE outcome IN ('CRASH', 'LATE', 'INTERNAL', 'CONTRACT', 'BASE')) AS failures,
       count(*) FILTER (WHERE outcome = 'skip') AS skipped
FROM outcome GROUP BY shape ORDER BY shape;

\echo matrix: errors by SQLSTATE
SELECT status AS sqlstate, count(*) AS calls, left(min(message), 90) AS example
FROM outcome WHERE outcome NOT IN ('result', 'skip') GROUP BY status ORDER BY count(*) DESC;

\echo matrix: calls stopped by the statement_timeout (cancellable; slow on these inputs)
SELECT signature, shape, label, ms FROM outcome WHERE outcome = 'timeout' ORDER BY call_id LIMIT 20;

\echo matrix: failures (known: listed in test/fuzz/known.txt)
SELECT outcome AS failure, is_known AS known, signature, shape, label, ms, left(coalesce(message, ''), 70) AS message
FROM failure ORDER BY call_id LIMIT 40;

\echo matrix: known failures no call hits any more (fixed? remove them from known.txt)
SELECT k.status, k.name FROM known k
WHERE NOT EXISTS (SELECT FROM failure f WHERE f.name = k.name AND f.outcome = k.status);

SELECT (SELECT count(*) FROM failure WHERE NOT is_known OR :strict = 1) AS unexpected,
       (SELECT count(*) FROM failure WHERE is_known) AS known_failures,
       (SELECT count(*) FROM outcome) AS calls,
       (SELECT count(*) FROM fz.func) AS functions,
       (SELECT count(*) FROM outcome WHERE outcome = 'result') AS results,
       (SELECT count(*) FROM outcome WHERE outcome = 'error') AS errors
\gset
SELECT CASE WHEN :unexpected > 0
            THEN format('matrix: FAILED: %s unexpected failures (internal errors, crashes, late cancellations, contract violations or failing base calls)', :unexpected)
            ELSE format('matrix: passed: %s calls of %s functions in %s s: %s results, %s clean errors, 0 unexpected failures (%s known)',
                        :calls, :functions, :seconds, :results, :errors, :known_failures) END AS verdict \gset
\echo :verdict
