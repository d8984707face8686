#!/usr/bin/env bash
# test/fuzz/run.sh: `make test-fuzz`.  Runs inside the throwaway cluster of
# test/run.sh (PG* variables set, cprof in ./tmp_install).  Everything runs
# as hostile, a role without superuser, in the database fuzz.
#
#  1. the bad-input matrix (test/fuzz/matrix.sql, matrix_base.sql): every
#     public function, aggregate and window function of cprof with bad
#     values per argument, from the catalog; each call must give a result or
#     a clean error: no internal error (class XX), no crash, no lost
#     connection, no call still running 2 s past its statement_timeout, no
#     executor contract violation (a moving-aggregate transition function
#     returning NULL), and every base call must succeed;
#  2. sqlsmith (Debian package, installed here when missing) with a fixed
#     seed for FUZZ_QUERIES queries (default 15000) or FUZZ_SECONDS seconds
#     (default 180), whichever comes first, over the small ledger of
#     test/fuzz/ledger.sql: no backend may die.  The queries that killed one
#     are printed from the server log.
# Known failures on main: test/fuzz/known.txt.  FUZZ_STRICT=1 fails on
# those too.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
# shellcheck source=test/fuzz/lib.sh
source test/fuzz/lib.sh

queries=${FUZZ_QUERIES:-15000}
seconds=${FUZZ_SECONDS:-180}
seed=${FUZZ_SEED:-20240611}
strict=${FUZZ_STRICT:-1}
out=${FUZZ_OUT:-$top/results/fuzz}
rm -rf "$out"
mkdir -p "$out"
status=0

if ! command -v sqlsmith >/dev/null; then
	echo "fuzz: installing sqlsmith"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends sqlsmith >/dev/null ||
		{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends sqlsmith >/dev/null; }
fi

# the SQLSTATE of every error in the server log, and the user
psql -X -q -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %u %e '" -c "SELECT pg_reload_conf()" >/dev/null
createdb fuzz
export PGDATABASE=fuzz
psql -X -q -v ON_ERROR_STOP=1 <<EOF
CREATE EXTENSION cprof;
CREATE ROLE hostile LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$PGPASSWORD';
EOF
psql -X -q -v ON_ERROR_STOP=1 -f test/fuzz/ledger.sql
psql -X -q -v ON_ERROR_STOP=1 -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO hostile"

# 1. the bad-input matrix
t0=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -f test/fuzz/matrix.sql
psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT format(E'-- case %s %s\n%s;\n\\\\echo R %s :SQLSTATE :LAST_ERROR_MESSAGE', id, func, stmt, id) FROM fz.call ORDER BY id" >"$out/matrix.sql"
export HOSTILE_TIMEOUT_MS=${FUZZ_TIMEOUT_MS:-5000}
PGUSER=hostile hostile_run_cases "$out/matrix.sql" "$out/matrix.tsv" "SET client_min_messages = error;" 3 || status=1
t1=$(date +%s)
awk '!/^#/ && NF >= 2 { print $1 "\t" $2 }' test/fuzz/known.txt >"$out/known.tsv"
(cd "$out" && psql -X -q -v ON_ERROR_STOP=1 -v strict="$strict" -v seconds="$((t1 - t0))" \
	-v late="$((HOSTILE_TIMEOUT_MS + ${HOSTILE_LATE_MS:-2000}))" \
	-f "$top/test/fuzz/matrix_report.sql") | tee "$out/matrix_report.txt"
grep -q '^matrix: FAILED' "$out/matrix_report.txt" && status=1

# 2. sqlsmith
log=$(hostile_log)
crashes_before=$(hostile_crashes)
log_from=$(($(wc -l <"$log") + 1))
echo "fuzz: sqlsmith --seed=$seed, at most $queries queries or ${seconds}s, as hostile"
rc=0
timeout -k 10 "$seconds" sqlsmith --target="host=$PGHOST port=$PGPORT dbname=fuzz user=hostile password=$PGPASSWORD" \
	--seed="$seed" --max-queries="$queries" --exclude-catalog --dump-all-queries \
	>"$out/sqlsmith_queries.sql" 2>"$out/sqlsmith.err" || rc=$?
t2=$(date +%s)
hostile_wait
tail -n +"$log_from" "$log" >"$out/sqlsmith_server.log"
crashes=$(($(hostile_crashes) - crashes_before))
# queries: sqlsmith prints each before running it, ending in ';'
generated=$(grep -c ';$' "$out/sqlsmith_queries.sql" || true)
cprof_funcs=$(psql -X -q -At -c "SELECT string_agg(DISTINCT p.proname, '|') FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cprof' WHERE p.proname !~ '^cprof_'")
calling=$(awk -v RS=';\n' -v pat="public\\.($cprof_funcs)\\(" '$0 ~ pat { n++ } END { print n + 0 }' "$out/sqlsmith_queries.sql")
echo "fuzz: sqlsmith ran $generated queries in $((t2 - t1)) s (exit $rc), $calling of them calling a cprof function; $crashes backends died"
echo "fuzz: sqlsmith errors by SQLSTATE (server log):"
grep -oE ' hostile [0-9A-Z]{5} ERROR:' "$out/sqlsmith_server.log" | awk '{ print $2 }' | sort | uniq -c | sort -rn | head -15 | sed 's/^/    /'
xx=$(grep -A2 -E ' hostile XX[0-9A-Z]{3} ERROR:' "$out/sqlsmith_server.log" | grep -cE "STATEMENT:.*public\\.($cprof_funcs)\\(" || true)
echo "fuzz: sqlsmith internal errors (XX...) in statements calling cprof: $xx"
if [ "$xx" -gt 0 ]; then
	grep -A2 -E ' hostile XX[0-9A-Z]{3} ERROR:' "$out/sqlsmith_server.log" | grep -B2 -E "STATEMENT:.*public\\.($cprof_funcs)\\(" | head -30
fi
if [ "$crashes" -gt 0 ]; then
	echo "fuzz: sqlsmith: FAILED: $crashes backends died; the queries they were running:" >&2
	grep -A1 -E 'terminated by signal|terminated by exception|exited with exit code [^01]' "$out/sqlsmith_server.log" >&2
	status=1
fi
if [ "$generated" -eq 0 ]; then
	echo "fuzz: sqlsmith: FAILED: no query ran" >&2
	cat "$out/sqlsmith.err" >&2
	status=1
fi

if [ "$status" -ne 0 ]; then
	echo "fuzz: FAILED (details in $out)" >&2
fi
exit "$status"
