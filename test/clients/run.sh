#!/usr/bin/env bash
# test/clients/run.sh: `make test-clients` (run by test/run.sh clients inside
# a throwaway cluster; PG* variables point at it).  Loads the data the
# client tests read, then runs the psycopg 3 suite (Debian's python3-psycopg,
# run with Debian's /usr/bin/python3) and the node-postgres suite (npm pg at
# the version package-lock.json pins, installed with npm ci).
set -euo pipefail
cd "$(dirname "$0")/../.."

psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION cprof" \
	-v entries=20000 -f test/ledger.sql -f test/cdnow/load.sql

status=0
echo "== psycopg $(/usr/bin/python3 -c 'import psycopg; print(psycopg.__version__)')"
(cd test/clients && /usr/bin/python3 -m unittest -v test_psycopg) 2>&1 | tee /tmp/cprof-psycopg.$$ || status=1
py_passed=$(grep -c '\.\.\. ok$' /tmp/cprof-psycopg.$$ || true)
py_failed=$(grep -cE '\.\.\. (FAIL|ERROR)$' /tmp/cprof-psycopg.$$ || true)
rm -f /tmp/cprof-psycopg.$$

cd test/clients/node
echo "== node $(node --version), pg $(node -p "require('./package-lock.json').packages['node_modules/pg'].version")"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
node --test 2>&1 | tee /tmp/cprof-node.$$ || status=1
js_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' /tmp/cprof-node.$$)
js_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' /tmp/cprof-node.$$)
rm -f /tmp/cprof-node.$$

passed=$((py_passed + ${js_passed:-0}))
failed=$((py_failed + ${js_failed:-0}))
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
echo "clients: ${passed} passed, ${failed} failed"
exit "$status"
