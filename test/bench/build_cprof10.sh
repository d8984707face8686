#!/usr/bin/env bash
# test/bench/build_cprof10.sh: build the 1.0 release (commit 13b59b3, or
# $CPROF10_COMMIT) as a second shared library, cprof10.so, for `make bench`
# to time each aggregate beside its 1.0 self.  The sources come from the git
# history (git archive), the library is linked with -Bsymbolic so that its
# own calls bind to its own functions when the server has loaded this
# build's cprof.so too (both export the same names), and it goes into
# ./tmp_install/cprof10 with its SQL script, MODULE_PATHNAME rewritten to the
# library's path and the \echo guard dropped, to be run as plain SQL in a
# schema of its own.  Prints the script's path; fails (with the reason) when
# the history or a compiler is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
commit=${CPROF10_COMMIT:-13b59b3}
dest=$top/tmp_install/cprof10
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

git rev-parse --verify --quiet "$commit^{commit}" >/dev/null ||
	{ echo "commit $commit is not in the git history here"; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
git archive "$commit" src sql/cprof--1.0.sql | tar -x -C "$dest"
cat >"$dest/Makefile" <<'MAKE'
MODULE_big = cprof10
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))
PG_CFLAGS = -std=gnu11
SHLIB_LINK = -Wl,-Bsymbolic
PGXS := $(shell $(PG_CONFIG) --pgxs)
override with_llvm = no
include $(PGXS)
MAKE
make -s -C "$dest" PG_CONFIG="$PG_CONFIG" >"$dest/build.log" 2>&1 ||
	{ echo "the 1.0 build failed: $(tail -n 3 "$dest/build.log")"; exit 1; }
chmod -R a+rX "$dest"
sed -e '/^\\echo/d' -e "s|MODULE_PATHNAME|$dest/cprof10.so|g" \
	"$dest/sql/cprof--1.0.sql" >"$dest/cprof10.sql"
echo "$dest/cprof10.sql"
