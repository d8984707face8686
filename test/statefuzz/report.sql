-- test/statefuzz/report.sql: the state fuzzer's summary (test/statefuzz/run.sh).
-- Runs in the directory of the result files of hostile_run_cases
-- (serial.tsv, parallel.tsv) and known.tsv (STATUS TAB final function).
-- Variables: strict (0/1), late (ms past which a case counts as a late
-- cancellation), serial_s, parallel_s (seconds).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP TABLE res (pass text, case_id int, status text, ms int, message text, result text);
CREATE TEMP TABLE raw (case_id int, status text, ms text, message text, result text);
\copy raw FROM 'serial.tsv' WITH (FORMAT text, NULL '')
INSERT INTO res SELECT 'serial', case_id, status, nullif(ms, '')::int, message, result FROM raw;
TRUNCATE raw;
\copy raw FROM 'parallel.tsv' WITH (FORMAT text, NULL '')
INSERT INTO res SELECT 'parallel', case_id, status, nullif(ms, '')::int, message, result FROM raw;
CREATE TEMP TABLE known (status text, final text);
\copy known FROM 'known.tsv' WITH (FORMAT text)

-- every case with its chain's final function and outcome
CREATE TEMP VIEW outcome AS
SELECT r.*, f.kind, f.via, f.label, f.chain, c.finalfn::regproc::text AS final,
       CASE WHEN r.status IN ('CRASH', 'LOST') THEN 'CRASH'
            WHEN r.ms > :late THEN 'LATE'
            WHEN r.status = 'SKIP' THEN 'skip'
            WHEN r.status = '00000' THEN 'result'
            WHEN r.status = '57014' THEN 'timeout'
            ELSE 'error' END AS outcome,
       EXISTS (SELECT FROM known k WHERE k.final = c.finalfn::regproc::text
                 AND k.status = CASE WHEN r.status IN ('CRASH', 'LOST') THEN 'CRASH' ELSE 'LATE' END) AS is_known
FROM res r JOIN sf.fcase f ON f.id = r.case_id JOIN sf.chain c ON c.id = f.chain;

\pset footer off
\pset border 1
\echo
\echo statefuzz: cases by pass and outcome (crash = backend died or connection lost; late = ran more than :late ms)
SELECT pass, count(*) AS cases,
       count(*) FILTER (WHERE outcome = 'result') AS results,
       count(*) FILTER (WHERE outcome = 'error') AS clean_errors,
       count(*) FILTER (WHERE outcome = 'timeout') AS timeouts,
       count(*) FILTER (WHERE outcome = 'CRASH') AS crashes,
       count(*) FILTER (WHERE outcome = 'LATE') AS late,
       count(*) FILTER (WHERE outcome = 'skip') AS skipped,
       count(*) FILTER (WHERE status = 'XX000') AS internal_errors,
       CASE pass WHEN 'serial' THEN :serial_s ELSE :parallel_s END AS seconds
FROM outcome GROUP BY pass ORDER BY pass DESC;

\echo statefuzz: cases by kind (serial pass)
SELECT kind, via, count(*) AS cases,
       count(*) FILTER (WHERE outcome = 'result') AS results,
       count(*) FILTER (WHERE outcome = 'error') AS clean_errors,
       count(*) FILTER (WHERE outcome IN ('CRASH', 'LATE')) AS crashes_or_late
FROM outcome WHERE pass = 'serial' GROUP BY kind, via ORDER BY kind, via;

\echo statefuzz: errors by SQLSTATE (both passes)
SELECT status AS sqlstate, count(*) AS cases, left(min(message), 90) AS example
FROM outcome WHERE outcome IN ('error', 'timeout') GROUP BY status ORDER BY count(*) DESC;

\echo statefuzz: internal errors (XX000), by final function and message
SELECT final, message, count(*) AS cases
FROM outcome WHERE status = 'XX000' GROUP BY final, message ORDER BY final, message;

\echo statefuzz: crashes and late cancellations (known: listed in test/statefuzz/known.txt)
SELECT pass, case_id, outcome, is_known AS known, final, kind, label, ms,
       left(coalesce(message, ''), 60) AS detail
FROM outcome WHERE outcome IN ('CRASH', 'LATE') ORDER BY pass DESC, case_id;

\echo statefuzz: chains cut short after repeated crashes, late cancellations or timeouts
SELECT pass, final, count(*) AS skipped_cases
FROM outcome WHERE outcome = 'skip' GROUP BY pass, final ORDER BY pass DESC, final;

\echo statefuzz: valid states of another aggregate that gave a result (to review: does the final function read only what such a state holds?)
SELECT o.final, count(*) AS cases, count(DISTINCT a.name) AS of_aggregates,
       left(string_agg(DISTINCT split_part(a.name, '(', 1), ', '), 70) AS families
FROM outcome o JOIN sf.fcase f ON f.id = o.case_id
JOIN sf.agg a ON f.label LIKE a.name || ' %'
WHERE o.pass = 'serial' AND o.kind = 'cross' AND o.outcome = 'result'
GROUP BY o.final ORDER BY o.final;

-- a case must give the same status and result through the parallel plan as
-- serially (and a result must not change from run to run)
CREATE TEMP VIEW differs AS
SELECT p.case_id, p.final, p.label, s.status AS serial_status, p.status AS parallel_status,
       s.result AS serial_result, p.result AS parallel_result,
       EXISTS (SELECT FROM known k WHERE k.final = p.final AND k.status = 'DIFFERS') AS is_known
FROM outcome p JOIN outcome s ON s.case_id = p.case_id AND s.pass = 'serial'
WHERE p.pass = 'parallel' AND s.outcome IN ('result', 'error') AND p.outcome IN ('result', 'error')
  AND (s.status <> p.status OR s.result IS DISTINCT FROM p.result);
\echo statefuzz: serial and parallel passes that differ
SELECT case_id, is_known AS known, final, label, serial_status, parallel_status, serial_result, parallel_result
FROM differs ORDER BY case_id LIMIT 20;

\echo statefuzz: known failures that no case hit any more (fixed? remove them from known.txt)
SELECT k.status, k.final FROM known k
WHERE NOT EXISTS (SELECT FROM outcome o WHERE o.final = k.final AND o.outcome = k.status)
  AND NOT (k.status = 'DIFFERS' AND EXISTS (SELECT FROM differs d WHERE d.final = k.final));

SELECT (SELECT count(*) FROM outcome WHERE outcome IN ('CRASH', 'LATE') AND (NOT is_known OR :strict = 1)) AS unexpected,
       (SELECT count(*) FROM outcome WHERE outcome IN ('CRASH', 'LATE') AND is_known) AS known_failures,
       (SELECT count(*) FROM outcome WHERE status = 'XX000') AS internal,
       (SELECT count(*) FROM differs WHERE NOT is_known OR :strict = 1) AS differs,
       (SELECT count(*) FROM outcome) AS total
\gset
SELECT CASE WHEN :unexpected > 0 OR :differs > 0 OR (:strict = 1 AND :internal > 0)
            THEN format('statefuzz: FAILED: %s unexpected crashes or late cancellations, %s serial/parallel differences%s',
                        :unexpected, :differs, CASE WHEN :strict = 1 THEN format(', %s internal errors', :internal) ELSE '' END)
            ELSE format('statefuzz: passed: %s cases, 0 unexpected crashes (%s known failures, %s internal errors), 0 unexpected serial/parallel differences',
                        :total, :known_failures, :internal) END AS verdict \gset
\echo :verdict
